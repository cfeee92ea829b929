/**
 * The stored-hash sequence: how a store lays out the tree's nodes so that it
 * only ever appends (the layout of Go's sumdb `tlog` package).
 *
 * Every complete node is stored once, in the order appends complete it: leaf
 * n's hash, then the interior nodes that leaf completes, lowest level first.
 *
 *   pos:    0   1   2   3   4   5   6   7   8   9  10 ...
 *   node:  L0  L1  N1  L2  L3  N1  N2  L4  L5  N1  L6 ...
 *          /0  /1  /0  /2  /3  /1  /0  /4  /5  /2  /6
 *
 * A tree of n leaves has 2n - popcount(n) stored hashes, and the sequence of
 * a larger tree extends that of a smaller one, so a store keeps one
 * append-only array of 32-byte hashes and finds node (level, index) at
 * {@link storedHashIndex}. Pure: no I/O.
 */
import { assertU53, popCount, shr } from './bits.js';
import { CompactRange, rangeNodes } from './compact-range.js';
import { HASH_SIZE } from './hash.js';
import { hashNodePairs } from './leaf-hashes.js';

/** Position of node (level, index) in the stored-hash sequence (Go: tlog.StoredHashIndex). */
export function storedHashIndex(level: number, index: number): number {
  assertU53(index, 'index');
  // Level L's n-th hash is stored right after level L+1's (2n+1)-th hash:
  // walk down to the last leaf under the node...
  let n = index;
  for (let l = level; l > 0; l--) n = 2 * n + 1;
  // ...leaf n is stored at n + n/2 + n/4 + ... (its predecessors and their completed parents)...
  let i = 0;
  for (; n > 0; n = shr(n, 1)) i += n;
  // ...and the node `level` places after it.
  const pos = i + level;
  assertU53(pos, 'stored hash index');
  return pos;
}

/** Number of stored hashes of a tree of `size` leaves: 2·size − popcount(size). */
export function storedHashCount(size: number): number {
  assertU53(size, 'size');
  return 2 * size - popCount(size);
}

/** The (level, index) of the node stored at `pos` (inverse of {@link storedHashIndex}). */
export function storedNodeAt(pos: number): { level: number; index: number } {
  assertU53(pos, 'pos');
  // The leaf stored last at or before pos: the largest n with storedHashCount(n) <= pos.
  let lo = 0;
  let hi = pos;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (storedHashCount(mid) <= pos) lo = mid;
    else hi = mid - 1;
  }
  const level = pos - storedHashCount(lo);
  // Leaf `lo` completes the nodes on its path while its index bits are 1.
  return { level, index: shr(lo, level) };
}

/**
 * Appends leaves to `range` and returns the hashes they add to the stored
 * sequence (positions storedHashCount(old size) onwards), concatenated, 32
 * bytes each: per leaf, the leaf hash and then the interior nodes it completes.
 */
export function appendStored(range: CompactRange, leafHashes: readonly Uint8Array[]): Buffer {
  const from = storedHashCount(range.size);
  const to = storedHashCount(range.size + leafHashes.length);
  const out = Buffer.allocUnsafe((to - from) * HASH_SIZE);
  let at = 0;
  for (const leaf of leafHashes) {
    out.set(leaf, at);
    at += HASH_SIZE;
    const nodes = range.append(leaf);
    for (let k = 0; k < nodes.length; k++) {
      out.set(nodes[k].hash, at);
      at += HASH_SIZE;
    }
  }
  return out;
}

/**
 * What {@link appendStored} computes, for a whole batch at once: appends the
 * leaves (`leaves`: n hashes of 32 bytes) to a copy of `range` and returns it
 * with the stored hashes they add. The interior nodes are hashed a tree level
 * at a time, each level in one WebAssembly call, instead of one native call
 * per node.
 */
export function appendStoredBatch(range: CompactRange, leaves: Uint8Array): { range: CompactRange; stored: Buffer } {
  const size0 = range.size;
  const size = size0 + leaves.length / HASH_SIZE;
  assertU53(size, 'tree size');
  const from = storedHashCount(size0);
  const stored = Buffer.allocUnsafe((storedHashCount(size) - from) * HASH_SIZE);
  // The old frontier has at most one node per level: the left sibling a level's first new node may pair with.
  const oldByLevel = new Map<number, Uint8Array>();
  rangeNodes(0, size0).forEach((id, i) => oldByLevel.set(id.level, range.hashes[i]));
  // New nodes per level: indices [start, start + count), hashes contiguous.
  const levels: { start: number; hashes: Uint8Array }[] = [];
  let start = size0;
  let hashes = leaves;
  for (let level = 0; hashes.length > 0; level++) {
    levels.push({ start, hashes });
    const span = 2 ** level;
    for (let i = 0; i < hashes.length / HASH_SIZE; i++) {
      // Node (level, index) is stored right after its last leaf m = (index + 1)·2^level − 1,
      // which is stored at 2m − popcount(m) (the closed form of storedHashIndex).
      const m = (start + i + 1) * span - 1;
      stored.set(hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE), (2 * m - popCount(m) + level - from) * HASH_SIZE);
    }
    // Pairs (2j, 2j + 1) that now have both children; an odd start pairs with the old frontier node.
    const carry = start % 2 === 1 ? oldByLevel.get(level) : undefined;
    const first = carry ? start - 1 : start;
    const available = (carry ? HASH_SIZE : 0) + hashes.length;
    const pairs = Math.floor(available / (2 * HASH_SIZE));
    const src = new Uint8Array(pairs * 2 * HASH_SIZE);
    if (carry) src.set(carry);
    src.set(hashes.subarray(0, src.length - (carry ? HASH_SIZE : 0)), carry ? HASH_SIZE : 0);
    hashes = hashNodePairs(src);
    start = first / 2;
  }
  // The new frontier: nodes the batch created, else the old frontier's (still complete, unchanged).
  const frontier = rangeNodes(0, size).map(({ level, index }) => {
    const l = levels[level];
    if (l && index >= l.start && (index - l.start) * HASH_SIZE < l.hashes.length) {
      return l.hashes.subarray((index - l.start) * HASH_SIZE, (index - l.start + 1) * HASH_SIZE);
    }
    return oldByLevel.get(level)!;
  });
  return { range: CompactRange.fromHashes(size, frontier), stored };
}

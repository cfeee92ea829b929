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
import type { CompactRange } from './compact-range.js';
import { HASH_SIZE } from './hash.js';

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

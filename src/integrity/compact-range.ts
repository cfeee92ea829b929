/**
 * Compact Merkle ranges, after transparency-dev/merkle `compact`.
 *
 * A tree's nodes are addressed as (level, index): level 0 holds the leaves,
 * and node (l, i) is the root of the perfect subtree over leaves
 * [i·2^l, (i+1)·2^l). A node is *complete* (its hash never changes again) once
 * the tree holds all its leaves; nodes over a partial range are *ephemeral*.
 *
 *   L3:     ┌───0───┐       ┌───1───┐
 *   L2:   ┌─0─┐   ┌─1─┐   ┌─2─┐   ┌─3─┐
 *   L1:  ┌0┐ ┌1┐ ┌2┐ ┌3┐ ┌4┐ ┌5┐ ┌6┐ ┌7┐
 *   L0:  0 1 2 3 4 5 6 7 8 9 ...
 *
 * The compact range of [0, size) — the "frontier" — is the list of roots of
 * the maximal perfect subtrees covering the leaves, one per set bit of `size`,
 * left to right. It is O(log n) state from which the root hash of the current
 * tree is computed, and to which leaves are appended.
 */
import { assertU53, bitLen, isOdd, lowBits, popCount, pow2, shl, shr, trailingZeros, xor } from './bits.js';
import { HASH_SIZE, emptyRoot, fromHex, hashChildren, toHex } from './hash.js';

/** Address of a tree node: level 0 = leaves; index counts from 0 within a level. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A node with its hash, as reported by appends for a store to persist. */
export interface TreeNode extends NodeId {
  readonly hash: Buffer;
}

/** Serializable compact-range state (persist it with every commit). */
export interface CompactRangeState {
  /** Number of leaves in the tree. */
  size: number;
  /** Lowercase hex hashes of the frontier nodes, left (largest) to right. */
  hashes: string[];
}

export function nodeId(level: number, index: number): NodeId {
  return { level, index };
}

export function parentOf(id: NodeId): NodeId {
  return { level: id.level + 1, index: shr(id.index, 1) };
}

export function siblingOf(id: NodeId): NodeId {
  return { level: id.level, index: isOdd(id.index) ? id.index - 1 : id.index + 1 };
}

/** The [begin, end) leaf range covered by a node. */
export function coverage(id: NodeId): [number, number] {
  return [shl(id.index, id.level), shl(id.index + 1, id.level)];
}

/** Stable string key for a node id, e.g. for maps: "level/index". */
export function nodeKey(level: number, index: number): string {
  return `${level}/${index}`;
}

/**
 * Splits [begin, end) into the minimal sequence of perfect subtree ranges,
 * returned as bit masks: bits of `left` (LSB first) are the sizes along the
 * left border, bits of `right` (MSB first) the sizes along the right border.
 * Port of compact.Decompose.
 */
export function decompose(begin: number, end: number): { left: number; right: number } {
  if (begin === 0) return { left: 0, right: end };
  const xbegin = begin - 1;
  // Paths to leaves begin-1 and end diverge at level d; only nodes below it are in the range.
  const d = bitLen(xor(xbegin, end)) - 1;
  const mask = pow2(d) - 1;
  return { left: mask - lowBits(xbegin, d), right: lowBits(end, d) };
}

/** Number of nodes in the compact range [begin, end). */
export function rangeSize(begin: number, end: number): number {
  const { left, right } = decompose(begin, end);
  return popCount(left) + popCount(right);
}

/**
 * Appends to `out` the ids of the nodes forming the compact range [begin, end),
 * ordered left to right. Port of compact.RangeNodes.
 */
export function rangeNodes(begin: number, end: number, out: NodeId[] = []): NodeId[] {
  let { left, right } = decompose(begin, end);
  let pos = begin;
  // Left border: perfect subtrees from lower to upper levels.
  while (left !== 0) {
    const level = trailingZeros(left);
    const bit = pow2(level);
    out.push({ level, index: shr(pos, level) });
    pos += bit;
    left -= bit;
  }
  // Right border: perfect subtrees from upper to lower levels.
  while (right !== 0) {
    const level = bitLen(right) - 1;
    const bit = pow2(level);
    out.push({ level, index: shr(pos, level) });
    pos += bit;
    right -= bit;
  }
  return out;
}

/** Ids of the frontier of a tree of `size` leaves, i.e. the nodes a {@link CompactRangeState} holds. */
export function frontierNodeIds(size: number): NodeId[] {
  assertU53(size, 'size');
  return rangeNodes(0, size);
}

function checkHash(h: Uint8Array, what: string): void {
  if (h.length !== HASH_SIZE) throw new RangeError(`${what} must be ${HASH_SIZE} bytes, got ${h.length}`);
}

const NO_NODES: readonly TreeNode[] = Object.freeze([]);

/**
 * The compact range [0, size) of an append-only Merkle tree: appends leaf
 * hashes, reports the interior nodes each append completes, and computes the
 * root hash of the current tree.
 */
export class CompactRange {
  private _size: number;
  private readonly _hashes: Buffer[];

  private constructor(size: number, hashes: Buffer[]) {
    this._size = size;
    this._hashes = hashes;
  }

  /** A range for the empty tree. */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /**
   * A range from its frontier hashes (left to right), e.g. read back from the
   * nodes {@link frontierNodeIds} names. Throws a RangeError if the count or
   * sizes do not fit `size`.
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    assertU53(size, 'size');
    if (hashes.length !== popCount(size)) {
      throw new RangeError(`compact range of size ${size} needs ${popCount(size)} hashes, got ${hashes.length}`);
    }
    hashes.forEach((h, i) => checkHash(h, `hashes[${i}]`));
    return new CompactRange(size, hashes.map((h) => Buffer.from(h)));
  }

  /** Restores a range persisted with {@link state}. */
  static fromState(state: CompactRangeState): CompactRange {
    if (typeof state !== 'object' || state === null || !Array.isArray(state.hashes)) {
      throw new RangeError('compact range state must be {size, hashes[]}');
    }
    return CompactRange.fromHashes(state.size, state.hashes.map((h) => fromHex(h)));
  }

  /** Number of leaves appended so far (the index the next leaf gets). */
  get size(): number {
    return this._size;
  }

  /** Frontier hashes, left (largest subtree) to right. Do not mutate. */
  get hashes(): readonly Buffer[] {
    return this._hashes;
  }

  /** Ids of the frontier nodes, matching {@link hashes}. */
  nodeIds(): NodeId[] {
    return rangeNodes(0, this._size);
  }

  /**
   * Appends one leaf hash (leaf index = the current size). Returns the interior
   * nodes (level >= 1) this append completed, lowest level first — pushed onto
   * `out` when given, so a batch can collect them in one array. The leaf
   * itself (level 0) is not reported: a store keeps leaf hashes with its events.
   */
  append(leafHash: Uint8Array, out?: TreeNode[]): readonly TreeNode[] {
    checkHash(leafHash, 'leaf hash');
    const hashes = this._hashes;
    let seed: Buffer = Buffer.from(leafHash);
    let index = this._size;
    let level = 0;
    let result: TreeNode[] | undefined = out;
    // Every trailing 1 bit of the leaf index is a left sibling on the frontier to merge with.
    while (isOdd(index)) {
      seed = hashChildren(hashes.pop() as Buffer, seed);
      index = (index - 1) / 2;
      level++;
      (result ??= []).push({ level, index, hash: seed });
    }
    hashes.push(seed);
    this._size++;
    return result ?? NO_NODES;
  }

  /** Appends leaf hashes in order; returns every interior node they completed. */
  appendAll(leafHashes: readonly Uint8Array[], out: TreeNode[] = []): TreeNode[] {
    if (this._size + leafHashes.length > Number.MAX_SAFE_INTEGER) throw new RangeError('tree size overflow');
    for (const h of leafHashes) this.append(h, out);
    return out;
  }

  /** Root hash of the tree of the current size (SHA-256("") when empty). */
  root(): Buffer {
    const hashes = this._hashes;
    if (hashes.length === 0) return emptyRoot();
    let h = hashes[hashes.length - 1];
    for (let i = hashes.length - 2; i >= 0; i--) h = hashChildren(hashes[i], h);
    return Buffer.from(h);
  }

  /** Serializable state: size + hex frontier hashes. */
  state(): CompactRangeState {
    return { size: this._size, hashes: this._hashes.map(toHex) };
  }

  clone(): CompactRange {
    return new CompactRange(this._size, this._hashes.slice());
  }
}

/**
 * Root hash of a tree of `size` leaves from the frontier nodes a store keeps:
 * `getNode` is called for each id of {@link frontierNodeIds}(size).
 */
export function rootFromFrontier(size: number, getNode: (level: number, index: number) => Uint8Array): Buffer {
  const ids = frontierNodeIds(size);
  return CompactRange.fromHashes(size, ids.map((id) => getNode(id.level, id.index))).root();
}

/** Whether node `id` is complete (non-ephemeral) in a tree of `size` leaves. */
export function isComplete(id: NodeId, size: number): boolean {
  return shl(id.index + 1, id.level) <= size;
}

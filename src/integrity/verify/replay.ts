/**
 * Rebuilds the Merkle tree from leaf hashes in sequence order and checks it
 * against what a store claims: the stored interior nodes (when the source
 * has them) and every signed checkpoint's root at its size. Pure: hashes in,
 * failures out.
 *
 * Leaves come one at a time ({@link TreeReplay.append}) or as whole aligned
 * blocks of 2^k leaves whose perfect subtree was computed elsewhere (on a
 * worker thread) and already compared with the stored hashes
 * ({@link TreeReplay.appendBlock}); then only the nodes above the block are
 * hashed here.
 */
import {
  CompactRange,
  HASH_SIZE,
  hashChildren,
  hashEquals,
  rangeNodes,
  storedHashIndex,
  toHex,
} from '../index.js';
import type { VerifyFailure } from './report.js';

export interface TrustedRoot {
  size: number;
  root: Buffer;
}

function treeNodeFailure(level: number, index: number): VerifyFailure {
  const from = index * 2 ** level;
  const to = (index + 1) * 2 ** level - 1;
  return {
    kind: 'tree',
    seq: from,
    message: `the stored tree node (level ${level}, index ${index}) over seq ${from}–${to} does not match the events: one of them was changed together with its stored leaf hash, or the node was edited`,
  };
}

export class TreeReplay {
  private _range = CompactRange.empty();
  private next = 0;
  private lastGood = 0;

  /** `checkpoints`: signature-checked roots, sorted by size. */
  constructor(private readonly checkpoints: readonly TrustedRoot[]) {}

  get range(): CompactRange {
    return this._range;
  }

  get size(): number {
    return this._range.size;
  }

  /** Checkpoints whose root matched so far. */
  get matched(): number {
    return this.next;
  }

  /**
   * Appends the leaf at seq = size. `stored`, when given, holds the hashes the
   * store keeps for this leaf (leaf, then the interior nodes it completes),
   * which must equal the recomputed ones.
   */
  append(leaf: Uint8Array, stored?: Uint8Array): VerifyFailure | undefined {
    const nodes = this._range.append(leaf);
    if (stored) {
      for (let k = 0; k < nodes.length; k++) {
        const at = (k + 1) * HASH_SIZE;
        if (!hashEquals(stored.subarray(at, at + HASH_SIZE), nodes[k].hash)) return treeNodeFailure(nodes[k].level, nodes[k].index);
      }
    }
    return this.checkRootsAt(this._range.size, () => this._range.root());
  }

  /**
   * Appends a block of 2^level leaves at an aligned size, given its perfect
   * subtree in stored order (2^(level+1) − 1 hashes, root last). `storedAbove`
   * holds the stored nodes above the block that its last leaf completes.
   * Checks the roots of checkpoints that fall inside the block.
   */
  appendBlock(subtree: Uint8Array, level: number, storedAbove?: Uint8Array): VerifyFailure | undefined {
    const width = 2 ** level;
    const start = this._range.size;
    if (start % width !== 0) throw new RangeError(`block of ${width} leaves at unaligned size ${start}`);
    const before = this._range.hashes;
    const node = (lvl: number, index: number) => {
      const at = storedHashIndex(lvl, index - start / 2 ** lvl) * HASH_SIZE;
      return subtree.subarray(at, at + HASH_SIZE);
    };
    // Checkpoints strictly inside the block: frontier = what precedes the block + the block's own nodes.
    for (let cp = this.checkpoints[this.next]; cp && cp.size > start && cp.size < start + width; cp = this.checkpoints[this.next]) {
      const size = cp.size;
      const inside = rangeNodes(start, size).map((id) => node(id.level, id.index));
      const f = this.checkRootsAt(size, () => CompactRange.fromHashes(size, [...before, ...inside]).root());
      if (f) return f;
    }
    // Append the block root at `level`, as CompactRange.append does for leaves.
    const hashes = [...before];
    let seed: Buffer = Buffer.from(subtree.subarray(subtree.length - HASH_SIZE));
    let index = start / width;
    let lvl = level;
    let k = 0;
    while (index % 2 === 1) {
      seed = hashChildren(hashes.pop() as Buffer, seed);
      index = (index - 1) / 2;
      lvl++;
      if (storedAbove && !hashEquals(storedAbove.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE), seed)) return treeNodeFailure(lvl, index);
      k++;
    }
    hashes.push(seed);
    this._range = CompactRange.fromHashes(start + width, hashes);
    return this.checkRootsAt(this._range.size, () => this._range.root());
  }

  /** Checks every checkpoint of tree size `size` (the next ones in order) against `root()`. */
  private checkRootsAt(size: number, root: () => Buffer): VerifyFailure | undefined {
    let computed: Buffer | undefined;
    while (this.next < this.checkpoints.length && this.checkpoints[this.next].size === size) {
      const cp = this.checkpoints[this.next];
      computed ??= root();
      if (!hashEquals(computed, cp.root)) {
        return {
          kind: 'modified',
          seq: this.lastGood,
          message: `the events up to seq ${cp.size - 1} do not hash to the root signed in the checkpoint of tree size ${cp.size} (${toHex(cp.root)}, recomputed ${toHex(computed)}): an event from seq ${this.lastGood} on was changed and the stored tree rebuilt to hide it`,
        };
      }
      this.lastGood = cp.size;
      this.next++;
    }
    return undefined;
  }

  /** After the last leaf: a checkpoint for a bigger tree means sealed events are gone from the end. */
  finish(): VerifyFailure | undefined {
    const cp = this.checkpoints[this.next];
    if (cp && cp.size > this._range.size) {
      return {
        kind: 'deleted',
        seq: this._range.size,
        message: `a checkpoint signs a tree of ${cp.size} events, but the store's tree ends at ${this._range.size}: sealed events from seq ${this._range.size} on were removed`,
      };
    }
    return undefined;
  }
}

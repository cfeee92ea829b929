/**
 * Inclusion and consistency proof GENERATION from stored tree nodes, after
 * transparency-dev/merkle `proof.Inclusion` / `proof.Consistency`.
 *
 * Generation is split in two steps so a store can read everything it needs in
 * one round trip:
 *
 *  1. {@link inclusionNodes} / {@link consistencyNodes} compute, from sizes and
 *     indices alone, the ids of the *complete* nodes needed ({@link ProofNodes}).
 *     Where the proof needs an ephemeral node (the root of a non-perfect subtree
 *     on the tree's right border), the plan lists instead the complete nodes
 *     covering the same leaves, and marks them as a run to rehash.
 *  2. {@link rehash} folds the fetched hashes into the final proof.
 *
 * All ids in a plan are complete in the tree of the requested size, so their
 * hashes never change: any store holding at least that many leaves (with all
 * interior nodes persisted as {@link CompactRange.append} reports them, and
 * leaf hashes at level 0) can serve them.
 */
import { assertU53, bitLen, isPowerOfTwo, popCount, shr, trailingZeros, xor } from './bits.js';
import { type NodeId, coverage, nodeKey, parentOf, rangeNodes, rangeSize, siblingOf } from './compact-range.js';
import { HASH_SIZE, hashChildren } from './hash.js';

export type ProofErrorCode =
  /** Sizes or indices outside what the operation accepts. */
  | 'INVALID_ARGUMENT'
  /** Leaf index not below the tree size. */
  | 'INDEX_OUT_OF_RANGE'
  /** A leaf hash or proof element that is not 32 bytes. */
  | 'INVALID_HASH_SIZE'
  /** The proof has more or fewer hashes than the sizes call for. */
  | 'WRONG_PROOF_SIZE'
  /** The proof is empty but must not be. */
  | 'EMPTY_PROOF'
  /** The proof must be empty (equal sizes) but is not. */
  | 'NON_EMPTY_PROOF'
  /** The root computed from the proof differs from the expected (new) root. */
  | 'ROOT_MISMATCH'
  /** A consistency proof does not reproduce the old (first) root. */
  | 'OLD_ROOT_MISMATCH'
  /** The node reader returned the wrong number of hashes, or a malformed one. */
  | 'NODE_READ';

/** Typed error for proof generation and verification failures. */
export class ProofError extends Error {
  readonly code: ProofErrorCode;
  /** For mismatches: the expected and the computed hash, hex. */
  readonly expected?: string;
  readonly calculated?: string;

  constructor(code: ProofErrorCode, message: string, extra?: { expected?: Uint8Array; calculated?: Uint8Array }) {
    super(message);
    this.name = 'ProofError';
    this.code = code;
    if (extra?.expected) this.expected = Buffer.from(extra.expected).toString('hex');
    if (extra?.calculated) this.calculated = Buffer.from(extra.calculated).toString('hex');
  }
}

/**
 * Which nodes make up a proof. `ids` are complete nodes in proof order, except
 * that `ids[begin:end]` (when non-empty) must be folded into the single
 * ephemeral node `ephem`, lowest level first.
 */
export interface ProofNodes {
  readonly ids: readonly NodeId[];
  readonly begin: number;
  readonly end: number;
  readonly ephem: NodeId;
}

/** Synchronous node reader: the hash of complete node (level, index). */
export type NodeReader = (level: number, index: number) => Uint8Array;
/** Batch node reader: the hashes of all `ids`, in the same order, in one read. */
export type BatchNodeReader = (ids: readonly NodeId[]) => Promise<readonly Uint8Array[]>;

function checkU53(n: number, what: string): void {
  try {
    assertU53(n, what);
  } catch (e) {
    throw new ProofError('INVALID_ARGUMENT', (e as Error).message);
  }
}

/**
 * Node ids proving that node (level, index) is under the root of a tree of
 * `size` leaves; the first id is that node itself. Port of `proof.nodes`.
 */
function proofNodesFor(index: number, level: number, size: number): ProofNodes {
  // The fork is where the paths from the root to (level, index) and to the last
  // leaf diverge; its sibling is the ephemeral node (if the tree is not perfect).
  const inner = bitLen(xor(index, shr(size, level))) - 1;
  const fork: NodeId = { level: level + inner, index: shr(index, inner) };
  const [begin, end] = coverage(fork);
  const left = rangeSize(0, begin);
  const right = rangeSize(end, size);

  let node: NodeId = { level, index };
  const ids: NodeId[] = [node];
  // Siblings along the path up to the fork.
  while (node.level < fork.level) {
    ids.push(siblingOf(node));
    node = parentOf(node);
  }
  // The nodes covering [end, size) stand for the ephemeral node; reverse them
  // so they rehash from lower to upper levels.
  let len1 = ids.length;
  rangeNodes(end, size, ids);
  reverseTail(ids, right);
  let len2 = ids.length;
  // The nodes covering [0, begin), ordered increasingly by level.
  rangeNodes(0, begin, ids);
  reverseTail(ids, left);
  if (len1 >= len2) len1 = len2 = 0;
  return { ids, begin: len1, end: len2, ephem: siblingOf(fork) };
}

function reverseTail(ids: NodeId[], n: number): void {
  for (let i = ids.length - n, j = ids.length - 1; i < j; i++, j--) {
    const t = ids[i];
    ids[i] = ids[j];
    ids[j] = t;
  }
}

function skipFirst(p: ProofNodes): ProofNodes {
  const shift = p.begin < p.end ? 1 : 0;
  return { ids: p.ids.slice(1), begin: p.begin - shift, end: p.end - shift, ephem: p.ephem };
}

/** Plan of the inclusion proof for leaf `index` in the tree of `size` leaves (0 <= index < size). */
export function inclusionNodes(index: number, size: number): ProofNodes {
  checkU53(index, 'index');
  checkU53(size, 'size');
  if (index >= size) throw new ProofError('INDEX_OUT_OF_RANGE', `index ${index} out of bounds for tree size ${size}`);
  return skipFirst(proofNodesFor(index, 0, size));
}

/** Plan of the consistency proof between tree sizes 0 < size1 <= size2. */
export function consistencyNodes(size1: number, size2: number): ProofNodes {
  checkU53(size1, 'size1');
  checkU53(size2, 'size2');
  if (size1 > size2) throw new ProofError('INVALID_ARGUMENT', `tree size ${size1} > ${size2}`);
  if (size1 === 0) throw new ProofError('INVALID_ARGUMENT', 'consistency proof from empty tree is meaningless');
  if (size1 === size2) return { ids: [], begin: 0, end: 0, ephem: { level: 0, index: 0 } };
  // The root of the largest perfect subtree ending at size1, then its inclusion
  // path in the tree of size2. If size1 is a power of two that root is the old
  // tree's root, which the verifier already has, so it is left out.
  const level = trailingZeros(size1);
  const index = shr(size1 - 1, level);
  const p = proofNodesFor(index, level, size2);
  return isPowerOfTwo(size1) ? skipFirst(p) : p;
}

/**
 * Folds the hashes fetched for `plan.ids` (same order) into the proof: the run
 * `[begin, end)` becomes one ephemeral-node hash. Port of `Nodes.Rehash`.
 */
export function rehash(plan: ProofNodes, hashes: readonly Uint8Array[]): Buffer[] {
  if (hashes.length !== plan.ids.length) {
    throw new ProofError('NODE_READ', `got ${hashes.length} hashes for ${plan.ids.length} node ids`);
  }
  const out: Buffer[] = [];
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i];
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      const id = plan.ids[i];
      throw new ProofError('NODE_READ', `node ${nodeKey(id.level, id.index)}: expected a ${HASH_SIZE}-byte hash`);
    }
    if (i === plan.begin && plan.begin < plan.end) {
      let acc: Buffer = Buffer.from(h);
      for (i++; i < plan.end; i++) {
        const left = hashes[i];
        if (!(left instanceof Uint8Array) || left.length !== HASH_SIZE) {
          throw new ProofError('NODE_READ', `node ${nodeKey(plan.ids[i].level, plan.ids[i].index)}: expected a ${HASH_SIZE}-byte hash`);
        }
        acc = hashChildren(left, acc);
      }
      i--;
      out.push(acc);
    } else {
      out.push(Buffer.from(h));
    }
  }
  return out;
}

function readAll(plan: ProofNodes, getNode: NodeReader): Uint8Array[] {
  return plan.ids.map((id) => getNode(id.level, id.index));
}

async function readBatch(ids: readonly NodeId[], getNodes: BatchNodeReader): Promise<readonly Uint8Array[]> {
  if (ids.length === 0) return [];
  const hashes = await getNodes(ids);
  if (!Array.isArray(hashes) || hashes.length !== ids.length) {
    throw new ProofError('NODE_READ', `batch reader returned ${hashes?.length} hashes for ${ids.length} ids`);
  }
  return hashes;
}

/** Inclusion proof for leaf `index` in the tree of `size` leaves, read node by node. */
export function inclusionProof(index: number, size: number, getNode: NodeReader): Buffer[] {
  const plan = inclusionNodes(index, size);
  return rehash(plan, readAll(plan, getNode));
}

/** Consistency proof from `size1` to `size2`, read node by node. */
export function consistencyProof(size1: number, size2: number, getNode: NodeReader): Buffer[] {
  const plan = consistencyNodes(size1, size2);
  return rehash(plan, readAll(plan, getNode));
}

/** Inclusion proof for leaf `index` in the tree of `size` leaves, with one batch read. */
export async function inclusionProofBatch(index: number, size: number, getNodes: BatchNodeReader): Promise<Buffer[]> {
  const plan = inclusionNodes(index, size);
  return rehash(plan, await readBatch(plan.ids, getNodes));
}

/** Consistency proof from `size1` to `size2`, with one batch read. */
export async function consistencyProofBatch(size1: number, size2: number, getNodes: BatchNodeReader): Promise<Buffer[]> {
  const plan = consistencyNodes(size1, size2);
  return rehash(plan, await readBatch(plan.ids, getNodes));
}

/**
 * Inclusion proofs for several leaves of the same tree with ONE batch read:
 * node ids shared between the proofs are requested once.
 */
export async function inclusionProofsBatch(
  indices: readonly number[],
  size: number,
  getNodes: BatchNodeReader,
): Promise<Buffer[][]> {
  const plans = indices.map((i) => inclusionNodes(i, size));
  const unique: NodeId[] = [];
  const slot = new Map<string, number>();
  for (const plan of plans) {
    for (const id of plan.ids) {
      const key = nodeKey(id.level, id.index);
      if (!slot.has(key)) {
        slot.set(key, unique.length);
        unique.push(id);
      }
    }
  }
  const hashes = await readBatch(unique, getNodes);
  return plans.map((plan) =>
    rehash(
      plan,
      plan.ids.map((id) => hashes[slot.get(nodeKey(id.level, id.index)) as number]),
    ),
  );
}

/** Expected number of hashes in an inclusion proof (RFC 9162 PATH length). */
export function inclusionProofSize(index: number, size: number): number {
  const inner = bitLen(xor(index, size - 1));
  return inner + popCount(shr(index, inner));
}

/** Expected number of hashes in a consistency proof between 0 < size1 < size2. */
export function consistencyProofSize(size1: number, size2: number): number {
  if (size1 === size2) return 0;
  const innerAll = bitLen(xor(size1 - 1, size2 - 1));
  const border = popCount(shr(size1 - 1, innerAll));
  const shift = trailingZeros(size1);
  return (isPowerOfTwo(size1) ? 0 : 1) + (innerAll - shift) + border;
}

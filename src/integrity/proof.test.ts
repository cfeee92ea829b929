import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactRange, type NodeId, frontierNodeIds, isComplete, nodeKey } from './compact-range.js';
import { hashChildren, hashLeaf } from './hash.js';
import {
  ProofError,
  type ProofNodes,
  consistencyNodes,
  consistencyProofBatch,
  consistencyProofSize,
  inclusionNodes,
  inclusionProof,
  inclusionProofBatch,
  inclusionProofSize,
  inclusionProofsBatch,
  rehash,
} from './proof.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const id = (level: number, index: number): NodeId => ({ level, index });
const nodes = (...ids: NodeId[]) => ({ ids, begin: 0, end: 0 });
const rh = (begin: number, end: number, ...ids: NodeId[]) => ({ ids, begin, end });
const strip = (p: ProofNodes) => ({ ids: p.ids, begin: p.begin, end: p.end });

// Expected plans, verbatim from transparency-dev/merkle proof/proof_test.go (TestInclusion).
const INCLUSION_PLANS: [number, number, ReturnType<typeof rh>][] = [
  [1, 0, nodes()],
  [2, 0, nodes(id(0, 1))],
  [2, 1, nodes(id(0, 0))],
  [3, 1, rh(1, 2, id(0, 0), id(0, 2))],
  [7, 0, rh(2, 4, id(0, 1), id(1, 1), id(0, 6), id(1, 2))],
  [7, 1, rh(2, 4, id(0, 0), id(1, 1), id(0, 6), id(1, 2))],
  [7, 2, rh(2, 4, id(0, 3), id(1, 0), id(0, 6), id(1, 2))],
  [7, 3, rh(2, 4, id(0, 2), id(1, 0), id(0, 6), id(1, 2))],
  [7, 4, rh(1, 2, id(0, 5), id(0, 6), id(2, 0))],
  [7, 5, rh(1, 2, id(0, 4), id(0, 6), id(2, 0))],
  [7, 6, nodes(id(1, 2), id(2, 0))],
  [4, 2, nodes(id(0, 3), id(1, 0))],
  [5, 3, rh(2, 3, id(0, 2), id(1, 0), id(0, 4))],
  [6, 3, rh(2, 3, id(0, 2), id(1, 0), id(1, 2))],
  [6, 4, nodes(id(0, 5), id(2, 0))],
  [15, 10, rh(2, 4, id(0, 11), id(1, 4), id(0, 14), id(1, 6), id(3, 0))],
  [31, 24, rh(2, 4, id(0, 25), id(1, 13), id(0, 30), id(1, 14), id(3, 2), id(4, 0))],
  [95, 81, rh(3, 6, id(0, 80), id(1, 41), id(2, 21), id(0, 94), id(1, 46), id(2, 22), id(4, 4), id(6, 0))],
];

// TestConsistency, same file.
const CONSISTENCY_PLANS: [number, number, ReturnType<typeof rh>][] = [
  [1, 2, nodes(id(0, 1))],
  [1, 4, nodes(id(0, 1), id(1, 1))],
  [1, 6, rh(2, 3, id(0, 1), id(1, 1), id(1, 2))],
  [2, 3, rh(0, 1, id(0, 2))],
  [2, 8, nodes(id(1, 1), id(2, 1))],
  [3, 7, rh(3, 5, id(0, 2), id(0, 3), id(1, 0), id(0, 6), id(1, 2))],
  [4, 7, rh(0, 2, id(0, 6), id(1, 2))],
  [5, 7, rh(2, 3, id(0, 4), id(0, 5), id(0, 6), id(2, 0))],
  [6, 7, rh(1, 2, id(1, 2), id(0, 6), id(2, 0))],
  [7, 8, nodes(id(0, 6), id(0, 7), id(1, 2), id(2, 0))],
  ...[1, 2, 3, 4, 5, 7, 8].map((n): [number, number, ReturnType<typeof rh>] => [n, n, nodes()]),
  [2, 4, nodes(id(1, 1))],
  [3, 5, rh(3, 4, id(0, 2), id(0, 3), id(1, 0), id(0, 4))],
  [3, 6, rh(3, 4, id(0, 2), id(0, 3), id(1, 0), id(1, 2))],
  [4, 6, rh(0, 1, id(1, 2))],
  [1, 7, rh(2, 4, id(0, 1), id(1, 1), id(0, 6), id(1, 2))],
  [10, 15, rh(2, 4, id(1, 4), id(1, 5), id(0, 14), id(1, 6), id(3, 0))],
  [24, 31, rh(1, 4, id(3, 2), id(0, 30), id(1, 14), id(2, 6), id(4, 0))],
  [81, 95, rh(4, 7, id(0, 80), id(0, 81), id(1, 41), id(2, 21), id(0, 94), id(1, 46), id(2, 22), id(4, 4), id(6, 0))],
];

describe('proof plans (node ids) match transparency-dev/merkle', () => {
  it.each(INCLUSION_PLANS)('inclusion size %i index %i', (size, index, want) => {
    expect(strip(inclusionNodes(index, size))).toEqual(want);
  });
  it.each(CONSISTENCY_PLANS)('consistency %i -> %i', (size1, size2, want) => {
    expect(strip(consistencyNodes(size1, size2))).toEqual(want);
  });
  it('rejects bad arguments with typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ProofError ? e.code : 'untyped';
      }
      return 'none';
    };
    for (const [size, index] of [[0, 0], [0, 1], [1, 2], [0, 3], [7, 8]]) {
      expect(code(() => inclusionNodes(index, size))).toBe('INDEX_OUT_OF_RANGE');
    }
    for (const [s1, s2] of [[5, 0], [9, 8], [0, 5], [0, 0]]) expect(code(() => consistencyNodes(s1, s2))).toBe('INVALID_ARGUMENT');
    expect(code(() => inclusionNodes(-1, 5))).toBe('INVALID_ARGUMENT');
    expect(code(() => inclusionNodes(0.5, 5))).toBe('INVALID_ARGUMENT');
    expect(code(() => inclusionNodes(0, 2 ** 53))).toBe('INVALID_ARGUMENT');
    expect(code(() => rehash(inclusionNodes(0, 4), [hashLeaf(Buffer.from('a'))]))).toBe('NODE_READ');
    expect(code(() => rehash(inclusionNodes(0, 2), [Buffer.alloc(31)]))).toBe('NODE_READ');
  });
});

/** A tree store for proofs, counting batch reads. */
function buildStore(size: number) {
  const store = new Map<string, Buffer>();
  const range = CompactRange.empty();
  for (let i = 0; i < size; i++) {
    const h = hashLeaf(Buffer.from(`event ${i}`));
    store.set(nodeKey(0, i), h);
    for (const n of range.append(h)) store.set(nodeKey(n.level, n.index), n.hash);
  }
  const reads: NodeId[][] = [];
  const getNodes = async (ids: readonly NodeId[]) => {
    reads.push([...ids]);
    return ids.map((n) => {
      const h = store.get(nodeKey(n.level, n.index));
      if (!h) throw new Error(`missing ${nodeKey(n.level, n.index)}`);
      return h;
    });
  };
  const getNode = (level: number, index: number) => store.get(nodeKey(level, index)) as Buffer;
  return { store, range, reads, getNodes, getNode };
}

describe('batch proof generation', () => {
  const t = buildStore(1000);
  const root = (size: number) => CompactRange.fromHashes(size, frontierNodeIds(size).map((n) => t.getNode(n.level, n.index))).root();

  it('reads every node an inclusion proof needs in one batch, and only complete ones', async () => {
    for (const [index, size] of [[0, 1], [5, 7], [999, 1000], [500, 777], [640, 641]]) {
      t.reads.length = 0;
      const proof = await inclusionProofBatch(index, size, t.getNodes);
      expect(t.reads.length).toBeLessThanOrEqual(1);
      for (const n of t.reads.flat()) expect(isComplete(n, size)).toBe(true);
      expect(proof).toEqual(inclusionProof(index, size, t.getNode));
      expect(verifyInclusion(t.getNode(0, index), index, size, proof, root(size))).toEqual({ ok: true });
    }
  });

  it('reads every node a consistency proof needs in one batch', async () => {
    for (const [s1, s2] of [[1, 2], [3, 7], [10, 1000], [512, 1000], [999, 1000]]) {
      t.reads.length = 0;
      const proof = await consistencyProofBatch(s1, s2, t.getNodes);
      expect(t.reads).toHaveLength(1);
      expect(verifyConsistency(s1, s2, proof, root(s1), root(s2))).toEqual({ ok: true });
    }
  });

  it('proves many leaves with one deduplicated batch read', async () => {
    t.reads.length = 0;
    const indices = [0, 1, 2, 3, 500, 998, 999];
    const proofs = await inclusionProofsBatch(indices, 1000, t.getNodes);
    expect(t.reads).toHaveLength(1);
    const keys = t.reads[0].map((n) => nodeKey(n.level, n.index));
    expect(new Set(keys).size).toBe(keys.length);
    indices.forEach((index, k) => {
      expect(proofs[k]).toEqual(inclusionProof(index, 1000, t.getNode));
    });
  });

  it('reports a batch reader returning the wrong count as NODE_READ', async () => {
    await expect(inclusionProofBatch(3, 10, async () => [])).rejects.toMatchObject({ code: 'NODE_READ' });
  });
});

describe('node-id math beyond 2^32 leaves', () => {
  // In a tree whose leaves all have the same hash, every complete node at
  // level l has the same hash Z[l], so proofs for huge sizes can be checked.
  const Z: Buffer[] = [hashLeaf(Buffer.from('same'))];
  for (let l = 1; l <= 53; l++) Z.push(hashChildren(Z[l - 1], Z[l - 1]));
  const rootOf = (size: number) => CompactRange.fromHashes(size, frontierNodeIds(size).map((n) => Z[n.level])).root();
  const bigSize = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

  it('inclusion plans only name complete nodes, have the RFC length, and verify', () => {
    fc.assert(
      fc.property(bigSize, fc.double({ min: 0, max: 1, noNaN: true }), (size, f) => {
        const index = Math.min(size - 1, Math.floor(f * size));
        const plan = inclusionNodes(index, size);
        for (const n of plan.ids) if (!isComplete(n, size)) return false;
        const proof = rehash(plan, plan.ids.map((n) => Z[n.level]));
        expect(proof).toHaveLength(inclusionProofSize(index, size));
        expect(verifyInclusion(Z[0], index, size, proof, rootOf(size))).toEqual({ ok: true });
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('consistency plans only name complete nodes, have the RFC length, and verify', () => {
    fc.assert(
      fc.property(bigSize, fc.double({ min: 0, max: 1, noNaN: true }), (size2, f) => {
        const size1 = Math.max(1, Math.min(size2, Math.ceil(f * size2)));
        const plan = consistencyNodes(size1, size2);
        for (const n of plan.ids) if (!isComplete(n, size2)) return false;
        const proof = rehash(plan, plan.ids.map((n) => Z[n.level]));
        expect(proof).toHaveLength(consistencyProofSize(size1, size2));
        expect(verifyConsistency(size1, size2, proof, rootOf(size1), rootOf(size2))).toEqual({ ok: true });
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('handles the largest sizes', () => {
    const size = Number.MAX_SAFE_INTEGER;
    const plan = inclusionNodes(size - 1, size);
    expect(plan.ids).toHaveLength(52); // last leaf, index 2^53-2: one left sibling per set bit
    const proof = rehash(plan, plan.ids.map((n) => Z[n.level]));
    expect(verifyInclusion(Z[0], size - 1, size, proof, rootOf(size))).toEqual({ ok: true });
    const c = consistencyNodes(2 ** 32 + 1, size);
    expect(c.ids.every((n) => isComplete(n, size))).toBe(true);
  });
});

/**
 * Cross-checks the fast code against a naive recursive reference written
 * straight from RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1
 * (PROOF/SUBPROOF), with its own SHA-256 calls (independent of hash.ts).
 * Published vectors are in vectors.test.ts.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactRange, type NodeId, isComplete, nodeKey } from './compact-range.js';
import { hashLeaves } from './hash.js';
import { consistencyProof, inclusionProof } from './proof.js';
import { type Verification, verifyConsistency, verifyInclusion } from './verify.js';

// ---- Reference implementation (RFC 9162 §2.1) ----

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 9162 §2.1.1: the largest power of two strictly smaller than n (n > 1). */
function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH, PATH and PROOF over a list of leaf inputs, memoizing MTH of sub-lists D[start:end]. */
export class ReferenceTree {
  private readonly memo = new Map<string, Buffer>();
  constructor(readonly data: readonly Uint8Array[]) {}

  /** MTH(D[start:end]). */
  mth(start: number, end: number): Buffer {
    const n = end - start;
    if (n === 0) return sha256(); // MTH({}) = SHA-256()
    if (n === 1) return sha256(Uint8Array.of(0), this.data[start]); // SHA-256(0x00 || d(0))
    const key = `${start}:${end}`;
    let h = this.memo.get(key);
    if (!h) {
      const k = largestPow2Below(n);
      h = sha256(Uint8Array.of(1), this.mth(start, start + k), this.mth(start + k, end));
      this.memo.set(key, h);
    }
    return h;
  }

  /** PATH(m, D[start:end]) — the inclusion proof of leaf start+m. */
  path(m: number, start: number, end: number): Buffer[] {
    const n = end - start;
    if (n === 1) return [];
    const k = largestPow2Below(n);
    if (m < k) return [...this.path(m, start, start + k), this.mth(start + k, end)];
    return [...this.path(m - k, start + k, end), this.mth(start, start + k)];
  }

  /** PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true). */
  proof(m: number, n: number): Buffer[] {
    return this.subproof(m, 0, n, true);
  }

  private subproof(m: number, start: number, end: number, b: boolean): Buffer[] {
    const n = end - start;
    if (m === n) return b ? [] : [this.mth(start, end)];
    const k = largestPow2Below(n);
    if (m <= k) return [...this.subproof(m, start, start + k, b), this.mth(start + k, end)];
    return [...this.subproof(m - k, start + k, end, false), this.mth(start, start + k)];
  }
}

// ---- Fast implementation under test, with an in-memory node store ----

/** A tree built with CompactRange, storing leaves (level 0) and every reported interior node. */
class FastTree {
  readonly nodes = new Map<string, Buffer>();
  readonly roots: Buffer[] = [];
  readonly range = CompactRange.empty();
  readonly leafHashes: Buffer[];

  constructor(data: readonly Uint8Array[], recordRoots = false) {
    this.leafHashes = hashLeaves(data);
    if (recordRoots) this.roots.push(this.range.root());
    this.leafHashes.forEach((h, i) => {
      this.nodes.set(nodeKey(0, i), h);
      for (const n of this.range.append(h)) this.nodes.set(nodeKey(n.level, n.index), n.hash);
      if (recordRoots) this.roots.push(this.range.root());
    });
  }

  /** A node reader for proofs at `size`, which fails on nodes not complete at that size. */
  reader(size: number): (level: number, index: number) => Buffer {
    return (level, index) => {
      const id: NodeId = { level, index };
      if (!isComplete(id, size)) throw new Error(`asked for ephemeral node ${nodeKey(level, index)} at size ${size}`);
      const h = this.nodes.get(nodeKey(level, index));
      if (!h) throw new Error(`node ${nodeKey(level, index)} not stored`);
      return h;
    };
  }
}

const hexes = (bs: readonly Uint8Array[]): string => bs.map((b) => Buffer.from(b).toString('hex')).join(',');

const MISMATCH: string[] = ['ROOT_MISMATCH', 'OLD_ROOT_MISMATCH'];
const codeOf = (r: Verification): string => (r.ok ? 'OK' : r.error.code);

function leafData(seed: number, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`vigil-event:${seed}:${i}:${'x'.repeat(i % 7)}`));
}

function flipByte(proof: Buffer[], which: number, byte: number, mask: number): Buffer[] {
  return proof.map((p, i) => {
    if (i !== which) return p;
    const c = Buffer.from(p);
    c[byte] ^= mask;
    return c;
  });
}

describe('reference cross-check: exhaustive small trees (sizes 1..64)', () => {
  const N = 64;
  const data = leafData(1, N);
  const ref = new ReferenceTree(data);
  const fast = new FastTree(data, true);

  it('compact-range roots equal MTH for every size 0..64', () => {
    for (let s = 0; s <= N; s++) expect(fast.roots[s].toString('hex')).toBe(ref.mth(0, s).toString('hex'));
  });

  it('every inclusion proof equals PATH and verifies', () => {
    for (let size = 1; size <= N; size++) {
      const root = ref.mth(0, size);
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(i, size, fast.reader(size));
        expect(hexes(proof)).toEqual(hexes(ref.path(i, 0, size)));
        expect(verifyInclusion(fast.leafHashes[i], i, size, proof, root)).toEqual({ ok: true });
      }
    }
  });

  it('every consistency proof equals PROOF and verifies', () => {
    for (let size2 = 1; size2 <= N; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const proof = consistencyProof(size1, size2, fast.reader(size2));
        expect(hexes(proof)).toEqual(hexes(ref.proof(size1, size2)));
        expect(verifyConsistency(size1, size2, proof, ref.mth(0, size1), ref.mth(0, size2))).toEqual({ ok: true });
      }
    }
  });

  it('tampering with any byte of any proof hash fails verification', () => {
    for (let size = 2; size <= 20; size++) {
      const root = ref.mth(0, size);
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(i, size, fast.reader(size));
        for (let j = 0; j < proof.length; j++) {
          for (let b = 0; b < 32; b++) {
            const r = verifyInclusion(fast.leafHashes[i], i, size, flipByte(proof, j, b, 0x01), root);
            if (r.ok || r.error.code !== 'ROOT_MISMATCH') expect.fail(`tampered inclusion proof ${i}@${size}[${j}][${b}] gave ${codeOf(r)}`);
          }
        }
      }
      for (let size1 = 1; size1 < size; size1++) {
        const proof = consistencyProof(size1, size, fast.reader(size));
        for (let j = 0; j < proof.length; j++) {
          for (let b = 0; b < 32; b++) {
            const r = verifyConsistency(size1, size, flipByte(proof, j, b, 0x80), ref.mth(0, size1), root);
            if (r.ok || !MISMATCH.includes(r.error.code)) expect.fail(`tampered consistency proof ${size1}->${size}[${j}][${b}] gave ${codeOf(r)}`);
          }
        }
      }
    }
  });
});

describe('reference cross-check: one 5,000-leaf tree, all prefixes', () => {
  const N = 5000;
  const data = leafData(2, N);
  const ref = new ReferenceTree(data);
  const fast = new FastTree(data, true);

  it('compact-range root equals MTH for every size 0..5000', () => {
    for (let s = 0; s <= N; s++) {
      if (!fast.roots[s].equals(ref.mth(0, s))) expect.fail(`root mismatch at size ${s}`);
    }
  });

  it('a range restored from its serialized state continues identically', () => {
    const r = CompactRange.empty();
    for (let i = 0; i < N; i++) {
      const restored = i % 97 === 0 ? CompactRange.fromState(JSON.parse(JSON.stringify(r.state()))) : r;
      restored.append(fast.leafHashes[i]);
      if (restored !== r) {
        r.append(fast.leafHashes[i]);
        expect(restored.state()).toEqual(r.state());
      }
    }
    expect(r.root().equals(ref.mth(0, N))).toBe(true);
  });
});

describe('reference cross-check: property tests (fast-check), sizes 1..5,000', () => {
  // One random tree per run; proofs at the tree's size and at smaller sizes.
  const treeArb = fc.record({ seed: fc.integer({ min: 0, max: 1_000_000 }), size: fc.integer({ min: 1, max: 5000 }) });

  it('sampled inclusion proofs equal PATH and verify; any tampered byte fails', () => {
    fc.assert(
      fc.property(
        treeArb,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
        ({ seed, size }, samples) => {
          const data = leafData(seed, size);
          const ref = new ReferenceTree(data);
          const fast = new FastTree(data);
          for (const [a, b, c, d] of samples) {
            const atSize = 1 + (a % size); // a prefix of the stored tree
            const index = b % atSize;
            const root = ref.mth(0, atSize);
            const proof = inclusionProof(index, atSize, fast.reader(atSize));
            if (hexes(proof) !== hexes(ref.path(index, 0, atSize))) expect.fail(`inclusion ${index}@${atSize} differs from PATH`);
            const ok = verifyInclusion(fast.leafHashes[index], index, atSize, proof, root);
            if (!ok.ok) expect.fail(`inclusion ${index}@${atSize}: ${ok.error.message}`);
            if (proof.length > 0) {
              const r = verifyInclusion(fast.leafHashes[index], index, atSize, flipByte(proof, c % proof.length, d % 32, 1 << (d % 8)), root);
              if (codeOf(r) !== 'ROOT_MISMATCH') expect.fail(`tampered inclusion ${index}@${atSize} gave ${codeOf(r)}`);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('consistency proofs for random pairs equal PROOF and verify; any tampered byte fails', () => {
    fc.assert(
      fc.property(
        treeArb,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
        ({ seed, size }, samples) => {
          const data = leafData(seed, size);
          const ref = new ReferenceTree(data);
          const fast = new FastTree(data);
          for (const [a, b, c, d] of samples) {
            const size2 = 1 + (a % size);
            const size1 = 1 + (b % size2);
            const root1 = ref.mth(0, size1);
            const root2 = ref.mth(0, size2);
            const proof = consistencyProof(size1, size2, fast.reader(size2));
            if (hexes(proof) !== hexes(ref.proof(size1, size2))) expect.fail(`consistency ${size1}->${size2} differs from PROOF`);
            const ok = verifyConsistency(size1, size2, proof, root1, root2);
            if (!ok.ok) expect.fail(`consistency ${size1}->${size2}: ${ok.error.message}`);
            if (proof.length > 0) {
              const r = verifyConsistency(size1, size2, flipByte(proof, c % proof.length, d % 32, 1 << (d % 8)), root1, root2);
              if (r.ok || !MISMATCH.includes(r.error.code)) expect.fail(`tampered consistency ${size1}->${size2} gave ${codeOf(r)}`);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('wrong index, size, root, truncated or extended proofs fail with a typed reason', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), ({ seed, size }, pick) => {
        const data = leafData(seed, size);
        const ref = new ReferenceTree(data);
        const fast = new FastTree(data);
        const index = pick % size;
        const root = ref.mth(0, size);
        const leaf = fast.leafHashes[index];
        const proof = inclusionProof(index, size, fast.reader(size));
        const code = codeOf;
        expect(code(verifyInclusion(leaf, index, size, [...proof, root], root))).toBe('WRONG_PROOF_SIZE');
        if (proof.length > 0) expect(code(verifyInclusion(leaf, index, size, proof.slice(1), root))).toBe('WRONG_PROOF_SIZE');
        expect(code(verifyInclusion(leaf, size, size, proof, root))).toBe('INDEX_OUT_OF_RANGE');
        expect(code(verifyInclusion(leaf, index, size, proof, ref.mth(0, size - 1)))).toBe('ROOT_MISMATCH');
        expect(code(verifyInclusion(leaf.subarray(1), index, size, proof, root))).toBe('INVALID_HASH_SIZE');
        if (size > 1) {
          const other = (index + 1) % size;
          expect(['ROOT_MISMATCH', 'WRONG_PROOF_SIZE']).toContain(code(verifyInclusion(leaf, other, size, proof, root)));
          expect(code(verifyInclusion(fast.leafHashes[other], index, size, proof, root))).toBe('ROOT_MISMATCH');
        }
      }),
      { numRuns: 30 },
    );
  });
});

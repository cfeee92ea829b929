import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  type NodeId,
  type TreeNode,
  coverage,
  decompose,
  frontierNodeIds,
  isComplete,
  nodeKey,
  rangeNodes,
  rangeSize,
  rootFromFrontier,
} from './compact-range.js';
import { emptyRoot, hashLeaf, toHex } from './hash.js';

const leaf = (i: number) => hashLeaf(Buffer.from(`leaf ${i}`));

/** Minimal left-to-right cover of [begin, end) by perfect subtrees, greedily. */
function bruteRange(begin: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let pos = begin;
  while (pos < end) {
    let l = 0;
    while (pos % 2 ** (l + 1) === 0 && pos + 2 ** (l + 1) <= end) l++;
    out.push({ level: l, index: pos / 2 ** l });
    pos += 2 ** l;
  }
  return out;
}

describe('compact range node math', () => {
  it('rangeNodes / rangeSize give the minimal perfect-subtree cover, left to right', () => {
    for (let begin = 0; begin <= 70; begin++) {
      for (let end = begin; end <= 70; end++) {
        expect(rangeNodes(begin, end)).toEqual(bruteRange(begin, end));
        expect(rangeSize(begin, end)).toBe(bruteRange(begin, end).length);
      }
    }
  });
  it('decompose matches the transparency-dev example (0b110, 0b11101) -> 2,8; 8,4,1', () => {
    expect(decompose(0b110, 0b11101)).toEqual({ left: 0b1010, right: 0b1101 });
  });
  it('coverage and isComplete', () => {
    expect(coverage({ level: 2, index: 3 })).toEqual([12, 16]);
    expect(isComplete({ level: 2, index: 3 }, 16)).toBe(true);
    expect(isComplete({ level: 2, index: 3 }, 15)).toBe(false);
  });
});

describe('CompactRange', () => {
  it('reports exactly the interior nodes each append completes', () => {
    const r = CompactRange.empty();
    const all = new Map<string, TreeNode>();
    for (let i = 0; i < 300; i++) {
      const got = r.append(leaf(i));
      const size = i + 1;
      // Completed now: nodes (l >= 1) whose coverage ends exactly at `size`.
      const want: string[] = [];
      for (let l = 1; size % 2 ** l === 0; l++) want.push(nodeKey(l, size / 2 ** l - 1));
      expect(got.map((n) => nodeKey(n.level, n.index))).toEqual(want);
      for (const n of got) all.set(nodeKey(n.level, n.index), n);
    }
    expect(all.size).toBe(300 - 4); // n leaves have n - popcount(n) complete interior nodes; popcount(300) = 4
  });

  it('appendAll equals one-by-one appends and collects all nodes', () => {
    const hashes = Array.from({ length: 77 }, (_, i) => leaf(i));
    const a = CompactRange.empty();
    const nodesA: TreeNode[] = [];
    for (const h of hashes) nodesA.push(...a.append(h));
    const b = CompactRange.empty();
    const nodesB = b.appendAll(hashes);
    expect(b.state()).toEqual(a.state());
    expect(nodesB).toEqual(nodesA);
    expect(b.root()).toEqual(a.root());
  });

  it('round-trips its state through JSON and restores from frontier nodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), (n) => {
        const r = CompactRange.empty();
        const store = new Map<string, Buffer>();
        for (let i = 0; i < n; i++) {
          store.set(nodeKey(0, i), leaf(i));
          for (const node of r.append(leaf(i))) store.set(nodeKey(node.level, node.index), node.hash);
        }
        const restored = CompactRange.fromState(JSON.parse(JSON.stringify(r.state())));
        expect(restored.size).toBe(n);
        expect(restored.root()).toEqual(r.root());
        expect(r.nodeIds()).toEqual(frontierNodeIds(n));
        expect(r.hashes.map(toHex)).toEqual(frontierNodeIds(n).map((id) => toHex(store.get(nodeKey(id.level, id.index)) as Buffer)));
        const getNode = (l: number, i: number) => store.get(nodeKey(l, i)) as Buffer;
        expect(rootFromFrontier(n, getNode)).toEqual(r.root());
      }),
      { numRuns: 60 },
    );
  });

  it('has the empty root when empty and is not affected by later mutation of inputs', () => {
    const r = CompactRange.empty();
    expect(r.root()).toEqual(emptyRoot());
    const h = leaf(0);
    r.append(h);
    const root = r.root();
    h.fill(0);
    expect(r.root()).toEqual(root);
    const c = r.clone();
    c.append(leaf(1));
    expect(r.size).toBe(1);
    expect(r.root()).toEqual(root);
  });

  it('rejects malformed input', () => {
    expect(() => CompactRange.empty().append(Buffer.alloc(31))).toThrow(RangeError);
    expect(() => CompactRange.fromState({ size: 3, hashes: [toHex(leaf(0))] })).toThrow(/needs 2 hashes/);
    expect(() => CompactRange.fromState({ size: 1, hashes: ['zz'.repeat(32)] })).toThrow(RangeError);
    expect(() => CompactRange.fromState({ size: -1, hashes: [] })).toThrow(RangeError);
    expect(() => CompactRange.fromState({ size: 1.5, hashes: [] })).toThrow(RangeError);
    expect(() => CompactRange.fromState(null as never)).toThrow(RangeError);
  });
});

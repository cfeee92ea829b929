import { describe, expect, it } from 'vitest';
import { CompactRange } from './compact-range.js';
import { HASH_SIZE, hashLeaf, hashLeafUtf8 } from './hash.js';
import { appendStored, appendStoredBatch, storedHashCount, storedHashIndex, storedNodeAt } from './stored.js';

const leaf = (i: number) => hashLeaf(Buffer.from(`leaf ${i}`));

describe('stored-hash sequence (tlog layout)', () => {
  it('places every complete node where appends complete it, and inverts', () => {
    const r = CompactRange.empty();
    const order: string[] = [];
    for (let i = 0; i < 600; i++) {
      order.push(`0/${i}`);
      for (const n of r.append(leaf(i))) order.push(`${n.level}/${n.index}`);
      expect(storedHashCount(i + 1)).toBe(order.length);
    }
    order.forEach((key, pos) => {
      const [level, index] = key.split('/').map(Number);
      expect(storedHashIndex(level, index)).toBe(pos);
      expect(storedNodeAt(pos)).toEqual({ level, index });
    });
  });

  it('matches Go tlog.StoredHashIndex on large indices', () => {
    // From tlog: StoredHashIndex(0, n) = 2n - popcount(n); a level-l node sits right after its last leaf's chain.
    expect(storedHashIndex(0, 2 ** 40)).toBe(2 ** 41 - 1);
    expect(storedHashIndex(40, 0)).toBe(storedHashIndex(0, 2 ** 40 - 1) + 40);
    expect(storedNodeAt(storedHashIndex(17, 12345))).toEqual({ level: 17, index: 12345 });
  });

  it('appendStoredBatch hashes level by level to exactly what appendStored gives, from any size', () => {
    const leaves = Array.from({ length: 1100 }, (_, i) => leaf(i));
    for (const size0 of [0, 1, 2, 3, 7, 8, 63, 64, 65, 255, 300, 1023]) {
      for (const k of [0, 1, 2, 3, 5, 64, 77]) {
        const before = CompactRange.empty();
        before.appendAll(leaves.slice(0, size0));
        const naive = before.clone();
        const want = appendStored(naive, leaves.slice(size0, size0 + k));
        const got = appendStoredBatch(before, Buffer.concat(leaves.slice(size0, size0 + k)));
        expect(got.stored.equals(want)).toBe(true);
        expect(got.range.state()).toEqual(naive.state());
        expect(before.size).toBe(size0); // the range passed in is left as it was
      }
    }
  });

  it('appendStored emits leaf then completed nodes, continuing across calls', () => {
    const a = CompactRange.empty();
    const b = CompactRange.empty();
    const leaves = Array.from({ length: 77 }, (_, i) => leaf(i));
    const whole = appendStored(a, leaves);
    const parts = Buffer.concat([appendStored(b, leaves.slice(0, 30)), appendStored(b, leaves.slice(30))]);
    expect(parts.equals(whole)).toBe(true);
    expect(whole.length).toBe(storedHashCount(77) * HASH_SIZE);
    expect(whole.subarray(0, HASH_SIZE).equals(leaves[0])).toBe(true);
    expect(a.root().equals(b.root())).toBe(true);
  });

  it('hashLeafUtf8 hashes the UTF-8 bytes', () => {
    for (const s of ['', 'abc', 'é€😀', 'x'.repeat(5000), '\u0000\ud800']) {
      expect(hashLeafUtf8(s).equals(hashLeaf(Buffer.from(s, 'utf8')))).toBe(true);
    }
  });
});

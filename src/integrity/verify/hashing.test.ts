/** The pieces of verify's fast path: WebAssembly SHA-256, the canonical-form check, block framing and hashing. */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactRange, appendStored, hashLeaf } from '../index.js';
import { canonicalJson } from '../../model/canonical.js';
import { prepared } from '../../testing/events.js';
import { docOf } from '../../model/prepare.js';
import { hashBlock } from './hash-block.js';
import { canonicalError } from './jcs-check.js';
import { HEAP, Sha256Wasm } from '../sha256-wasm.js';

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('Sha256Wasm', () => {
  it('hashes every message length across block boundaries, and random ones, as node:crypto does', () => {
    const h = new Sha256Wasm();
    const data = [...Array.from({ length: 300 }, (_, i) => randomBytes(i)), ...Array.from({ length: 300 }, () => randomBytes(Math.floor(Math.random() * 5000)))];
    const list = HEAP;
    const out = list + 8 * data.length;
    const input = out + 32 * data.length;
    const mem = h.memory(input + data.reduce((n, d) => n + d.length, 0));
    const entries = new Int32Array(mem.buffer, list, 2 * data.length);
    let at = input;
    data.forEach((d, i) => {
      mem.set(d, at);
      entries[2 * i] = at;
      entries[2 * i + 1] = d.length;
      at += d.length;
    });
    h.messages(list, data.length, out);
    const got = h.view();
    data.forEach((d, i) => expect(Buffer.from(got.subarray(out + 32 * i, out + 32 * i + 32)).toString('hex'), `length ${d.length}`).toBe(sha256(d).toString('hex')));
    // one at a time, no SIMD
    for (const d of data.slice(0, 140)) {
      h.memory(HEAP + 32 + d.length).set(d, HEAP + 32);
      h.sha256(HEAP + 32, d.length, HEAP);
      expect(Buffer.from(h.view().subarray(HEAP, HEAP + 32))).toEqual(sha256(d));
    }
  });

  it('hashes interior nodes, any count', () => {
    const h = new Sha256Wasm();
    for (const n of [1, 2, 3, 4, 5, 7, 8, 1023, 1024]) {
      const src = randomBytes(64 * n);
      h.memory(HEAP + 96 * n).set(src, HEAP);
      h.nodes(HEAP, n, HEAP + 64 * n);
      const mem = h.view();
      for (let j = 0; j < n; j++) {
        expect(Buffer.from(mem.subarray(HEAP + 64 * n + 32 * j, HEAP + 64 * n + 32 * (j + 1)))).toEqual(sha256(Uint8Array.of(1), src.subarray(64 * j, 64 * (j + 1))));
      }
    }
  });
});

describe('canonicalError', () => {
  const check = (s: string) => {
    const b = Buffer.from(s);
    return canonicalError(b, 0, b.length);
  };
  /** What canonical means, by definition: re-serializing the parsed object gives the same text. */
  const isCanonical = (s: string) => {
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      return false;
    }
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !Object.hasOwn(v, 'vigil') && canonicalJson(v) === s;
  };

  it('accepts what the store writes', () => {
    for (const e of prepared(300)) expect(check(docOf(e))).toBeUndefined();
    expect(check('{"a":[],"b":{},"c":[{},[]],"d":-0.5,"e":1e+21,"f":"\\u0000\\b\\"\\\\ \u2028 é 😀 \\ud800"}')).toBeUndefined();
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['unsorted members', '{"b":1,"a":2}'],
    ['a member twice', '{"a":1,"a":2}'],
    ['a number not as ECMAScript writes it', '{"a":1.0}'],
    ['an exponent', '{"a":1e3}'],
    ['negative zero', '{"a":-0}'],
    ['an escaped letter', '{"a":"\\u0041"}'],
    ['an escaped slash', '{"a":"\\/"}'],
    ['an uppercase escape', '{"a":"\\u001F"}'],
    ['a long escape for a short one', '{"a":"\\u000a"}'],
    ['an escaped surrogate pair', '{"a":"\\ud83d\\ude00"}'],
    ['a raw control', '{"a":"\u0001"}'],
    ['the vigil member', '{"a":1,"vigil":{"seq":1}}'],
    ['an array', '[1]'],
    ['trailing bytes', '{"a":1}x'],
    ['a truncated object', '{"a":1'],
    ['a raw newline', '{"a":"x\ny"}'],
  ])('rejects %s', (_what, s) => {
    expect(isCanonical(s)).toBe(false);
    expect(check(s)).toMatch(/at byte \d+|not a JSON object/);
  });

  it('sorts names by UTF-16 code units, as canonicalJson does', () => {
    // U+FFFD sorts after U+1F600 in UTF-16 (0xfffd > 0xd83d) but before it in UTF-8 and code points.
    const keys = { '\u{1F600}': 1, '\uFFFD': 2, a: 3, ab: 4, 'a!': 5, é: 6 };
    const s = canonicalJson(keys);
    expect(check(s)).toBeUndefined();
    const swapped = `{${Object.keys(keys).sort().reverse().map((k) => `${JSON.stringify(k)}:1`).join(',')}}`;
    expect(check(swapped)).toMatch(/not sorted/);
  });

  it('agrees with canonicalJson(JSON.parse(s)) === s on arbitrary JSON, canonical or not', () => {
    const objects = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue(), { maxKeys: 6 });
    fc.assert(
      fc.property(objects, fc.boolean(), (o, pretty) => {
        const s = pretty ? JSON.stringify(o, null, 1) : Math.random() < 0.5 ? canonicalJson(o) : JSON.stringify(o);
        expect(check(s) === undefined).toBe(isCanonical(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('hashBlock', () => {
  const docs = prepared(2048).map((e) => docOf(e));
  const lines = (seqs: number[], texts = docs) => Buffer.from(seqs.map((s, i) => `${s} ${texts[i]}`).join('\n'));
  const all = Array.from({ length: 2048 }, (_, i) => 4096 + i);

  it('gives a complete block its perfect subtree in stored order', () => {
    const r = hashBlock({ buf: lines(all), start: 4096, size: 2048, rows: 2048, subtree: true, canonicalEvery: 1 });
    const want = appendStored(CompactRange.empty(), docs.map((d) => hashLeaf(Buffer.from(d))));
    expect(r.kind).toBe('subtree');
    expect(Buffer.from((r as { hashes: Uint8Array }).hashes)).toEqual(want);
  });

  it('gives the leaves of a block with gaps, and names its first non-canonical document', () => {
    const texts = [...docs];
    texts[7] = texts[7].replace('{"', '{ "');
    const seqs = all.filter((s) => s % 3 !== 0);
    const r = hashBlock({ buf: lines(seqs, texts), start: 4096, size: 2048, rows: seqs.length, subtree: true, canonicalEvery: 1 });
    expect(r.kind).toBe('leaves');
    if (r.kind !== 'leaves') return;
    expect([...r.seqs]).toEqual(seqs);
    expect(Buffer.from(r.hashes.subarray(7 * 32, 8 * 32))).toEqual(hashLeaf(Buffer.from(texts[7])));
    expect(r.nonCanonical).toMatchObject({ seq: seqs[7], why: 'not a member name at byte 1' });
    // sampled: only seqs that are multiples of canonicalEvery are checked
    const sampled = hashBlock({ buf: lines(seqs, texts), start: 4096, size: 2048, rows: seqs.length, subtree: true, canonicalEvery: 64 });
    expect((sampled as { nonCanonical?: unknown }).nonCanonical).toBeUndefined();
  });

  it.each([
    ['a doubled seq', [...all.slice(0, 10), 4105, ...all.slice(11)], 2048],
    ['seqs out of order', [4097, 4096, ...all.slice(2)], 2048],
    ['a seq outside the block', [...all.slice(0, 2047), 6144], 2048],
  ])('leaves the rows to the caller for %s', (_what, seqs, rows) => {
    expect(hashBlock({ buf: lines(seqs), start: 4096, size: 2048, rows, subtree: true, canonicalEvery: 1 }).kind).toBe('unframed');
  });

  it('leaves the rows to the caller when a document holds a newline, even one that looks like the next row', () => {
    const texts = [...docs];
    texts[5] = `${texts[5]}\n4102 ${texts[6]}`; // the row at 4101 swallowed the next one
    texts.splice(6, 1);
    const seqs = all.filter((s) => s !== 4102);
    expect(hashBlock({ buf: lines(seqs, texts), start: 4096, size: 2048, rows: 2047, subtree: true, canonicalEvery: 1 }).kind).toBe('unframed');
  });
});

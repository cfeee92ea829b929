import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalWriter, canonicalJson } from './canonical.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and writes no whitespace', () => {
    // RFC 8785 §3.2.3 sorting example
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // Object.keys would put "1" first (integer-like keys), so read the order off the text.
    const out = canonicalJson(input);
    const positions = ['"\\r"', '"1"', '"\u0080"', '"\u00f6"', '"\u20ac"', '"\ud83d\ude00"', '"\ufb33"'].map((k) => out.indexOf(`${k}:`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
  it('serializes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 333333333.33333329, 4.5, 2e-3, 1e30])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333,4.5,0.002,1e+30]',
    );
  });
  it('matches the RFC 8785 §3.2.4 example', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });
  it('writes documents deeper than the call stack without recursion', () => {
    // A store may hold such a document from before ingest bounded nesting; verifiers re-canonicalize it.
    const depth = 100_000;
    const text = `{"a":${'{"b":['.repeat(depth)}1${']}'.repeat(depth)}}`;
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: Infinity })).toThrow(/non-finite/);
  });
  it('agrees with a plain recursive JCS over any JSON value, and round-trips', () => {
    // The straightforward reading of RFC 8785: every string and key through JSON.stringify.
    const reference = (v: unknown): string => {
      if (v === null || typeof v !== 'object') return JSON.stringify(v);
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
      const o = v as Record<string, unknown>;
      return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(text).toBe(reference(v));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
    const tricky = { 'a"b': 'quote " and \\ backslash', ctl: '\u0001\n', lone: '\ud800', pair: '\ud83d\ude00', '10': 1, '9': 2 };
    expect(canonicalJson(tricky)).toBe(reference(tricky));
    // Short strings are copied a character at a time, long ones natively: both paths, around the switch.
    const tails = ['', '"', '\\', '\u0001', '\u007f', 'é', '\ud800', '\ud83d\ude00', '\u2028'];
    const strings = [23, 24, 25, 300].flatMap((n) => tails.map((t) => 'a'.repeat(n - t.length) + t));
    expect(canonicalJson(strings)).toBe(reference(strings));
    expect(canonicalJson(Object.fromEntries(strings.map((s) => [s, s])))).toBe(reference(Object.fromEntries(strings.map((s) => [s, s]))));
  });
  it('writes raw strings as their UTF-8, on both sides of the short-string switch', () => {
    const w = new CanonicalWriter(8);
    const tails = ['', 'a', '"', '\\', '\u0001', '\u007f', '\u0080', 'é', '\ud800', '\ud83d\ude00', '\u2028'];
    for (const n of [0, 1, 23, 24, 25, 300]) {
      for (const t of tails) {
        const s = 'a'.repeat(Math.max(0, n - t.length)) + t;
        const at = w.pos;
        w.raw(s);
        expect(w.buf.subarray(at, w.pos)).toEqual(Buffer.from(s, 'utf8'));
      }
    }
  });
});

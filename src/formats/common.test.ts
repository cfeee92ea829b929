import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalIPv6, clean, epochToRfc3339, hasKey, ipOf, JsonDocAssembler, rfc3339, splitUrl, utcSeconds,
} from './common.js';
import { FormatError } from './format.js';

describe('clean', () => {
  it('drops "", null, [] and objects that end up empty; keeps 0, false and array positions', () => {
    const v = { a: '', b: null, c: [], d: { e: '', f: { g: null } }, h: 0, i: false, j: ['', null, { k: '' }, []], l: 'x' };
    expect(clean(v)).toEqual({ h: 0, i: false, j: ['', null, {}, []], l: 'x' });
    expect(clean({ a: '', b: { c: [] } })).toBeUndefined();
    expect(clean('')).toBeUndefined();
    expect(clean([])).toBeUndefined();
  });
  it('is copy-on-write: unchanged values come back as the same object, the input is not modified', () => {
    const same = { a: 1, b: { c: 'x' }, d: [1, { e: 2 }] };
    expect(clean(same)).toBe(same);
    const input = { a: 1, b: '', c: { d: '' } };
    const snapshot = JSON.stringify(input);
    expect(clean(input)).toEqual({ a: 1 });
    expect(JSON.stringify(input)).toBe(snapshot);
  });
  it('keeps a __proto__ member as an own property', () => {
    const v = JSON.parse('{"__proto__":{"x":1},"a":""}') as object;
    const out = clean(v) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1}}');
  });
  it('rejects absurd nesting with a FormatError instead of exhausting the stack', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`) as unknown;
    expect(() => clean(deep)).toThrow(FormatError);
  });
});

describe('time', () => {
  it('keeps every fraction digit, converts offsets to Z exactly', () => {
    expect(rfc3339('2022-12-02T21:37:03.657277582Z', 't')).toBe('2022-12-02T21:37:03.657277582Z');
    expect(rfc3339('2022-12-06T14:37:40.942762Z', 't')).toBe('2022-12-06T14:37:40.942762Z');
    expect(rfc3339('2025-01-01T01:30:00.123456789+02:00', 't')).toBe('2024-12-31T23:30:00.123456789Z');
    expect(rfc3339('2025-01-01T00:00:00-05:30', 't')).toBe('2025-01-01T05:30:00Z');
    expect(rfc3339('2025-01-01 10:00:00.5z', 't')).toBe('2025-01-01T10:00:00.5Z');
  });
  it('rejects what is not RFC 3339, and conversions that would be stored wrong', () => {
    for (const bad of ['2025-13-01T00:00:00Z', '2025-01-01T00:00:00', '2025-01-01T00:00:00.1234567890Z', 'yesterday', '0050-06-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00']) {
      expect(() => rfc3339(bad, 'time'), bad).toThrow(FormatError);
    }
    try {
      rfc3339('nope', 'time');
    } catch (err) {
      expect((err as FormatError).path).toBe('time');
    }
  });
  it('converts EngFlow epoch strings with integer arithmetic, digits as given', () => {
    expect(epochToRfc3339('1766435832.671421000', 'ts')).toBe('2025-12-22T20:37:12.671421000Z');
    expect(epochToRfc3339('1763812800.104233871', 'ts')).toBe('2025-11-22T12:00:00.104233871Z');
    expect(epochToRfc3339('1763812806.000400000', 'ts')).toBe('2025-11-22T12:00:06.000400000Z');
    expect(epochToRfc3339('1763812806.5', 'ts')).toBe('2025-11-22T12:00:06.5Z');
    expect(epochToRfc3339('0', 'ts')).toBe('1970-01-01T00:00:00Z');
    expect(epochToRfc3339('2025-01-01T00:00:00Z', 'ts')).toBeUndefined();
    expect(epochToRfc3339('1.1234567890', 'ts')).toBeUndefined();
    expect(() => epochToRfc3339('253402300800', 'ts')).toThrow(FormatError);
  });
  it('utcSeconds agrees with Date for every second it can write', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (s) => {
        expect(utcSeconds(s)).toBe(new Date(s * 1000).toISOString().slice(0, 19));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('IPs and URLs', () => {
  it('writes IPv6 in RFC 5952 form', () => {
    const cases: Record<string, string> = {
      '2001:DB8:0:0:0:0:0:1': '2001:db8::1',
      '2001:0db8:0000:0000:0001:0000:0000:0001': '2001:db8::1:0:0:1',
      '2001:db8:0:1:1:1:1:1': '2001:db8:0:1:1:1:1:1',
      '::': '::',
      '::1': '::1',
      '1::': '1::',
      '::ffff:10.0.0.1': '::ffff:10.0.0.1',
      '::FFFF:10.0.0.1': '::ffff:10.0.0.1',
      'fe80::1%eth0': 'fe80::1%eth0',
      '2001:db8:42::7': '2001:db8:42::7',
      '1:0:0:2:0:0:0:3': '1:0:0:2::3',
    };
    for (const [input, want] of Object.entries(cases)) expect(canonicalIPv6(input), input).toBe(want);
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const c = canonicalIPv6(ip);
        expect(ipOf(c)).toBe(c);
        expect(canonicalIPv6(c)).toBe(c);
        expect(c).toBe(c.toLowerCase());
      }),
    );
  });
  it('ipOf accepts IPv4 and IPv6 only', () => {
    expect(ipOf('203.0.113.9')).toBe('203.0.113.9');
    expect(ipOf('2001:DB8::1')).toBe('2001:db8::1');
    for (const bad of ['', 'localhost', '1.2.3.4.5', '01.2.3.4', '10.0.0.1:80', '[::1]']) expect(ipOf(bad), bad).toBeUndefined();
  });
  it('splits a request target into path and query', () => {
    expect(splitUrl('/api/v1/namespaces/default/pods?watch=true')).toEqual({
      original: '/api/v1/namespaces/default/pods?watch=true', path: '/api/v1/namespaces/default/pods', query: 'watch=true',
    });
    expect(splitUrl('/readyz')).toEqual({ original: '/readyz', path: '/readyz' });
    expect(splitUrl('/x?')).toEqual({ original: '/x?', path: '/x' });
    expect(splitUrl('?a=1')).toEqual({ original: '?a=1', query: 'a=1' });
  });
});

describe('line reading', () => {
  it('hasKey finds member names but not escaped copies inside strings', () => {
    expect(hasKey('{"verb":"get"}', 'verb')).toBe(true);
    expect(hasKey('{"verb" : "get"}', 'verb')).toBe(true);
    expect(hasKey('{"description":"{\\"verb\\":\\"get\\"}"}', 'verb')).toBe(false);
  });
  it('assembles a pretty-printed document, brackets inside strings do not count', () => {
    const doc = new JsonDocAssembler();
    expect(JsonDocAssembler.starts('  {  ')).toBe(true);
    expect(JsonDocAssembler.starts('{"a":1}')).toBe(false);
    const lines = ['{', '  "a": "}{ \\" ]",', '  "b": [1, {"c": 2}]', '}'];
    const out = lines.map((l, i) => doc.push(l, { line: i + 1, offset: 0 }));
    expect(out.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(JSON.parse(out[3]!)).toEqual({ a: '}{ " ]', b: [1, { c: 2 }] });
  });
});

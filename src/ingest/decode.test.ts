import { describe, expect, it } from 'vitest';
import { decodeBody } from './decode.js';

describe('decodeBody', () => {
  it('reads NDJSON with line numbers and byte offsets, skipping blank lines', () => {
    const body = Buffer.from('{"a":1}\r\n\n  \n{"b":"é"}\n{bad\n');
    const decoded = decodeBody(body, 1024);
    const records = [...decoded.records];
    const errors = decoded.errors; // filled as the records are read
    expect(records.map((r) => [r.line, r.offset, r.value])).toEqual([[1, 0, { a: 1 }], [4, 13, { b: "é" }]]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 5, offset: 24, text: '{bad' });
    expect(errors[0].reason).toMatch(/^invalid JSON/);
  });
  it('reads a JSON array', () => {
    const { records, errors } = decodeBody(Buffer.from(' [{"a":1},{"b":2}]'), 1024);
    expect(errors).toEqual([]);
    expect([...records].map((r) => r.line)).toEqual([1, 2]);
  });
  it('rejects records over the size limit and invalid UTF-8, keeping the rest', () => {
    const body = Buffer.concat([Buffer.from(`{"x":"${'a'.repeat(100)}"}\n`), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a]), Buffer.from('{"ok":true}')]);
    const decoded = decodeBody(body, 50);
    const records = [...decoded.records];
    const errors = decoded.errors;
    expect(records.map((r) => r.value)).toEqual([{ ok: true }]);
    expect(errors.map((e) => [e.line, e.reason])).toEqual([
      [1, 'record of 108 bytes exceeds the limit of 50 bytes'],
      [2, 'invalid UTF-8'],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { contentId } from '../model/event-id.js';
import type { AuditEvent } from '../model/event.js';
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
      [2, 'invalid UTF-8 at byte 111'],
    ]);
  });
  it('derives the ids of records without event.id as contentId does, across blocks of lines', () => {
    const lines = Array.from({ length: 150 }, (_, i) =>
      i % 3 === 0 ? JSON.stringify({ event: { id: `given-${i}` }, n: i })
      : i % 3 === 1 ? JSON.stringify({ message: `café ${i} \u2028 😀`, event: { action: 'x' } })
      : JSON.stringify({ n: i }),
    );
    lines.push('{"event":5}', '[1,2]');
    const body = Buffer.from(lines.join('\r\n'));
    const records = [...decodeBody(body, 1 << 20).records];
    expect(records).toHaveLength(152);
    for (const r of records) {
      const event = (r.value as { event?: { id?: string } }).event;
      if (typeof event === 'object' && event !== null && event.id === undefined || event === undefined && !Array.isArray(r.value)) {
        expect(r.derivedId).toBe(contentId(r.value as AuditEvent, r.text));
      } else {
        expect(r.derivedId).toBeUndefined();
      }
    }
    expect(records.filter((r) => r.derivedId).length).toBe(100);
  });
});

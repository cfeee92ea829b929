import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import type { AuditEvent } from './event.js';
import { docOf, ingestedAt, prepareEvent } from './prepare.js';
import { validateEvent } from './validate.js';

const INGESTED = ingestedAt(1_800_000_000_123_456_789n);
const LATER = ingestedAt(1_800_000_000_123_456_799n);
const base = (): AuditEvent => ({
  '@timestamp': '2025-11-22T12:00:00.104233871Z',
  event: { action: 'sign-in', category: ['authentication'], outcome: 'success', dataset: 'app.audit' },
  user: { email: 'alice@example.com', roles: ['admin'] },
  source: { ip: '2001:db8::7' },
  user_agent: { original: 'curl/8.4.0' },
});

describe('validateEvent', () => {
  it('accepts a well-formed event and keeps unknown fields', () => {
    expect(validateEvent({ ...base(), custom: { nested: [1, 2] } })).toEqual([]);
  });
  it('names the field and the reason', () => {
    expect(validateEvent({ '@timestamp': '2025-11-22T12:00:00Z', event: { outcome: 'ok', category: 'auth' } })).toEqual([
      { path: 'event.category', reason: 'must be array' },
      { path: 'event.outcome', reason: 'must be one of "success", "failure", "unknown"' },
    ]);
    expect(validateEvent({ event: {} })).toEqual([{ path: '@timestamp', reason: 'is required' }]);
    expect(validateEvent({ '@timestamp': '2025-11-22', source: { port: 70000 } })).toEqual([
      { path: 'source.port', reason: 'must be <= 65535' },
      { path: '@timestamp', reason: 'is not an RFC 3339 timestamp: "2025-11-22"' },
    ]);
    expect(validateEvent({ '@timestamp': '2025-11-22T12:00:00Z', related: { ip: ['1.2.3.4', 5] } })).toEqual([
      { path: 'related.ip[1]', reason: 'must be string' },
    ]);
    expect(validateEvent([1])).toEqual([{ path: '', reason: 'an event must be a JSON object' }]);
  });
});

describe('prepareEvent', () => {
  it('fills defaults, summary, related fields and typed columns', () => {
    const p = prepareEvent(base(), INGESTED);
    const doc = JSON.parse(docOf(p)) as AuditEvent;
    expect(p.ts).toBe(1763812800104233871n);
    expect(doc.event).toMatchObject({ kind: 'event', ingested: '2027-01-15T08:00:00.123456789Z' });
    expect(doc.message).toBe('alice@example.com sign-in (success)');
    expect(doc.related).toEqual({ ip: ['2001:db8::7'], user: ['alice@example.com'] });
    expect(p).toMatchObject({ dataset: 'app.audit', category: ['authentication'], action: 'sign-in', outcome: 'success', userEmail: 'alice@example.com', sourceIp: '2001:db8::7', userName: null });
  });
  it('defaults the outcome to unknown and keeps a given message', () => {
    const e: AuditEvent = { '@timestamp': '2025-11-22T12:00:00Z', message: 'hello' };
    const doc = JSON.parse(docOf(prepareEvent(e, INGESTED))) as AuditEvent;
    expect(doc.event?.outcome).toBe('unknown');
    expect(doc.message).toBe('hello');
  });
  it('derives a stable id from the record as received, whatever the ingest time', () => {
    const text = JSON.stringify(base());
    const a = prepareEvent(JSON.parse(text), INGESTED, text).id;
    expect(prepareEvent(JSON.parse(text), LATER, text).id).toBe(a);
    expect(prepareEvent(base(), INGESTED).id).toBe(a); // without the text: its serialization
    const changed = base();
    changed.event!.outcome = 'failure';
    expect(prepareEvent(changed, INGESTED).id).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
  });
  it('stores the canonical (RFC 8785) serialization and leaves out an incoming vigil object', () => {
    const e = { ...base(), vigil: { seq: 7, leaf_hash: '00' }, zeta: 1, alpha: { b: 2, a: 1 } } as AuditEvent;
    const p = prepareEvent(e, INGESTED);
    expect(docOf(p)).toBe(canonicalJson(e)); // e was completed in place
    expect(docOf(p).startsWith('{"@timestamp":')).toBe(true);
    expect(docOf(p)).toContain('"alpha":{"a":1,"b":2}');
    expect(docOf(p)).not.toContain('"vigil"');
    expect(e.vigil).toBeUndefined();
  });
  it('keeps a given event.id', () => {
    const e = base();
    e.event!.id = 'abc-123';
    expect(prepareEvent(e, INGESTED).id).toBe('abc-123');
  });
});

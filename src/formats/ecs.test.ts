import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../model/event.js';
import { ecsFormat } from './ecs.js';
import { FormatError } from './format.js';
import { eventProblems } from '../bench/formats/fuzz.js';

type Doc = AuditEvent & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function one(record: unknown, keepOriginal = true): Doc {
  const line = typeof record === 'string' ? record : JSON.stringify(record);
  const out = ecsFormat.createDecoder({ keepOriginal }).push(line, { line: 1, offset: 0 });
  expect(out).toHaveLength(1);
  expect(eventProblems(out[0].event, true)).toEqual([]);
  return out[0].event as Doc;
}
function rejects(record: unknown): FormatError {
  try {
    one(record);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('ecs: passthrough', () => {
  it('every normalized golden document passes through unchanged', () => {
    const dir = new URL('./testdata/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.expected.ndjson'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      for (const line of readFileSync(new URL(f, dir), 'utf8').split('\n').filter(Boolean)) {
        expect(one(line)).toEqual(JSON.parse(line));
      }
    }
  });
  it('fills what is missing: ecs.version, kind, outcome, module/dataset, original, message, related', () => {
    const line = '{"@timestamp":"2025-01-01T01:00:00.000001+01:00","user":{"name":"ann","id":"7"},"source":{"ip":"2001:DB8::1"},"related":{"user":["ann","ann"]}}';
    const e = one(line);
    expect(e['@timestamp']).toBe('2025-01-01T00:00:00.000001Z');
    expect(e.ecs).toEqual({ version: '8.11.0' });
    expect(e.event).toEqual({ kind: 'event', outcome: 'unknown', module: 'ecs', dataset: 'ecs.event', original: line });
    expect(e.message).toBe('ann event (unknown)');
    expect(e.source?.ip).toBe('2001:db8::1');
    expect(e.related).toEqual({ ip: ['2001:db8::1'], user: ['ann', '7'] });
  });
  it('keeps what is given: its own original, kind, module; derives a missing dataset or module from the other', () => {
    const e = one({ '@timestamp': '2025-01-01T00:00:00Z', ecs: { version: '8.17.0' }, event: { kind: 'alert', module: 'falco', original: 'raw' }, message: 'm' });
    expect(e.event).toMatchObject({ kind: 'alert', module: 'falco', dataset: 'falco.event', original: 'raw' });
    expect(e.ecs?.version).toBe('8.17.0');
    expect(e.message).toBe('m');
    expect(one({ '@timestamp': '2025-01-01T00:00:00Z', event: { dataset: 'okta.system' } }).event?.module).toBe('okta');
  });
  it('drops empty values and Vigil read-side bookkeeping', () => {
    const e = one({ '@timestamp': '2025-01-01T00:00:00Z', vigil: { seq: 3 }, user: { name: '', email: null }, tags: [], labels: {} });
    expect(Object.keys(e)).toEqual(['@timestamp', 'ecs', 'event', 'message']);
  });
  it('keepOriginal: false adds no event.original', () => {
    expect(one({ '@timestamp': '2025-01-01T00:00:00Z' }, false).event).not.toHaveProperty('original');
  });
});

describe('ecs: rejected documents name the field', () => {
  it.each([
    [{}, '@timestamp'],
    [{ '@timestamp': 1 }, '@timestamp'],
    [{ '@timestamp': '2025-01-01' }, '@timestamp'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', event: { outcome: 'ok' } }, 'event.outcome'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', event: { category: ['web', 'bogus'] } }, 'event.category[1]'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', event: { type: ['stop'] } }, 'event.type[0]'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', event: { category: 'web' } }, 'event.category'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', event: { kind: 'pipeline_error' } }, 'event.kind'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', event: 'x' }, 'event'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', http: { response: { status_code: '200' } } }, 'http.response.status_code'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', source: { ip: 'gateway' } }, 'source.ip'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', related: { ip: ['10.0.0.1', 'x'] } }, 'related.ip[1]'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', related: { user: ['a', 5] } }, 'related.user[1]'],
  ])('%j → %s', (record, path) => {
    expect(rejects(record).path).toBe(path);
  });
  it('bad JSON', () => {
    expect(rejects('{"@timestamp":').message).toMatch(/invalid JSON/);
  });
});

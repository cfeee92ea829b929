import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing/server.js';
import { ERROR_CODES } from './errors.js';

describe('error answers', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer({ 'server.max_body_bytes': '1KiB' });
  });
  afterAll(() => s.stop());

  const body = async (res: Response) => ({ status: res.status, body: (await res.json()) as { error: string; message: string } });

  it("answers Vigil's routes with a catalogue code whose status matches", async () => {
    const cases = [
      await body(await s.call('/api/v1/nope')),
      await body(await s.call('/api/v1/proof/inclusion?seq=x')),
      await body(await s.call('/api/v1/checkpoint')),
      await body(await s.call('/api/v1/export?format=xml')),
      await body(await s.call('/api/v1/events', { method: 'POST', body: 'x'.repeat(4096), headers: { 'content-type': 'application/x-ndjson' } })),
      await body(await s.call('/api/v1/events', { method: 'POST', body: '{}', headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'br' } })),
      await body(await s.call('/api/v1/query?query=%7B', {})),
      await body(await fetch(`${s.url}/api/v1/query?query=%7B%7D`)),
    ];
    expect(cases.map((c) => [c.status, c.body.error])).toEqual([
      [404, 'not_found'],
      [400, 'bad_request'],
      [404, 'not_found'],
      [400, 'bad_request'],
      [413, 'payload_too_large'],
      [415, 'unsupported_media_type'],
      [400, 'bad_query'],
      [401, 'unauthorized'],
    ]);
    for (const c of cases) {
      expect(ERROR_CODES[c.body.error as keyof typeof ERROR_CODES].status).toBe(c.status);
      expect(c.body.message).toEqual(expect.any(String));
    }
  });

  it('answers a duplicate token name with conflict', async () => {
    const create = () => s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'twice', scopes: ['read'] }) });
    expect((await create()).status).toBe(201);
    expect(await body(await create())).toMatchObject({ status: 409, body: { error: 'conflict' } });
  });

  it('keeps Loki’s own bodies on Loki paths', async () => {
    const res = await s.call('/loki/api/v1/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 page not found\n');
    const bad = await s.call('/loki/api/v1/query_range?query=%7B');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});

describe('the error catalogue', () => {
  it('is listed whole in docs/http-api.md', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/http-api.md', import.meta.url), 'utf8');
    for (const [code, { status }] of Object.entries(ERROR_CODES)) expect(doc).toContain(`| \`${code}\` | ${status} |`);
  });
});

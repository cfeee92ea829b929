import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../testing/events.js';
import { testServer, type TestServer } from '../testing/server.js';

const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const post = (s: TestServer, body: string | Buffer, headers: Record<string, string> = {}, query = '') =>
  s.call(`/api/v1/events${query}`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', ...headers } });
const query = async (s: TestServer, q: string, extra = '') => {
  const res = await s.call(`/api/v1/query?query=${encodeURIComponent(q)}&since=3650d&limit=1000${extra}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: { vigil: { seq: number }; event: { dataset: string } }[] }).events;
};

describe('HTTP API', () => {
  let s: TestServer;
  let readToken: string;
  let ingestToken: string;
  beforeAll(async () => {
    s = await testServer({ 'server.max_body_bytes': '64KiB' });
    const mk = async (scopes: string[]) =>
      ((await (await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: scopes.join(), scopes }) })).json()) as { token: string }).token;
    readToken = await mk(['read']);
    ingestToken = await mk(['ingest']);
  });
  afterAll(() => s.stop());

  it('answers health probes without a token', async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${s.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('requires a token (401) with the right scope (403)', async () => {
    expect((await post(s, ndjson([sampleEvent(1)]), { authorization: '' })).status).toBe(401);
    expect((await post(s, ndjson([sampleEvent(1)]), { authorization: 'Bearer vgl_deadbeef_nonsense-nonsense' })).status).toBe(401);
    expect((await post(s, ndjson([sampleEvent(1)]), { authorization: `Bearer ${readToken}` })).status).toBe(403);
    expect((await s.call('/api/v1/query?query={dataset="x"}', { headers: { authorization: `Bearer ${ingestToken}` } })).status).toBe(403);
    expect((await s.call('/api/v1/tokens', { headers: { authorization: `Bearer ${readToken}` } })).status).toBe(403);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/no/such/route`)).status).toBe(401);
    const basic = Buffer.from(`vigil:${readToken}`).toString('base64');
    expect((await s.call('/api/v1/query?query={dataset="x"}', { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
  });

  it('stores a batch and acknowledges it with the count', async () => {
    const res = await post(s, ndjson([0, 1, 2].map((i) => ({ ...sampleEvent(i), labels: { batch: 'first' } }))), { authorization: `Bearer ${ingestToken}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 3 });
    const got = await query(s, '{dataset=~".+"} |= "\\"batch\\":\\"first\\""', '&direction=forward');
    expect(got.map((e) => e.vigil.seq)).toHaveLength(3);
  });

  it('accepts a JSON array and gzip bodies', async () => {
    const arr = JSON.stringify([{ ...sampleEvent(5), labels: { batch: 'array' } }]);
    expect(await (await post(s, arr, { 'content-type': 'application/json' })).json()).toEqual({ accepted: 1 });
    const gz = gzipSync(ndjson([{ ...sampleEvent(6), labels: { batch: 'gzip' } }]));
    expect(await (await post(s, gz, { 'content-encoding': 'gzip' })).json()).toEqual({ accepted: 1 });
    expect(await query(s, '{dataset=~".+"} |~ "array|gzip"')).toHaveLength(2);
  });

  it('rejects a bad batch whole with one error per bad line, and dead-letters the bad lines', async () => {
    const lines = [JSON.stringify(sampleEvent(10)), '{"@timestamp":"nope"}', JSON.stringify(sampleEvent(11)), '{broken'];
    const res = await post(s, lines.join('\n'));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { accepted: number; errors: { line: number; path: string; reason: string }[] };
    expect(body.accepted).toBe(0);
    expect(body.errors.map((e) => [e.line, e.path])).toEqual([[2, '@timestamp'], [4, '']]);
    expect(body.errors[1].reason).toMatch(/invalid JSON/);
    expect(await query(s, '{dataset=~".+"} |= "req-10\\""')).toHaveLength(0);
    const dl = readdirSync(join(s.dataDir, 'rejected'));
    const entries = readFileSync(join(s.dataDir, 'rejected', dl[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries.map((e) => e.original)).toContain('{broken');
  });

  it('stores the good lines when asked for partial acceptance', async () => {
    const lines = [JSON.stringify({ ...sampleEvent(20), labels: { batch: 'partial' } }), '{"@timestamp":"nope"}'];
    const res = await post(s, lines.join('\n'), {}, '?partial=true');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 1 });
    expect(await query(s, '{dataset=~".+"} |= "partial"')).toHaveLength(1);
  });

  it('answers a resent Idempotency-Key with the original result without storing twice', async () => {
    const body = ndjson([1, 2].map((i) => ({ ...sampleEvent(i), labels: { batch: 'idem' } })));
    const first = await post(s, body, { 'idempotency-key': 'batch-42' });
    const again = await Promise.all([post(s, body, { 'idempotency-key': 'batch-42' }), post(s, body, { 'idempotency-key': 'batch-42' })]);
    expect(await first.json()).toEqual({ accepted: 2 });
    for (const r of again) expect(await r.json()).toEqual({ accepted: 2 });
    expect(await query(s, '{dataset=~".+"} |= "idem"')).toHaveLength(2);
    // The same key with another body is refused, not answered with the first body's result (issue 19 item 9).
    const other = await post(s, Buffer.from('{not json\n'), { 'idempotency-key': 'batch-42' });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: string }).error).toBe('idempotency_key_reused');
  });

  it('refuses bodies over the limit with 413, also after decompression', async () => {
    const big = ndjson(Array.from({ length: 200 }, (_, i) => sampleEvent(i)));
    expect((await post(s, big)).status).toBe(413);
    expect((await post(s, gzipSync(big), { 'content-encoding': 'gzip' })).status).toBe(413);
  });

  it('reports bad queries as 400 with a position', async () => {
    const res = await s.call(`/api/v1/query?query=${encodeURIComponent('{dataset="x"')}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^parse error at line 1, col \d+/);
    const empty = await s.call(`/api/v1/query?query=${encodeURIComponent('{dataset=~".*"}')}`);
    expect(empty.status).toBe(400);
  });

  it('audits every read in the vigil.access dataset', async () => {
    await query(s, '{outcome="failure"}');
    const access = (await query(s, '{dataset="vigil.access", action="query"}', '&direction=backward')) as unknown as {
      user: { name: string }; access: { query: string; results: number }; source: { ip: string }; user_agent?: { original: string };
    }[];
    const mine = access.find((a) => a.access.query === '{outcome="failure"}')!;
    expect(mine.user.name).toMatch(/^admin-/);
    expect(mine.source.ip).toBe('127.0.0.1');
    expect(typeof mine.access.results).toBe('number');
    const creations = await query(s, '{dataset="vigil.access", action="token-create"}');
    expect(creations.length).toBeGreaterThanOrEqual(2);
  });

  it('exports Prometheus metrics', async () => {
    const text = await (await s.call('/metrics')).text();
    expect(text).toMatch(/vigil_events_accepted_total\{source="api.events"\} \d+/);
    expect(text).toMatch(/vigil_events_rejected_total\{source="api.events"\} \d+/);
    expect(text).toContain('vigil_commit_duration_seconds_bucket');
    expect(text).toContain('vigil_commit_batch_events_bucket');
    expect(text).toMatch(/vigil_store_size_bytes \d+/);
  });
});

describe('category exclusion', () => {
  it('drops excluded categories before storage and counts them', async () => {
    const s = await testServer({ exclude_categories: ['auth', 'iam'] });
    // sampleEvent: i % 6 in {0,1} authentication, 2 iam, 3..5 file
    const res = await post(s, ndjson(Array.from({ length: 12 }, (_, i) => sampleEvent(i))));
    expect(await res.json()).toEqual({ accepted: 6, excluded: 6 });
    const stored = (await query(s, '{dataset=~"app.audit|gdch.proxy"}')) as unknown as { event: { category: string[] } }[];
    expect(stored.map((e) => e.event.category[0])).toEqual(Array(6).fill('file'));
    const metrics = await (await s.call('/metrics')).text();
    expect(metrics).toContain('vigil_events_excluded_total{category="authentication"} 4');
    expect(metrics).toContain('vigil_events_excluded_total{category="iam"} 2');
    // token changes (category iam) are still audited
    await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'x', scopes: ['read'] }) });
    expect(await query(s, '{dataset="vigil.access", action="token-create"}')).toHaveLength(1);
    await s.stop();
  });
  it('counts exclusions only in batches that are stored', async () => {
    const s = await testServer({ exclude_categories: ['auth'] });
    // The bad line comes after the decoder's first block of 64 lines.
    const body = `${ndjson([sampleEvent(0), ...Array.from({ length: 70 }, () => sampleEvent(3))])}{bad\n`;
    expect((await post(s, body)).status).toBe(400);
    expect(await (await s.call('/metrics')).text()).not.toContain('vigil_events_excluded_total{category="authentication"}');
    expect(await (await post(s, body, {}, '?partial=true')).json()).toMatchObject({ accepted: 70, excluded: 1, rejected: 1 });
    expect(await (await s.call('/metrics')).text()).toContain('vigil_events_excluded_total{category="authentication"} 1');
    await s.stop();
  });
  it('refuses to start with an unknown category, listing the valid ones', async () => {
    await expect(testServer({ exclude_categories: ['secrets'] })).rejects.toThrow(/unknown category "secrets"; valid: auth, api, authentication/);
  });
});

describe('server config', () => {
  it('refuses auth none off loopback', async () => {
    await expect(testServer({ 'server.auth': 'none', 'server.host': '0.0.0.0' })).rejects.toThrow(/only allowed when listening on loopback/);
  });
  it('serves without tokens on loopback with auth none', async () => {
    const s = await testServer({ 'server.auth': 'none' });
    expect((await fetch(`${s.url}/api/v1/query?query=${encodeURIComponent('{dataset="x"}')}`)).status).toBe(200);
    await s.stop();
  });
});

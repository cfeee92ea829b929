/**
 * Issue 19 items 5 and 10: every read attempt that reaches a route is audited
 * with its outcome, parameters that do not parse included; rejected
 * credentials are audited once per source and window with a count; a
 * repeated parameter is a 400 naming it on Vigil's routes, and Loki's routes
 * take its first value as Loki does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sampleEvent, tempDir } from '../testing/events.js';
import { testServer, type TestServer } from '../testing/server.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

interface Access {
  event: { action: string; outcome: string; reason?: string };
  access: { route: string; query?: string; count?: number };
  source?: { ip: string };
  http?: { response: { status_code: number } };
  user: { name: string };
}

async function ingest(server: TestServer, n: number): Promise<void> {
  const body = Array.from({ length: n }, (_, i) => JSON.stringify(sampleEvent(i))).join('\n');
  expect((await server.call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })).status).toBe(200);
}

async function accessRecords(server: TestServer): Promise<Access[]> {
  const res = await server.call(`/api/v1/query?${new URLSearchParams({ query: '{dataset="vigil.access"}', since: '1h', limit: '1000' })}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: Access[] }).events;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('repeated parameters', () => {
  it("are a 400 naming the parameter on Vigil's routes", async () => {
    s = await testServer();
    const q = await s.call('/api/v1/query?query=%7Bdataset%3D%22a%22%7D&query=%7Bdataset%3D%22b%22%7D');
    expect(q.status).toBe(400);
    expect(await q.json()).toEqual({ error: 'bad_request', message: 'query: given 2 times; give it once' });
    const e = await s.call('/api/v1/export?query=%7Bdataset%3D%22a%22%7D&from=2025-01-01T00:00:00Z&from=2025-02-01T00:00:00Z');
    expect(e.status).toBe(400);
    expect(((await e.json()) as { message: string }).message).toMatch(/^from: given 2 times/);
  });

  it("take the first value on Loki's routes, the form body's before the query string's", async () => {
    s = await testServer();
    await ingest(s, 4);
    const good = encodeURIComponent('{dataset="app.audit"}');
    const range = 'start=1763812800&end=1763812900';
    const first = await s.call(`/loki/api/v1/query_range?query=${good}&query=%7B&${range}`);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { data: { result: { values: unknown[] }[] } }).data.result.flatMap((r) => r.values)).toHaveLength(2);
    const broken = await s.call(`/loki/api/v1/query_range?query=%7B&query=${good}&${range}`);
    expect(broken.status).toBe(400);
    const post = await s.call(`/loki/api/v1/query_range?query=%7B&${range}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${good}`,
    });
    expect(post.status).toBe(200);
  });
});

describe('the access audit', () => {
  it('records reads refused for their parameters as failures', async () => {
    s = await testServer();
    const attempts = [
      s.call('/loki/api/v1/query_range?query=%7Bdataset%3D'),
      s.call('/loki/api/v1/query_range?query=%7Bdataset%3D%22a%22%7D&step=abc'),
      s.call('/loki/api/v1/query_range', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }),
      s.call('/loki/api/v1/query?query=%7Bdataset%3D%22a%22%7D&limit=-1'),
      s.call('/loki/api/v1/index/volume?query=%7Bdataset%3D%22a%22%7D&start=nonsense'),
      s.call('/loki/api/v1/tail?query=%7B'),
      s.call('/api/v1/export?format=xml'),
      s.call('/api/v1/query?query=%7B'),
      s.call('/api/v1/log/entries?start=x'),
    ];
    const statuses = await Promise.all(attempts.map(async (a) => (await a).status));
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400]);
    const failures = (await accessRecords(s)).filter((r) => r.event.outcome === 'failure');
    expect(failures.map((r) => r.access.route).sort()).toEqual(
      [
        '/api/v1/export',
        '/api/v1/log/entries',
        '/api/v1/query',
        '/loki/api/v1/index/volume',
        '/loki/api/v1/query',
        '/loki/api/v1/query_range',
        '/loki/api/v1/query_range',
        '/loki/api/v1/query_range',
        '/loki/api/v1/tail',
      ].sort(),
    );
    expect(failures.find((r) => r.access.route === '/api/v1/export')?.event.reason).toMatch(/^format: one of/);
    for (const r of failures) expect(r.event.reason).toEqual(expect.any(String));
  });

  it('records rejected credentials once per source and status with a count, however many attempts', async () => {
    const dir = tempDir();
    s = await testServer({}, dir);
    const created = await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'sender', scopes: ['ingest'] }) });
    const ingestToken = ((await created.json()) as { token: string }).token;
    const denied = [
      ...Array.from({ length: 150 }, () => s!.call('/api/v1/query?query=%7B%7D', bearer('vgl_00000000_notavalidsecretatall'))),
      ...Array.from({ length: 5 }, () => fetch(`${s!.url}/loki/api/v1/labels`)),
      ...Array.from({ length: 3 }, () => s!.call('/api/v1/export', bearer(ingestToken))),
    ];
    const statuses = await Promise.all(denied.map(async (d) => (await d).status));
    expect(statuses.filter((c) => c === 401)).toHaveLength(155);
    expect(statuses.filter((c) => c === 403)).toHaveLength(3);
    await s.stop(); // writes what the window counted
    s = await testServer({}, dir);
    const records = (await accessRecords(s)).filter((r) => r.event.action === 'auth-denied');
    expect(records).toHaveLength(2);
    const unauthorized = records.find((r) => r.http?.response.status_code === 401)!;
    expect(unauthorized).toMatchObject({ event: { outcome: 'failure' }, source: { ip: '127.0.0.1' }, access: { count: 155 }, user: { name: 'unauthenticated' } });
    expect(unauthorized.access.route.split(',').sort()).toEqual(['/api/v1/query', '/loki/api/v1/labels']);
    const forbidden = records.find((r) => r.http?.response.status_code === 403)!;
    expect(forbidden).toMatchObject({ event: { outcome: 'failure', reason: 'this route needs a token with scope read' }, access: { count: 3, route: '/api/v1/export' }, user: { name: 'sender' } });
  });
});

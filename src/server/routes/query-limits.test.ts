/**
 * Issue 19, items 1 and 2 over HTTP: a query past query.timeout is answered
 * 504 (Loki's text on Loki routes, query_timeout on Vigil's), one refused by
 * the query queue 429 (Loki's text, too_many_queries with Retry-After).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../../testing/events.js';
import { getText, testServer, type TestServer } from '../../testing/server.js';

const T0 = 1_767_225_600n * 1_000_000_000n;
const N = 20_000;
const FROM = T0 / 1_000_000_000n;
const HEAVY = encodeURIComponent('sum by (user_name) (count_over_time({dataset=~".+"} | json [1s]))');
const LOKI_TIMEOUT = 'request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed';

async function fill(s: TestServer): Promise<void> {
  const body = Array.from({ length: N }, (_, i) => JSON.stringify(sampleEvent(i, T0))).join('\n');
  const r = await s.call('/api/v1/events', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
  expect(r.status).toBe(200);
}

describe('a query past query.timeout', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer({ 'query.timeout': '1ms' });
    await fill(s);
  });
  afterAll(() => s.stop());

  it("is answered 504 with Loki's text on the Loki routes", async () => {
    const r = await getText(s, `/loki/api/v1/query_range?query=${HEAVY}&start=${FROM}&end=${FROM + 20n}&step=1`);
    expect(r.status).toBe(504);
    expect(r.type).toContain('text/plain');
    expect(r.text).toBe(LOKI_TIMEOUT);
  });

  it('is answered 504 query_timeout on /api/v1/query', async () => {
    const r = await getText(s, `/api/v1/query?query=${encodeURIComponent('{dataset=~".+"} |= "no such text"')}&from=0&to=${2n ** 62n}`);
    expect(r.status).toBe(504);
    expect(r.json()).toEqual({ error: 'query_timeout', message: `query cancelled after query.timeout: ${LOKI_TIMEOUT}` });
  });

  it('leaves the server answering health checks and ingest', async () => {
    expect((await s.call('/healthz')).status).toBe(200);
    const r = await s.call('/api/v1/events', { method: 'POST', body: JSON.stringify(sampleEvent(N, T0)), headers: { 'content-type': 'application/x-ndjson' } });
    expect(r.status).toBe(200);
  });
});

describe('queries beyond query.max_concurrent', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer({ 'query.max_concurrent': 1, 'query.max_queue_wait': '0s' });
    await fill(s);
  });
  afterAll(() => s.stop());

  it("are refused 429 with Loki's text on the Loki routes, the admitted one answers", async () => {
    const path = `/loki/api/v1/query_range?query=${HEAVY}&start=${FROM}&end=${FROM + 20n}&step=1`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => s.call(path)));
    const statuses = answers.map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.text()).toBe('too many outstanding requests');
  });

  it('are refused 429 too_many_queries with Retry-After on /api/v1/query', async () => {
    const heavy = s.call(`/loki/api/v1/query_range?query=${HEAVY}&start=${FROM}&end=${FROM + 20n}&step=1`);
    const answers = await Promise.all(Array.from({ length: 5 }, () => s.call(`/api/v1/query?query=${encodeURIComponent('{dataset=~".+"} |= "no such text"')}&from=0&to=${2n ** 62n}`)));
    expect((await heavy).status).toBe(200);
    const refused = answers.find((r) => r.status === 429);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(await refused?.json()).toEqual({ error: 'too_many_queries', message: 'too many queries are running; retry after Retry-After' });
  });
});

/**
 * What every ingest route refuses (issue 19, items 4 and 7): nesting deeper
 * than MAX_NESTING, numbers past a double's range, and the reserved `vigil.*`
 * datasets, each answered with the field path, counted and dead-lettered.
 * The Kubernetes webhook answers 200 naming the rejected items (the API
 * server retries anything else forever); the other routes answer 400.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NESTING } from '../model/limits.js';
import { testServer, type TestServer } from '../testing/server.js';

const ts = () => new Date(Date.now() - 1000).toISOString();
const nest = (n: number, leaf: string, open: string, close: string) => open.repeat(n) + leaf + close.repeat(n);
const deepObject = nest(10_000, '1', '{"a":', '}');
const deepArray = nest(100_000, '1', '[', ']');
const k8sItem = (extra: string) =>
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"id-${Math.random()}","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/pods","user":{"username":"alice"},"requestReceivedTimestamp":"${ts()}","stageTimestamp":"${ts()}"${extra}}`;
const eventList = (...items: string[]) => `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${items.join(',')}]}`;
const lokiPush = (labels: string, line: string) => `{"streams":[{"stream":${labels},"values":[["${Date.now()}000000",${JSON.stringify(line)}]]}]}`;

describe('ingest limits on every route', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer();
  });
  afterAll(() => s.stop());
  const post = (path: string, body: string, type = 'application/json') => s.call(path, { method: 'POST', body, headers: { 'content-type': type } });
  const deadLetters = () => {
    const dir = join(s.dataDir, 'rejected');
    return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as { source: string; path: string; reason: string; original: string });
  };
  const rejectedMetric = async (source: string) => {
    const text = await (await s.call('/metrics')).text();
    return Number(new RegExp(`vigil_events_rejected_total\\{source="${source.replace('.', '\\.')}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  it('/api/v1/events: 400 with the field path for a 10,000-deep object, a 100,000-deep array and 1e400', async () => {
    const before = await rejectedMetric('api.events');
    for (const [value, path, reason] of [
      [deepObject, `x${'.a'.repeat(MAX_NESTING - 1)}`, /nested deeper than 128/],
      [deepArray, `x${'[0]'.repeat(MAX_NESTING - 1)}`, /nested deeper than 128/],
      ['{"n":[1,1e400]}', 'x.n[1]', /outside the range of a double/],
    ] as const) {
      const line = `{"@timestamp":"${ts()}","x":${value}}`;
      for (const type of ['application/x-ndjson', 'application/json']) {
        const res = await post('/api/v1/events', type === 'application/json' ? `[${line}]` : line, type);
        expect(res.status).toBe(400);
        const body = (await res.json()) as { errors: { path: string; reason: string }[] };
        expect(body.errors[0].path).toBe(path);
        expect(body.errors[0].reason).toMatch(reason);
      }
      expect(deadLetters().some((d) => d.source === 'api.events' && d.path === path && d.original.includes(value.slice(0, 50)))).toBe(true);
    }
    expect(await rejectedMetric('api.events')).toBe(before + 6);
  });

  it('/api/v1/k8s/audit: 200 naming the refused items (never a retry loop), the valid ones stored', async () => {
    const res = await post('/api/v1/k8s/audit', eventList(k8sItem(`,"requestObject":${deepArray}`), k8sItem(',"requestObject":{"a":1e400}'), k8sItem('')));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: number; errors: { path: string; reason: string }[] };
    expect(body).toMatchObject({ accepted: 1, rejected: 2 });
    expect(body.errors[0].path).toBe(`items[0].requestObject${'[0]'.repeat(MAX_NESTING - 1)}`);
    expect(body.errors[1]).toMatchObject({ path: 'items[1].requestObject.a', reason: expect.stringMatching(/outside the range/) });
    expect(deadLetters().filter((d) => d.source === 'api.k8s-audit')).toHaveLength(2);
  });

  it('/loki/api/v1/push: 400 in Loki text naming the entry and the field', async () => {
    const res = await post('/loki/api/v1/push', lokiPush('{"job":"app"}', `{"@timestamp":"${ts()}","message":"m","x":{"y":1e400}}`));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/entry 1: app\.x\.y: is a number outside the range of a double/);
  });

  it('refuses the reserved vigil.* datasets: ECS event.dataset, a Loki dataset label, labels.dataset', async () => {
    const ecs = await post('/api/v1/events', `{"@timestamp":"${ts()}","event":{"dataset":"vigil.access","action":"read"}}`, 'application/x-ndjson');
    expect(ecs.status).toBe(400);
    expect(((await ecs.json()) as { errors: { path: string }[] }).errors[0].path).toBe('event.dataset');
    const labelled = await post('/api/v1/events', `{"@timestamp":"${ts()}","labels":{"dataset":"vigil.access"}}`, 'application/x-ndjson');
    expect(((await labelled.json()) as { errors: { path: string }[] }).errors[0].path).toBe('labels.dataset');
    const loki = await post('/loki/api/v1/push', lokiPush('{"dataset":"vigil.access"}', 'GET /api/v1/query 200'));
    expect(loki.status).toBe(400);
    expect(await loki.text()).toMatch(/entry 1: labels\.dataset: "vigil\.access" is reserved/);
    expect(deadLetters().filter((d) => /is reserved/.test(d.reason)).length).toBe(3);
    // Nothing of a vigil.* dataset is stored but the server's own access records.
    const q = await (await s.call(`/api/v1/query?query=${encodeURIComponent('{dataset=~"vigil.*"}')}&since=1h&limit=1000`)).json() as { events: { event: { action?: string; provider?: string } }[] };
    expect(q.events.every((e) => e.event.provider === 'vigil')).toBe(true);
  });
});

/** The Loki read API against a running server: Loki's shapes, numbers and errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getText, testServer, type TestServer } from '../../testing/server.js';
import { formatSampleValue } from './loki-marshal.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, seconds
const event = (sec: number, outcome: string, user: string) => ({
  '@timestamp': new Date((T0 + sec) * 1000).toISOString(),
  event: { action: 'sign-in', category: ['authentication'], outcome, dataset: 'app.audit' },
  user: { name: user },
});

describe('Loki read API', () => {
  let s: TestServer;
  const get = (path: string) => getText(s, path);
  beforeAll(async () => {
    s = await testServer();
    const body = [event(10, 'failure', 'alice'), event(70, 'success', 'bob'), event(130, 'failure', 'alice')].map((e) => JSON.stringify(e)).join('\n');
    expect((await s.call('/api/v1/events', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(200);
  });
  afterAll(() => s.stop());

  it("answers Grafana's health check: an instant vector(1)+vector(1) (10 digits: seconds, as Loki reads it)", async () => {
    const r = await get('/loki/api/v1/query?query=vector(1)%2Bvector(1)&time=4000000000&direction=backward');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [4000000000, '2'] }] } });
  });

  it('returns streams with ns timestamps as strings, newest first', async () => {
    const q = encodeURIComponent('{dataset="app.audit"} |= "alice"');
    const r = await get(`/loki/api/v1/query_range?query=${q}&start=${T0}&end=${T0 + 300}&limit=10`);
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.data.resultType).toBe('streams');
    const values = body.data.result.flatMap((s: { values: [string, string][] }) => s.values);
    expect(values.map((v: [string, string]) => v[0])).toEqual([`${T0 + 130}000000000`, `${T0 + 10}000000000`]);
    expect(body.data.result[0].stream).toMatchObject({ dataset: 'app.audit', outcome: 'failure', detected_level: 'error' });
    expect(typeof body.data.stats.summary.execTime).toBe('number');
  });

  it('returns a step-aligned matrix for the log-volume histogram query', async () => {
    const q = encodeURIComponent('sum by (level, detected_level) (count_over_time({dataset="app.audit"} | drop __error__ [1m]))');
    const r = await get(`/loki/api/v1/query_range?query=${q}&start=${T0 + 1}&end=${T0 + 179}&step=60`);
    expect(r.status).toBe(200);
    expect(r.json().data).toMatchObject({
      resultType: 'matrix',
      result: [
        { metric: { detected_level: 'error' }, values: [[T0 + 60, '1'], [T0 + 180, '1']] },
        { metric: { detected_level: 'info' }, values: [[T0 + 120, '1']] },
      ],
    });
  });

  it('answers labels, label values, series and index stats', async () => {
    const range = `start=${T0}&end=${T0 + 300}`;
    expect((await get(`/loki/api/v1/labels?${range}`)).json().data).toEqual(expect.arrayContaining(['action', 'dataset', 'detected_level', 'outcome']));
    expect((await get(`/loki/api/v1/label/outcome/values?${range}`)).json()).toEqual({ status: 'success', data: ['failure', 'success'] });
    expect((await get(`/loki/api/v1/labels?start=1&end=2`)).json()).toEqual({ status: 'success' });
    const series = (await get(`/loki/api/v1/series?match[]=${encodeURIComponent('{outcome="success"}')}&${range}`)).json();
    expect(series.data).toHaveLength(1);
    expect(series.data[0]).toMatchObject({ outcome: 'success' });
    const stats = (await get(`/loki/api/v1/index/stats?query=${encodeURIComponent('{dataset="app.audit"}')}&${range}`)).json();
    expect(stats).toMatchObject({ entries: 3 });
    expect(Object.keys(stats).sort()).toEqual(['bytes', 'chunks', 'entries', 'streams']);
  });

  it('rejects bad requests with Loki messages as text/plain 400', async () => {
    const cases: [string, string][] = [
      ['/loki/api/v1/query_range?query=%7Bfoo%3D%22bar%22', 'parse error at line 1, col 11'],
      ['/loki/api/v1/query?query=%7Bdataset%3D%22x%22%7D', 'log queries are not supported as an instant query type'],
      ['/loki/api/v1/query_range?query=%7Bdataset%3D%22x%22%7D&direction=sideways', "invalid direction 'sideways'"],
      ['/loki/api/v1/query_range?query=%7Bdataset%3D%22x%22%7D&limit=0', 'limit must be a positive value'],
      [`/loki/api/v1/query_range?query=count_over_time(%7Bdataset%3D%22x%22%7D%5B1m%5D)&start=${T0}&end=${T0 + 86400}&step=1`, 'exceeded maximum resolution of 11,000 points'],
    ];
    for (const [path, msg] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.type).toContain('text/plain');
      expect(r.text).toContain(msg);
    }
  });

  it('answers /ready and buildinfo', async () => {
    expect(await (await fetch(`${s.url}/ready`)).text()).toBe('ready');
    expect((await get('/loki/api/v1/status/buildinfo')).json()).toHaveProperty('version');
  });

  it('writes sample values like Go FormatFloat', () => {
    expect(formatSampleValue(1 / 60)).toBe('0.016666666666666666');
    expect(formatSampleValue(2977364016)).toBe('2977364016');
    expect(formatSampleValue(1e21)).toBe('1000000000000000000000');
    expect(formatSampleValue(1e-7)).toBe('0.0000001');
    expect(formatSampleValue(NaN)).toBe('NaN');
  });
});

describe('Loki read API: selectors on pushed labels that clash with derived ones', () => {
  let s: TestServer;
  const ns = (sec: number) => `${T0 + sec}000000000`;
  const read = async (query: string) => {
    const res = await s.call(`/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${T0}&end=${T0 + 300}&direction=forward&limit=100`);
    expect(res.status, query).toBe(200);
    const body = (await res.json()) as { data: { resultType: string; result: { stream: Record<string, string>; values: [string, string][]; metric: Record<string, string> }[] } };
    return body.data;
  };
  const lines = async (query: string) => (await read(query)).result.flatMap((r) => r.values).sort(([a], [b]) => (a < b ? -1 : 1)).map((v) => v[1]);
  const ecsLine = (sec: number, host: string) =>
    JSON.stringify({ '@timestamp': new Date((T0 + sec) * 1000).toISOString(), event: { action: 'sign-in', dataset: 'app.audit' }, host: { name: host } });

  beforeAll(async () => {
    s = await testServer();
    const body = JSON.stringify({
      streams: [
        // pushed host/namespace with no host.name / orchestrator.namespace in the event (a plain line)
        { stream: { job: 'j', host: 'h1', namespace: 'ns-pushed' }, values: [[ns(1), 'plain line one']] },
        // a pushed host that differs from the event's host.name
        { stream: { job: 'j', host: 'h1', namespace: 'ns-pushed' }, values: [[ns(2), ecsLine(2, 'h-event')]] },
        // no pushed host: the derived one is the label
        { stream: { job: 'j' }, values: [[ns(3), ecsLine(3, 'h1')]] },
        // pushed host h2 over an event whose host.name is h1
        { stream: { job: 'j', host: 'h2' }, values: [[ns(4), ecsLine(4, 'h1')]] },
      ],
    });
    const res = await s.call('/loki/api/v1/push', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(204);
  });
  afterAll(() => s.stop());

  it('matches the label value each entry is returned with: the pushed one, else the derived one', async () => {
    const h1 = await read('{host="h1"}');
    expect(h1.result.every((r) => r.stream.host === 'h1')).toBe(true);
    expect(h1.result.flatMap((r) => r.values).map((v) => v[0]).sort()).toEqual([ns(1), ns(2), ns(3)]);
    expect(await lines('{host="h-event"}')).toEqual([]);
    expect((await read('{host="h2"}')).result.map((r) => r.stream.host)).toEqual(['h2']);
    expect(await lines('{namespace="ns-pushed"}')).toEqual(['plain line one', ecsLine(2, 'h-event')]);
    expect(await lines('{action="sign-in", namespace=""}')).toEqual([ecsLine(3, 'h1'), ecsLine(4, 'h1')]);
    expect(await lines('{job="j", host!="h1"}')).toEqual([ecsLine(4, 'h1')]);
    expect(await lines('{job="j"} | host=~"h[12]" |= "plain"')).toEqual(['plain line one']);
  });

  it('groups metric queries by the same values', async () => {
    const r = await read('sum by (host) (count_over_time({job="j"}[5m]))');
    expect(r.resultType).toBe('matrix');
    const totals = Object.fromEntries(r.result.map((x) => [x.metric.host, x.values.at(-1)![1]]));
    expect(totals).toEqual({ h1: '3', h2: '1' });
  });
});

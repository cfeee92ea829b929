/**
 * Issue 19 item 3: huge or deeply nested query text is answered 400 with a
 * parse error (Loki's plain text on Loki routes, the catalogue's bad_query on
 * /api/v1/query) instead of 500 "Maximum call stack size exceeded", and the
 * deepest queries that pass run through every walker (validate, plan, eval).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../../testing/server.js';

const T0 = 1_767_225_600;
const repeat = (n: number, item: (i: number) => string, sep: string) => Array.from({ length: n }, (_, i) => item(i)).join(sep);
const TOO_BIG = /^parse error at line 1, col \d+: syntax error: query (longer than 65536 characters|nested more than 256 levels deep)$/;

describe('query limits on the HTTP routes', () => {
  let s: TestServer;
  // POST form bodies, as Grafana sends long queries (a GET URL over 16 KiB is refused by Node before any route).
  const post = async (path: string, query: string, extra: Record<string, string> = {}) => {
    const res = await s.call(path, { method: 'POST', body: new URLSearchParams({ query, start: String(T0), end: String(T0 + 300), step: '60', ...extra }) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  beforeAll(async () => {
    s = await testServer();
    const ns = (sec: number) => `${T0 + sec}000000000`;
    const body = JSON.stringify({ streams: [{ stream: { job: 'deep' }, values: [[ns(1), '{"x0":"v","n":"1"}'], [ns(2), '{"x1":"w","n":"2"}']] }] });
    expect((await s.call('/loki/api/v1/push', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(204);
  });
  afterAll(() => s.stop());

  it('answers 20,000 nested sum(, 5,000 chained or and 2,000 matchers with a Loki parse error, 400 text/plain', async () => {
    const hostile = [
      `${'sum('.repeat(20_000)}count_over_time({job="deep"}[1m])${')'.repeat(20_000)}`,
      repeat(5_000, () => 'count_over_time({job="deep"}[1m])', ' or '),
      `{${repeat(2_000, (i) => `l${i}="v"`, ',')}}`,
    ];
    for (const q of hostile) {
      for (const path of ['/loki/api/v1/query_range', '/loki/api/v1/query']) {
        const r = await post(path, q);
        expect(r.status, `${path} ${q.slice(0, 40)}`).toBe(400);
        expect(r.type).toContain('text/plain');
        expect(r.text).toMatch(TOO_BIG);
      }
    }
  });

  it("answers /api/v1/query with the catalogue's bad_query", async () => {
    // GET only: inputs that fit a URL but nest too deeply
    for (const q of [`${'('.repeat(300)}{job="deep"}${')'.repeat(300)}`, repeat(300, () => 'vector(1)', ' or '), `{${repeat(300, (i) => `l${i}="v"`, ',')}}`]) {
      const res = await s.call(`/api/v1/query?query=${encodeURIComponent(q)}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('bad_query');
      expect(body.message).toMatch(TOO_BIG);
    }
  });

  it('evaluates the deepest queries that pass', async () => {
    const ok = async (q: string) => {
      const r = await post('/loki/api/v1/query_range', q);
      expect(r.status, `${q.slice(0, 60)}: ${r.text.slice(0, 200)}`).toBe(200);
      return JSON.parse(r.text) as { data: { result: { values: [unknown, string][] }[] } };
    };
    const nested = await ok(`${'sum('.repeat(120)}count_over_time({job="deep"}[5m])${')'.repeat(120)}`);
    expect(nested.data.result[0].values.at(-1)![1]).toBe('2');
    await ok(`${'('.repeat(250)}vector(1)${')'.repeat(250)}`);
    const pow = await ok(repeat(80, () => 'vector(1)', ' ^ '));
    expect(pow.data.result[0].values[0][1]).toBe('1');
    await ok(`${'label_replace('.repeat(120)}vector(1)${', "a", "$1", "b", "(.*)")'.repeat(120)}`);
    const filtered = await ok(`{job="deep"} | json | ${repeat(240, (i) => `x${i}="v"`, ' or ')}`);
    expect(filtered.data.result.flatMap((r) => r.values)).toHaveLength(1);
    const stages = await ok(`{job="deep"}${' | json'.repeat(250)}`);
    expect(stages.data.result.flatMap((r) => r.values)).toHaveLength(2);
    await ok(`{job="deep", ${repeat(240, (i) => `l${i}!="v"`, ',')}}`);
  });
});

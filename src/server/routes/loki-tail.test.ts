/** GET /loki/api/v1/tail over a real WebSocket: backlog, following, filters, auth, audit, errors, closing, dropped entries. */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowNs } from '../../model/time.js';
import { parseLogQL } from '../../query/logql/build.js';
import type { LogSelector } from '../../query/logql/ast.js';
import { testServer, type TestServer } from '../../testing/server.js';
import { lokiTailMessage } from './loki-marshal.js';
import { parseTailParams } from './loki-tail.js';
import { LokiTailer } from './loki-tailer.js';

type Stream = { stream: Record<string, string>; values: [string, string][] };
type Message = { streams: Stream[]; dropped_entries?: { timestamp: string; labels: Record<string, string> }[] };

const SEC = 1_000_000_000n;
const q = (s: string) => encodeURIComponent(s);

/** A tail client that records every message and how it ended. */
function tail(s: TestServer, params: string, headers: Record<string, string> = { authorization: `Bearer ${s.adminToken}` }) {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/loki/api/v1/tail?${params}`, { headers });
  const messages: Message[] = [];
  let notify = () => {};
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Message);
    notify();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const refused = new Promise<{ status: number; body: string }>((resolve) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const entries = () => messages.flatMap((m) => m.streams.flatMap((st) => st.values.map(([ts, line]) => ({ ts, line, labels: st.stream }))));
  /** Waits until an entry with this line has arrived. */
  const waitFor = (line: string, ms = 10_000) =>
    new Promise<{ ts: string; line: string; labels: Record<string, string> }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(line)} within ${ms} ms; got ${JSON.stringify(entries())}`)), ms);
      const check = () => {
        const e = entries().find((x) => x.line === line);
        if (e) {
          clearTimeout(timer);
          resolve(e);
        } else notify = check;
      };
      check();
    });
  return { ws, messages, opened, refused, closed, entries, waitFor };
}

describe('GET /loki/api/v1/tail', () => {
  let s: TestServer;
  const push = async (stream: Record<string, string>, values: [bigint, string][], token = s.adminToken) => {
    const body = JSON.stringify({ streams: [{ stream, values: values.map(([t, l]) => [t.toString(), l]) }] });
    const res = await s.call('/loki/api/v1/push', { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    expect(res.status).toBe(204);
  };
  const token = async (scopes: string[]) =>
    ((await (await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: `tail-${scopes.join()}`, scopes }) })).json()) as { token: string }).token;
  const t0 = nowNs();

  beforeAll(async () => {
    s = await testServer();
    await push({ app: 'tailtest', env: 'prod' }, [[t0 - 120n * SEC, 'keep old 1'], [t0 - 60n * SEC, 'skip old'], [t0 - 30n * SEC, 'keep old 2']]);
  });
  afterAll(() => s.stop());

  it('sends the backlog, then follows new lines with their labels and ns timestamps; the filter applies', async () => {
    const query = '{app="tailtest"} |= "keep"';
    const c = tail(s, `query=${q(query)}&limit=10`);
    await c.opened;
    await c.waitFor('keep old 2');
    expect(c.entries().map((e) => e.line)).toEqual(['keep old 1', 'keep old 2']);
    expect(c.entries()[0].ts).toBe((t0 - 120n * SEC).toString());
    expect(c.messages[0].dropped_entries).toBeUndefined();

    const t1 = nowNs();
    await push({ app: 'tailtest', env: 'prod' }, [[t1, 'skip new']]);
    await push({ app: 'tailtest', env: 'dev' }, [[t1 + 1n, 'keep new'], [t1 + 2n, 'keep also']]);
    await push({ app: 'other' }, [[t1 + 3n, 'keep but other app']]);
    await push({ app: 'tailtest', env: 'dev' }, [[t1 + 4n, 'keep last']]);
    const got = await c.waitFor('keep last');
    expect(got.ts).toBe((t1 + 4n).toString());
    expect(c.entries().map((e) => e.line)).toEqual(['keep old 1', 'keep old 2', 'keep new', 'keep also', 'keep last']);

    // exactly the line and labels query_range gives for the same entry
    const range = await (await s.call(`/loki/api/v1/query_range?query=${q(query)}&start=${t0 - 3600n * SEC}&end=${t1 + SEC}&limit=100`)).json() as { data: { result: Stream[] } };
    const fromRange = range.data.result.find((st) => st.values.some(([, l]) => l === 'keep new'))!;
    const fromTail = c.entries().find((e) => e.line === 'keep new')!;
    expect(fromTail.labels).toEqual(fromRange.stream);
    expect(fromTail.labels).toMatchObject({ app: 'tailtest', env: 'dev', dataset: 'generic.log' });
    expect(fromTail.ts).toBe((t1 + 1n).toString());

    c.ws.close(1000);
    expect((await c.closed).code).toBe(1000);
    for (let i = 0; i < 50 && s.app.websocketServer.clients.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.app.websocketServer.clients.size).toBe(0);
  });

  it('honours limit and start: the newest entries since start, oldest first', async () => {
    const c = tail(s, `query=${q('{app="tailtest", env="prod"}')}&limit=2&start=${t0 - 90n * SEC}`);
    await c.waitFor('skip new');
    expect(c.entries().map((e) => e.line)).toEqual(['keep old 2', 'skip new']);
    const d = tail(s, `query=${q('{app="tailtest", env="prod"}')}&limit=10&start=${t0 - 90n * SEC}`);
    await d.waitFor('skip new');
    expect(d.entries().map((e) => e.line)).toEqual(['skip old', 'keep old 2', 'skip new']);
    c.ws.close();
    d.ws.close();
  });

  it('needs a token with scope read (basic auth with the token as password works), and audits the read', async () => {
    const none = tail(s, `query=${q('{app="tailtest"}')}`, {});
    expect((await none.refused).status).toBe(401);
    const ingest = await token(['ingest']);
    expect((await tail(s, `query=${q('{app="tailtest"}')}`, { authorization: `Bearer ${ingest}` }).refused).status).toBe(403);

    const read = await token(['read']);
    const basic = `Basic ${Buffer.from(`grafana:${read}`).toString('base64')}`;
    const query = '{app="tailtest"} |= "old"';
    const c = tail(s, `query=${q(query)}`, { authorization: basic });
    await c.waitFor('keep old 2');
    c.ws.close();
    const res = await s.call(`/api/v1/query?query=${q('{dataset="vigil.access", action="query"}')}&limit=1000`);
    const access = ((await res.json()) as { events: { user: { name: string }; access: { route: string; query: string; results: number } }[] }).events;
    const mine = access.find((a) => a.access.route === '/loki/api/v1/tail' && a.access.query === query);
    expect(mine).toMatchObject({ user: { name: 'tail-read' }, access: { results: 3 } });
  });

  it('refuses bad parameters with 400 before the upgrade, and a metric query with close code 1011', async () => {
    const bad = tail(s, `query=${q('{app="tailtest"}')}&delay_for=6`);
    expect(await bad.refused).toEqual({ status: 400, body: "delay_for can't be greater than 5" });
    const parse = tail(s, `query=${q('{app="tailtest"')}`);
    expect((await parse.refused).body).toMatch(/^parse error at line 1, col/);
    const plain = await s.call(`/loki/api/v1/tail?query=${q('{app="tailtest"}')}`);
    expect(plain.status).toBe(400);

    const metric = tail(s, `query=${q('count_over_time({app="tailtest"}[5m])')}`);
    expect(await metric.closed).toEqual({ code: 1011, reason: 'only log selector is supported' });
  });

  it('holds lines back for delay_for seconds', async () => {
    const c = tail(s, `query=${q('{app="delayed"}')}&delay_for=1`);
    await c.opened;
    const pushed = Date.now();
    await push({ app: 'delayed' }, [[nowNs(), 'late']]);
    await c.waitFor('late');
    expect(Date.now() - pushed).toBeGreaterThanOrEqual(900);
    c.ws.close();
  });

  it('closes tails with 1001 on shutdown without hanging', async () => {
    const other = await testServer();
    const c = tail(other, `query=${q('{app="x"}')}`);
    await c.opened;
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await c.closed).code).toBe(1001);
  });
});

describe('LokiTailer', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer();
  });
  afterAll(() => s.stop());

  it('drops entries a stalled client cannot take and reports them in the next message (polling for commits)', async () => {
    const t0 = nowNs() - 600n * SEC;
    const values = Array.from({ length: 1500 }, (_, i) => [(t0 + BigInt(i)).toString(), `line ${i}`]);
    const push = (body: unknown) => s.call('/loki/api/v1/push', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect((await push({ streams: [{ stream: { app: 'burst' }, values }] })).status).toBe(204);

    let release = () => {};
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const sent: Message[] = [];
    const query = '{app="burst"}';
    const tailer = new LokiTailer({
      store: s.store,
      query,
      expr: parseLogQL(query) as LogSelector,
      view: 'original',
      limit: 1500,
      startNs: t0 - SEC,
      delayNs: 0n,
      pollMs: 20,
      slowClientMs: 100,
      send: async (m) => {
        await stalled;
        sent.push(JSON.parse(m) as Message);
      },
    });
    expect(await tailer.backlog()).toBe(1500);
    tailer.follow();
    await new Promise((r) => setTimeout(r, 400));
    release();
    expect((await push({ streams: [{ stream: { app: 'burst' }, values: [[nowNs().toString(), 'after']] }] })).status).toBe(204);
    for (let i = 0; i < 200 && !sent.some((m) => m.dropped_entries); i++) await new Promise((r) => setTimeout(r, 20));
    await tailer.stop();

    expect(tailer.counts).toEqual({ sent: 1001, dropped: 500 });
    const lines = sent.flatMap((m) => m.streams.flatMap((st) => st.values.map((v) => v[1])));
    expect(lines.slice(0, 1000)).toEqual(values.slice(0, 1000).map((v) => v[1]));
    const last = sent[sent.length - 1];
    expect(last.streams[0].values.map((v) => v[1])).toEqual(['after']);
    expect(last.dropped_entries).toHaveLength(500);
    expect(last.dropped_entries![0]).toEqual({ timestamp: values[1000][0], labels: expect.objectContaining({ app: 'burst' }) });
  });
});

describe('tail parameters and messages', () => {
  it('parses like Loki', () => {
    const now = 10_000n * SEC;
    const p = parseTailParams({ query: '{app="a"}' }, 'original', now);
    expect(p).toMatchObject({ limit: 100, startNs: now - 3600n * SEC, delayNs: 0n, view: 'original' });
    expect(parseTailParams({ query: '{app="a"}', start: '1767225600', delay_for: '5', limit: '7', line: 'ecs' }, 'original', now))
      .toMatchObject({ startNs: 1_767_225_600n * SEC, delayNs: 5n * SEC, limit: 7, view: 'ecs' });
    expect(() => parseTailParams({ query: '{app="a"}', delay_for: '-1' }, 'original')).toThrow("delay_for can't be greater than 5");
    expect(() => parseTailParams({ query: '{app="a"}', delay_for: 'x' }, 'original')).toThrow('strconv.Atoi: parsing "x": invalid syntax');
    expect(() => parseTailParams({ query: '{app="a"}', limit: '0' }, 'original')).toThrow('limit must be a positive value');
  });

  it("writes Loki's shape: dropped_entries only when there are some", () => {
    const labels = { app: 'a' };
    expect(lokiTailMessage([{ labels, ts: 1n, line: 'x' }, { labels, ts: 2n, line: 'y' }])).toBe('{"streams":[{"stream":{"app":"a"},"values":[["1","x"],["2","y"]]}]}');
    expect(JSON.parse(lokiTailMessage([], [{ labels, ts: 5n }]))).toEqual({ streams: [], dropped_entries: [{ timestamp: '5', labels }] });
  });
});

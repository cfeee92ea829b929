/** vigil query --explain, metric queries (local store and --server), and tail's new-event bookkeeping. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testServer, type TestServer } from '../../testing/server.js';
import { buildProgram } from '../main.js';
import { newEvents } from './tail.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z
const event = (sec: number, outcome: string, user: string) => ({
  '@timestamp': new Date((T0 + sec) * 1000).toISOString(),
  event: { action: 'sign-in', category: ['authentication'], outcome, dataset: 'app.audit' },
  user: { name: user },
});

async function vigil(args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'vigil', ...args]);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return out.join('');
}

describe('vigil query --explain', () => {
  it('prints the plan and the SQL without a store', async () => {
    const text = await vigil(['query', '--explain', '{dataset="app.audit"} |= "alice" | json | user_name="alice"', '--from', String(T0), '--to', String(T0 + 60), '--data', '/nonexistent']);
    expect(text).toContain('%1 = scan events (ecs line) where {dataset="app.audit"} and line |= "alice"');
    expect(text).toContain('SQL (duckdb):');
    expect(text).toMatch(/\[1\] SELECT .* FROM events WHERE ts >= \d+ AND ts < \d+ AND coalesce\(dataset, ''\) = 'app.audit' AND contains\(doc, 'alice'\) ORDER BY ts DESC/);
    const metric = await vigil(['query', '--explain', 'sum by (action) (count_over_time({dataset="app"}[5m]))', '--since', '24h', '--step', '5m']);
    expect(metric).toMatch(/count_over_time \[5m\] in buckets of 5m by \(action\)/);
    expect(metric).toMatch(/\[1\] SELECT action AS g1, .* count\(\*\) AS n, .* GROUP BY g1, bucket/);
  });
});

describe('vigil query with a metric query', () => {
  let s: TestServer;
  const range = ['--from', new Date(T0 * 1000).toISOString(), '--to', new Date((T0 + 180) * 1000).toISOString(), '--step', '1m'];
  const q = 'sum by (outcome) (count_over_time({dataset="app.audit"}[1m]))';
  const expected = [
    { metric: { outcome: 'failure' }, time: '2026-01-01T00:01:00.000Z', value: 1 },
    { metric: { outcome: 'failure' }, time: '2026-01-01T00:03:00.000Z', value: 1 },
    { metric: { outcome: 'success' }, time: '2026-01-01T00:02:00.000Z', value: 1 },
  ];
  beforeAll(async () => {
    s = await testServer();
    const body = [event(10, 'failure', 'alice'), event(70, 'success', 'bob'), event(130, 'failure', 'alice')].map((e) => JSON.stringify(e)).join('\n');
    expect((await s.call('/api/v1/events', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(200);
  });
  afterAll(() => s.stop());

  it('evaluates it on the server (--server) and prints points', async () => {
    const out = await vigil(['query', q, ...range, '-o', 'ndjson', '--server', s.url, '--token', s.adminToken]);
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual(expected);
    const table = await vigil(['query', q, ...range, '--server', s.url, '--token', s.adminToken]);
    expect(table.split('\n')[0]).toMatch(/^TIME\s+VALUE\s+SERIES$/);
    expect(table).toContain('{outcome="success"}');
  });

  it('evaluates it on the local store the same way', async () => {
    await s.stop();
    const out = await vigil(['query', q, ...range, '-o', 'ndjson', '--data', s.dataDir]);
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual(expected);
    s = await testServer({}, s.dataDir);
  });
});

describe('vigil tail bookkeeping', () => {
  it('prints only events committed after the last one printed, oldest first, and notices a full page', () => {
    const ev = (seq: number) => ({ vigil: { seq } });
    const state = { lastSeq: 5 };
    expect(newEvents([ev(8), ev(7), ev(5), ev(4)], state, 100)).toEqual({ fresh: [ev(7), ev(8)], gap: false });
    expect(state.lastSeq).toBe(8);
    expect(newEvents([ev(8)], state, 100)).toEqual({ fresh: [], gap: false });
    expect(newEvents([ev(12), ev(11)], state, 2)).toEqual({ fresh: [ev(11), ev(12)], gap: true });
  });
});

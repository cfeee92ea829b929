/**
 * Result tests on a fixed dataset; every expected value below was worked out
 * by hand from the four events (times relative to T0, windows (t−range, t]).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../model/event.js';
import { ingestedAt, prepareEvent } from '../model/prepare.js';
import { formatNs } from '../model/time.js';
import type { AuditStore } from '../store/index.js';
import { openTestStore } from '../testing/store.js';
import { tempDir } from '../testing/events.js';
import { execute, explainQuery, runQuery, type ExecRequest } from './engine.js';
import { alignToStep } from './loki-params.js';

const S = 1_000_000_000n;
const T0 = 1_767_225_600n * S; // 2026-01-01T00:00:00Z

function ev(sec: bigint, action: string, outcome: string, user: string, category: string, original?: string, labels?: Record<string, string>): AuditEvent {
  return {
    '@timestamp': formatNs(T0 + sec * S, 9),
    event: { action, outcome, category: [category], dataset: 'app', ...(original ? { original } : {}) },
    user: { name: user },
    ...(labels ? { labels } : {}),
  } as AuditEvent;
}

const EVENTS = [
  ev(10n, 'sign-in', 'failure', 'alice', 'authentication', 'level=error msg="bad password" user=alice latency=250ms', { job: 'auth' }),
  ev(70n, 'sign-in', 'success', 'bob', 'authentication', 'level=info msg="ok" user=bob latency=1.5s', { job: 'auth' }),
  ev(130n, 'delete', 'success', 'alice', 'iam'),
  ev(190n, 'sign-in', 'failure', 'alice', 'authentication', 'level=error msg="bad password" user=alice latency=100ms', { job: 'auth' }),
];

let store: AuditStore;
beforeAll(async () => {
  store = await openTestStore(tempDir());
  await store.append([{ events: EVENTS.map((e) => prepareEvent(e, ingestedAt(T0 + 1000n * S))) }]);
});
afterAll(() => store.close());

const base: ExecRequest = { query: '', startNs: T0, endNs: T0 + 300n * S, limit: 100, direction: 'backward', view: 'ecs' };
const range = (query: string, over: Partial<ExecRequest> = {}) => execute(store, { ...base, query, startNs: T0 + 60n * S, endNs: T0 + 240n * S, stepNs: 60n * S, ...over });
const instant = (query: string, atSec = 240n, over: Partial<ExecRequest> = {}) => execute(store, { ...base, query, endNs: T0 + atSec * S, instant: true, ...over });
const matrix = async (q: string, over: Partial<ExecRequest> = {}) => {
  const r = await range(q, over);
  if (r.type !== 'matrix') throw new Error(r.type);
  return r.series.map((s) => ({ labels: s.labels, points: s.points.map(([t, v]) => [Number((t - T0) / S), v]) }));
};
const users = (docs: { doc: string }[]) => docs.map((r) => JSON.parse(r.doc).user.name as string);

describe('log queries', () => {
  it('runs parsers and label filters over the ECS line (runQuery)', async () => {
    const q = { from: String(T0), to: String(T0 + 300n * S) };
    expect(users(await runQuery(store, { ...q, query: '{dataset="app"} | json | user_name="alice"' }))).toEqual(['alice', 'alice', 'alice']);
    expect((await runQuery(store, { ...q, query: '{dataset="app"} | json | event_outcome="failure" | event_action=~"sign.*"', direction: 'forward' })).map((r) => r.ts)).toEqual([T0 + 10n * S, T0 + 190n * S]);
    expect(await runQuery(store, { ...q, query: '{dataset="app"} |= "alice" | json | user_name!="alice"' })).toEqual([]);
    expect(users(await runQuery(store, { ...q, query: '{dataset="app"} | outcome="success"', limit: 1 }))).toEqual(['alice']);
  });

  it('serves the original line and pushed labels in the Loki view', async () => {
    const r = await execute(store, { ...base, query: '{job="auth"} | logfmt | level="error"', view: 'original' });
    expect(r.type).toBe('streams');
    if (r.type !== 'streams') return;
    // latency differs, so two streams, sorted by their label text
    expect(r.streams).toHaveLength(2);
    expect(r.streams[0].labels).toMatchObject({ job: 'auth', level: 'error', user: 'alice', msg: 'bad password', detected_level: 'error', action: 'sign-in', latency: '100ms' });
    expect(r.streams.map((s) => s.entries.map((e) => e.line))).toEqual([
      ['level=error msg="bad password" user=alice latency=100ms'],
      ['level=error msg="bad password" user=alice latency=250ms'],
    ]);
  });

  it('formats lines and applies the global limit before grouping into streams', async () => {
    const r = await execute(store, { ...base, query: '{dataset="app"} | json | line_format "{{.user_name}} {{.event_action | ToUpper}}" | keep user_name', limit: 3, direction: 'forward' });
    if (r.type !== 'streams') throw new Error(r.type);
    expect(r.streams.map((s) => [s.labels, s.entries.map((e) => e.line)])).toEqual([
      [{ user_name: 'alice' }, ['alice SIGN-IN', 'alice DELETE']],
      [{ user_name: 'bob' }, ['bob SIGN-UP'.replace('UP', 'IN')]],
    ]);
  });

  it('refuses a log query as an instant query', async () => {
    await expect(instant('{dataset="app"}')).rejects.toThrow('log queries are not supported as an instant query type');
  });
});

describe('metric queries', () => {
  it('count_over_time windows are (t-range, t]', async () => {
    expect(await matrix('sum(count_over_time({dataset="app"}[2m]))')).toEqual([{ labels: {}, points: [[60, 1], [120, 2], [180, 2], [240, 2]] }]);
  });

  it('sum by pushed into the store and computed in TypeScript agree', async () => {
    const want = [
      { labels: { outcome: 'failure' }, points: [[60, 1], [120, 1], [240, 1]] },
      { labels: { outcome: 'success' }, points: [[120, 1], [180, 2], [240, 1]] },
    ];
    expect(await matrix('sum by (outcome) (count_over_time({dataset="app"}[2m]))')).toEqual(want);
    const ts = await matrix('sum by (event_outcome) (count_over_time({dataset="app"} | json [2m]))');
    expect(ts).toEqual(want.map((w) => ({ labels: { event_outcome: w.labels.outcome }, points: w.points })));
  });

  it('rate divides by the range in seconds; empty windows give no point', async () => {
    expect(await matrix('sum(rate({dataset="app", action="delete"}[1m]))')).toEqual([{ labels: {}, points: [[180, 1 / 60]] }]);
  });

  it('unwraps durations with quantile and sum', async () => {
    const sum = await instant('sum(sum_over_time({job="auth"} | logfmt | unwrap duration(latency) | __error__="" [5m]))', 240n, { view: 'original' });
    expect(sum.type === 'vector' && sum.samples[0].value).toBeCloseTo(1.85, 10);
    const q = await instant('quantile_over_time(0.5, {job="auth"} | logfmt | unwrap duration(latency) [5m]) by (job)', 240n, { view: 'original' });
    expect(q.type === 'vector' && q.samples).toEqual([{ labels: { job: 'auth' }, value: 0.25 }]);
  });

  it('absent_over_time, offset, topk, binary operators', async () => {
    expect(await instant('absent_over_time({dataset="nope"}[1m])')).toMatchObject({ type: 'vector', samples: [{ labels: { dataset: 'nope' }, value: 1 }] });
    expect(await instant('count_over_time({action="delete"}[1m] offset 1m)')).toMatchObject({ type: 'vector', samples: [{ value: 1 }] });
    expect(await instant('topk(1, sum by (user) (count_over_time({dataset="app"}[5m])))')).toMatchObject({ type: 'vector', samples: [{ labels: { user: 'alice' }, value: 3 }] });
    expect(await instant('vector(1)+vector(1)')).toMatchObject({ type: 'vector', samples: [{ labels: {}, value: 2 }] });
    expect(await instant('1 + 2 * 3')).toMatchObject({ type: 'scalar', value: 7 });
    expect(await instant('sum(count_over_time({dataset="app"}[5m])) > bool 3')).toMatchObject({ type: 'vector', samples: [{ value: 1 }] });
    expect(await instant('sum by (outcome) (count_over_time({dataset="app"}[5m])) / on() group_left sum(count_over_time({dataset="app"}[5m]))')).toMatchObject({
      type: 'vector',
      samples: expect.arrayContaining([{ labels: { outcome: 'failure' }, value: 0.5 }, { labels: { outcome: 'success' }, value: 0.5 }]),
    });
  });

  it('fails on a pipeline error unless it is filtered', async () => {
    await expect(instant('sum(count_over_time({job="auth"} | json [5m]))', 240n, { view: 'original' })).rejects.toThrow("pipeline error: 'JSONParserErr'");
    expect(await instant('sum(count_over_time({job="auth"} | json | __error__!="JSONParserErr" [5m]))', 240n, { view: 'original' })).toMatchObject({ samples: [] });
    expect(await instant('sum(count_over_time({job="auth"} | json | drop __error__, __error_details__ [5m]))', 240n, { view: 'original' })).toMatchObject({ samples: [{ value: 3 }] });
  });

  it('aligns ranges to the step like the query frontend', () => {
    expect(alignToStep(61n * S, 179n * S, 60n * S)).toEqual({ startNs: 60n * S, endNs: 180n * S });
  });
});

describe('explain', () => {
  it('prints what is pushed into the store and what runs in TypeScript', () => {
    const text = explainQuery(store, { query: '{dataset="app"} |= "alice" | json | user_name="alice"', from: '0', to: '100', limit: 10 });
    expect(text).toBe(
      [
        '%1 = scan events (ecs line) where {dataset="app"} and line |= "alice" and ts in [0, 100000000000) and order backward  [store]',
        '%2 = | json <- %1',
        '%3 = | user_name="alice" <- %2',
        '%4 = limit 10 backward <- %3',
      ].join('\n'),
    );
  });
});

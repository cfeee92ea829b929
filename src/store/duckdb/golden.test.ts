/**
 * Golden tests: LogQL → plan → SQL per dialect. Each case's file in
 * ./golden/ holds the EXPLAIN listing and, for DuckDB and ClickHouse, every
 * store query with its parameters exactly as the engine sends them. Any
 * difference fails; to accept a change, regenerate and review the diff:
 *
 *   UPDATE_GOLDEN=1 npx vitest run src/store/duckdb/golden.test.ts
 *
 * The DuckDB SQL is also prepared and run against an in-memory DuckDB events
 * table, and log queries are checked against a TypeScript-only evaluation of
 * the same query on the same rows (nothing pushed down).
 */
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../model/event.js';
import { docOf, ingestedAt, prepareEvent } from '../../model/prepare.js';
import { formatNs } from '../../model/time.js';
import { execute } from '../../query/engine.js';
import { runLogPlan } from '../../query/eval/logs.js';
import { DERIVED } from '../../query/eval/source.js';
import type { Stage } from '../../query/logql/ast.js';
import { parseLogQL } from '../../query/logql/build.js';
import { explain, type ExplainOptions, type LineView } from '../../query/plan/plan.js';
import { readerOf } from '../../query/reader.js';
import type { Catalog, RenderedSql, SqlDialect, SqlParam } from '../../query/sql/dialect.js';
import { clickhouseCatalog, clickhouseDialect } from '../../query/sql/dialects/clickhouse.js';
import { duckdbCatalog, duckdbDialect } from '../../query/sql/dialects/duckdb.js';
import { scanQueries } from '../../query/sql/explain.js';
import type { Store } from '../store.js';
import { MIGRATIONS } from './schema.js';
import { streamSelect } from './select.js';

const S = 1_000_000_000n;
const T0 = 1_767_225_600n * S; // 2026-01-01T00:00:00Z
const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '../../query/sql/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Case {
  /** File name in golden/ (without .txt). */
  name: string;
  about: string;
  query: string;
  view: LineView;
  /** Metric queries: the step (the range is T0 … T0+1h, already aligned to it). */
  step?: bigint;
  limit?: number;
  direction?: 'forward' | 'backward';
}

const CASES: Case[] = [
  { name: '01-eq', about: 'one equality matcher on a typed column', query: '{dataset="app.audit"}', view: 'ecs' },
  { name: '02-neq-regex', about: '=, !=, =~, !~; user is name or e-mail (any column matches; a negation needs all)', query: '{dataset="app.audit", outcome!="success", action=~"sign-.*", user!~"svc-.*"}', view: 'ecs', direction: 'forward' },
  { name: '03-list-label', about: 'category is a list column: a matcher holds when any element does', query: '{category="authentication", category!~"file|iam"}', view: 'ecs' },
  { name: '04-line-filters', about: 'chained line filters, all pushed; the limit too', query: '{dataset="app.audit"} |= "alice" != "bob" |~ "sign-(in|out)" !~ "(?i)debug"', view: 'ecs', limit: 20 },
  { name: '05-line-or', about: 'a line filter with `or` alternatives', query: '{dataset="app.audit"} |= "alice" or "carol" != "x" or "y"', view: 'ecs' },
  { name: '06-label-filters', about: 'string label filters on stored labels before any parser are pushed', query: '{dataset="app.audit"} | outcome="failure" | host=~"node-[0-2]" | action!="read"', view: 'ecs' },
  { name: '07-not-pushed', about: 'a parser stops the pushdown: the rest and the limit run in TypeScript', query: '{dataset="app.audit"} |= "alice" | json | user_name="alice" | line_format "{{.event_action}}"', view: 'ecs' },
  { name: '08-unknown-label', about: 'a label the ecs view has no column for is "" (decided in SQL text)', query: '{dataset="app.audit", app=""} | cluster!="x"', view: 'ecs' },
  { name: '09-metric-sum-by', about: 'sum by over count_over_time: the store counts per label and step bucket', query: 'sum by (action) (count_over_time({dataset="app.audit"}[5m]))', view: 'ecs', step: 60n * S },
  { name: '10-metric-offset', about: 'rate with offset; buckets of gcd(step, range); grouped by every stored label', query: 'sum(rate({dataset="app.audit"} |= "error" [10m] offset 1h))', view: 'ecs', step: 240n * S },
  { name: '11-metric-bytes', about: 'bytes_over_time in the ecs view sums the ECS line bytes', query: 'bytes_over_time({category="file"}[2m])', view: 'ecs', step: 120n * S },
  { name: '12-metric-unwrap', about: 'unwrap cannot be pushed: the scan streams rows to TypeScript', query: 'avg_over_time({dataset="app.audit"} | logfmt | unwrap latency [5m]) by (host)', view: 'ecs', step: 60n * S },
  { name: '13-binop', about: 'a binary operation: one store query per side', query: 'sum(count_over_time({outcome="failure"}[1m])) / sum(count_over_time({dataset=~"app.*"}[1m]))', view: 'ecs', step: 60n * S },
  { name: '14-original-bench', about: 'Loki view: the bench query; label as served, the line as received, pre-filter on the document, limit pushed', query: '{category="auth"} |= "alice"', view: 'original' },
  { name: '15-original-pushed', about: 'Loki view: a label only a push sets (pre-filter on the pair), a derived label a push may override, a label filter, a negative line filter', query: '{app="web", host="h1"} != "debug" | namespace="prod"', view: 'original', direction: 'forward' },
  { name: '16-original-metric', about: 'Loki view: sum by over served labels (pushed, else derived) in the store', query: 'sum by (host, detected_level) (count_over_time({cluster="eu-1"} |~ "fail(ed|ure)" [5m]))', view: 'original', step: 300n * S },
  { name: '17-original-not-pushed', about: 'Loki view: json on the original line; pushed label filter before it, the rest after', query: '{dataset="kubernetes.audit_logs"} | service!="" | json | verb="delete"', view: 'original' },
];

const opts = (c: Case): ExplainOptions => ({
  fromNs: T0, toNs: T0 + 3600n * S, stepNs: c.step, limit: c.limit ?? 100, direction: c.direction ?? 'backward', view: c.view,
});

function paramLines(d: SqlDialect, params: readonly SqlParam[]): string[] {
  return params.map((v, i) => `    ${d.placeholder(i + 1, typeof v === 'string' ? 'string' : 'int64')} = ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
}

function queriesText(c: Case, cat: Catalog, d: SqlDialect): string[] {
  const out: string[] = [];
  scanQueries(parseLogQL(c.query), cat, d, opts(c)).forEach((q, i) => out.push(`[${i + 1}] ${q.sql}`, ...paramLines(d, q.params)));
  return out;
}

function golden(c: Case): string {
  const o = opts(c);
  const e = parseLogQL(c.query);
  const plan = explain(e, duckdbCatalog, o);
  // Both catalogs have the same labels, so both dialects share one plan.
  expect(explain(e, clickhouseCatalog, o)).toBe(plan);
  return [
    `# ${c.about}`,
    `query: ${c.query}`,
    `view:  ${c.view}; ts in [${o.fromNs}, ${o.toNs})${c.step ? `; step ${c.step / S}s` : `; limit ${o.limit} ${o.direction}`}`,
    '',
    '-- plan',
    plan,
    '',
    '-- duckdb',
    ...queriesText(c, duckdbCatalog, duckdbDialect),
    '',
    '-- clickhouse',
    ...queriesText(c, clickhouseCatalog, clickhouseDialect),
    '',
  ].join('\n');
}

describe('golden: query → plan → SQL (DuckDB, ClickHouse)', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.query}`, () => {
      const file = join(GOLDEN, `${c.name}.txt`);
      const text = golden(c);
      if (UPDATE) writeFileSync(file, text);
      if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run src/store/duckdb/golden.test.ts`);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('has no golden file without a case', () => {
    const names = new Set(CASES.map((c) => `${c.name}.txt`));
    const stale = readdirSync(GOLDEN).filter((f) => !names.has(f));
    if (UPDATE) for (const f of stale) unlinkSync(join(GOLDEN, f));
    else expect(stale).toEqual([]);
  });
});

// ---- the DuckDB SQL runs, and agrees with TypeScript ----

const ev = (sec: bigint, e: Partial<AuditEvent> & { event: Record<string, unknown> }): AuditEvent =>
  ({ '@timestamp': formatNs(T0 + sec * S, 9), ...e }) as AuditEvent;

/** ECS events, and events as a Loki push stores them (line as received in event.original, labels as sent). */
const FIXTURE: AuditEvent[] = [
  ev(10n, { event: { dataset: 'app.audit', action: 'sign-in', outcome: 'failure', category: ['authentication'] }, user: { name: 'alice' }, host: { name: 'node-1' }, message: 'alice sign-in error' }),
  ev(20n, { event: { dataset: 'app.audit', action: 'sign-out', outcome: 'success', category: ['authentication'] }, user: { name: 'bob' }, host: { name: 'node-2' } }),
  ev(30n, { event: { dataset: 'app.audit', action: 'read', outcome: 'failure', category: ['file'] }, user: { email: 'carol@example.com' }, message: 'carol read "secret" DEBUG' }),
  ev(40n, { event: { dataset: 'app.audit', action: 'sign-in', outcome: 'success', category: ['auth'], original: 'user=alice action=sign-in latency=250ms' }, user: { name: 'svc-x' }, host: { name: 'node-0' } }),
  ev(50n, { event: { dataset: 'generic.log', outcome: 'unknown', original: 'GET /login failed for alice "quoted"' }, labels: { app: 'web', host: 'h1', category: 'auth' }, host: { name: 'h-derived' } }),
  ev(60n, { event: { dataset: 'generic.log', outcome: 'failure', original: 'debug: retry' }, labels: { app: 'web', host: 'h1' }, orchestrator: { namespace: 'prod' } }),
  ev(70n, { event: { dataset: 'generic.log', outcome: 'failure', original: 'request failed' }, labels: { app: 'web', namespace: 'prod' }, host: { name: 'h1' }, orchestrator: { namespace: 'dev', cluster: { name: 'eu-1' } } }),
  ev(80n, { event: { dataset: 'kubernetes.audit_logs', action: 'delete', outcome: 'success', original: '{"verb":"delete","user":"alice"}' }, service: { name: 'kube-apiserver' }, orchestrator: { cluster: { name: 'eu-1' } } }),
  ev(90n, { event: { dataset: 'app.audit', outcome: 'success', category: ['auth'] }, labels: { host: 'h2', cluster: 'eu-1' }, host: { name: 'h1' }, message: 'ok "failure" quoted' }),
];

it('both catalogs derive the labels TypeScript derives for the original view', () => {
  const names = DERIVED.map(([n]) => n).sort();
  expect(Object.keys(duckdbCatalog.original.derived).sort()).toEqual(names);
  expect(Object.keys(clickhouseCatalog.original.derived).sort()).toEqual(names);
});

describe('golden DuckDB SQL on a real DuckDB', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let store: Store;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run(MIGRATIONS[0].statements[0]);
    for (const [i, e] of FIXTURE.entries()) {
      const p = prepareEvent(e, ingestedAt(T0));
      await conn.run(
        'INSERT INTO events (seq, ts, dataset, category, action, outcome, user_name, user_email, source_ip, target, namespace, host, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
        [BigInt(i + 1), p.ts, p.dataset, p.category ? listValue(p.category) : null, p.action, p.outcome, p.userName, p.userEmail, p.sourceIp, p.target, p.namespace, p.host, docOf(p)],
      );
    }
    store = { engine: 'duckdb', select: (sql: string, params: readonly SqlParam[]) => streamSelect(instance, sql, params) } as unknown as Store;
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  const run = async (q: RenderedSql) => {
    const prepared = await conn.prepare(q.sql);
    expect(prepared.parameterCount).toBe(q.params.length);
    prepared.bind(q.params as DuckDBValue[]);
    return (await prepared.runAndReadAll()).getRows();
  };

  for (const c of CASES) {
    it(`prepares and runs ${c.name}`, async () => {
      for (const q of scanQueries(parseLogQL(c.query), duckdbCatalog, duckdbDialect, opts(c))) await run(q);
    });
  }

  /** Everything in TypeScript: scan the time range, matchers as label filters, then the whole pipeline. */
  const reference = async (query: string, view: LineView, direction: 'forward' | 'backward', limit: number) => {
    const e = parseLogQL(query);
    if (e.kind !== 'log') throw new Error('log query expected');
    const residual: Stage[] = [...e.matchers.map((m) => ({ kind: 'label_filter' as const, predicate: { kind: 'string' as const, matcher: m } })), ...e.pipeline];
    const scan = { view, matchers: [], labelFilters: [], lineFilters: [], fromNs: T0, toNs: T0 + 3600n * S, direction };
    return runLogPlan(readerOf(store), { scan, residual, limit, view });
  };

  it('original view: a selector matches the label value entries are returned with (pushed, else derived)', async () => {
    const seqs = async (query: string) => {
      const r = await execute(store, { query, startNs: T0, endNs: T0 + 3600n * S, limit: 100, direction: 'forward', view: 'original' });
      if (r.type !== 'streams') throw new Error(r.type);
      return r.streams.flatMap((s) => s.entries.map((e) => e.seq)).sort((a, b) => a - b);
    };
    expect(await seqs('{host="h1"}')).toEqual([5, 6, 7]); // 9 was pushed with host=h2 although host.name is h1
    expect(await seqs('{host="h-derived"}')).toEqual([]); // 5 was pushed with host=h1
    expect(await seqs('{namespace="prod"}')).toEqual([6, 7]);
    expect(await seqs('{namespace=~"de.*"}')).toEqual([]); // 7 was pushed with namespace=prod
    expect(await seqs('{cluster="eu-1"}')).toEqual([7, 8, 9]);
    expect(await seqs('{category="auth"}')).toEqual([4, 5, 9]);
    expect(await seqs('{service="kube-apiserver"}')).toEqual([8]);
    expect(await seqs('{detected_level="error"}')).toEqual([1, 3, 6, 7]);
    expect(await seqs('{dataset=~".+"} |= "\\"quoted\\""')).toEqual([5]);
    expect(await seqs('{app="web"} |= "fail"')).toEqual([5, 7]);
  });

  it('range aggregations counted by the store agree with the same computed in TypeScript', async () => {
    // `| drop __none__` changes nothing but keeps the aggregation out of the store.
    const pairs: [string, LineView][] = [
      ['sum by (host) (count_over_time({dataset=~".+"}[1m]))', 'original'],
      ['sum by (host, detected_level, category) (count_over_time({cluster="eu-1"} |~ "fail(ed|ure)" [2m]))', 'original'],
      ['sum by (app) (bytes_over_time({app="web"} |= "e" [1m]))', 'original'],
      ['sum by (namespace) (rate({dataset=~".+"} | namespace!="dev" [5m]))', 'original'],
      ['sum by (action) (count_over_time({dataset=~".+"}[1m]))', 'ecs'],
      ['bytes_over_time({category="auth"}[2m])', 'ecs'],
    ];
    for (const [q, view] of pairs) {
      const streamed = q.replace(/ ?\[(\d+m)\]/, ' | drop __none__ [$1]');
      const req = { startNs: T0, endNs: T0 + 240n * S, stepNs: 60n * S, limit: 100, direction: 'forward' as const, view };
      const [a, b] = [await execute(store, { ...req, query: q }), await execute(store, { ...req, query: streamed })];
      if (a.type !== 'matrix' || b.type !== 'matrix') throw new Error(a.type);
      expect(a.series.length, q).toBeGreaterThan(0);
      expect(a.series, q).toEqual(b.series);
      expect(explain(parseLogQL(q), duckdbCatalog, { ...opts({ name: '', about: '', query: q, view, step: 60n * S }) })).toContain('buckets');
    }
  });

  const LOG_QUERIES = [
    ...CASES.filter((c) => !c.step).map((c) => c.query),
    '{dataset=~".+"} |= "\\"quoted\\""',
    '{dataset=~".+"} |= "failure"',
    '{dataset=~".+"} != "\\"" |~ "fail(ed|ure)"',
    '{host="h1"}',
    '{host="h-derived"}',
    '{host!="h1", dataset=~".+"}',
    '{namespace="prod"}',
    '{namespace=~"de.*"}',
    '{cluster="eu-1"}',
    '{service="kube-apiserver"}',
    '{detected_level="error"}',
    '{category="auth"}',
    '{category!="auth", dataset=~".+"}',
    '{app=~"w.b"} | host="h1"',
    '{app="web"} | namespace!="prod"',
    '{dataset=~".+"} | app=""',
  ];
  for (const view of ['ecs', 'original'] as const) {
    for (const q of LOG_QUERIES) {
      it(`${view} view: ${q} returns what TypeScript alone returns`, async () => {
        for (const [direction, limit] of [['backward', 100], ['forward', 2]] as const) {
          const want = await reference(q, view, direction, limit);
          const got = await execute(store, { query: q, startNs: T0, endNs: T0 + 3600n * S, limit, direction, view });
          if (got.type !== 'streams') throw new Error(got.type);
          const entries = got.streams.flatMap((s) => s.entries).sort((a, b) => (direction === 'forward' ? a.seq - b.seq : b.seq - a.seq));
          expect(entries.map((x) => [x.seq, x.line, Object.fromEntries(x.labels)])).toEqual(want.map((x) => [x.seq, x.line, Object.fromEntries(x.labels)]));
        }
      });
    }
  }
});

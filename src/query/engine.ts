/**
 * Runs LogQL against a store: parse (logql/) → plan (plan/) → store scan
 * through the SQL dialect (sql/) → the rest in TypeScript (pipeline/, eval/).
 * `runQuery` serves Vigil's own views (ECS line, /api/v1/query and the CLI);
 * `execute` serves the Loki API (either line view, metric queries too).
 */
import { nowNs, parseDurationNs, parseTimeArg } from '../model/time.js';
import type { AuditStore, Ledger, Store, StoredRow } from '../store/index.js';
import { QueryBudget } from './budget.js';
import { QueryArgumentError, QueryParseError } from './errors.js';
import type { ResultEntry, ScanStats } from './eval/logs.js';
import { runLogPlan } from './eval/logs.js';
import { evalMetric, MAX_SERIES } from './eval/metric.js';
import { labelsKey, type Labels } from './eval/vector.js';
import type { Expr } from './logql/ast.js';
import { parseLogQL } from './logql/build.js';
import { defaultStepNs } from './loki-params.js';
import { explain, planLog, type LineView } from './plan/plan.js';
import { readerOf } from './reader.js';

export interface QueryRequest {
  query: string;
  /** RFC 3339, Unix epoch (s/ms/ns) or `now-1h`. */
  from?: string;
  to?: string;
  /** Look-back from `to` when `from` is not given (default 1h, as Loki). */
  since?: string;
  limit?: number;
  direction?: 'forward' | 'backward';
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100_000;

export function resolveRange(req: Pick<QueryRequest, 'from' | 'to' | 'since'>, now = nowNs()): { fromNs: bigint; toNs: bigint } {
  const time = (name: string, v: string) => {
    const t = parseTimeArg(v, now);
    if (t === undefined) throw new QueryArgumentError(`${name}: not a time: ${JSON.stringify(v)} (use RFC 3339, a Unix epoch, or now-1h)`);
    return t;
  };
  const toNs = req.to ? time('to', req.to) : now + 1n;
  let fromNs: bigint;
  if (req.from) fromNs = time('from', req.from);
  else {
    const since = parseDurationNs(req.since ?? '1h');
    if (since === undefined) throw new QueryArgumentError(`since: not a duration: ${JSON.stringify(req.since)} (e.g. 15m, 24h, 7d)`);
    fromNs = toNs - since;
  }
  if (fromNs > toNs) throw new QueryArgumentError('from must not be after to');
  return { fromNs, toNs };
}

/**
 * A log query over the ECS view (Vigil's own API and CLI): the matching
 * events, newest first by default. `budget`: the query's deadline and memory
 * (routes and CLI get one from a QueryGate; by default none).
 */
export async function runQuery(store: AuditStore, req: QueryRequest, budget = new QueryBudget()): Promise<StoredRow[]> {
  const expr = parseLogQL(req.query);
  if (expr.kind !== 'log') throw new QueryParseError(0, 0, 'metric queries return numbers, not events: use /loki/api/v1/query_range');
  for (const m of expr.matchers) {
    if (!store.labels.includes(m.name)) {
      throw QueryParseError.at(req.query, expr.pos, `unknown label ${JSON.stringify(m.name)}; labels are ${store.labels.join(', ')}`);
    }
  }
  const limit = req.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new QueryArgumentError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  const direction = req.direction ?? 'backward';
  if (direction !== 'forward' && direction !== 'backward') throw new QueryArgumentError('direction must be forward or backward');
  const { fromNs, toNs } = resolveRange(req);
  const reader = readerOf(store);
  const plan = planLog(expr, reader.catalog, { fromNs, toNs, direction, limit, view: 'ecs', lineOnly: true });
  const rows: StoredRow[] = (await runLogPlan(reader, plan, undefined, budget)).map((e) => ({ seq: e.seq, ts: e.ts, doc: e.doc }));
  await addLeafHashes(store, rows);
  return rows;
}

/** Adds each sealed row's leaf hash (an unsealed store, or an event stored with sealing off, has none). */
async function addLeafHashes(ledger: Ledger, rows: StoredRow[]): Promise<void> {
  const { size } = ledger.treeHead();
  const sealed = rows.filter((row) => row.seq < size);
  const hashes = await ledger.leafHashes(sealed.map((row) => row.seq));
  sealed.forEach((row, i) => (row.leafHash = hashes[i]));
}

// ---- the Loki-compatible engine ----

export interface ExecRequest {
  query: string;
  startNs: bigint;
  endNs: bigint;
  /** Range queries: the step (metric) — default max(1s, (end-start)/250). */
  stepNs?: bigint;
  /** Instant query: evaluate once at endNs. */
  instant?: boolean;
  limit: number;
  direction: 'forward' | 'backward';
  /** Log queries: keep an entry only if ≥ interval after the previous one kept. */
  intervalNs?: bigint;
  view: LineView;
  maxSeries?: number;
  /** Log queries: only events with seqFrom <= vigil.seq < seqTo (the Loki tail follows commits this way). */
  seqFrom?: number;
  seqTo?: number;
}

export interface Series {
  labels: Labels;
  /** [ns, value] */
  points: [bigint, number][];
}

export type ExecResult =
  | { type: 'streams'; streams: { labels: Labels; entries: ResultEntry[] }[]; stats: ExecStats }
  | { type: 'matrix'; series: Series[]; stats: ExecStats }
  | { type: 'vector'; samples: { labels: Labels; value: number }[]; timeNs: bigint; stats: ExecStats }
  | { type: 'scalar'; value: number; timeNs: bigint; stats: ExecStats };

export interface ExecStats extends ScanStats {
  returned: number;
  execSeconds: number;
}

export const INSTANT_LOG_QUERY = 'log queries are not supported as an instant query type, please change your query to a range query type';

/** Runs a Loki query; `budget` as for runQuery. */
export async function execute(store: Store, req: ExecRequest, parsed?: Expr, budget = new QueryBudget()): Promise<ExecResult> {
  const started = performance.now();
  const expr = parsed ?? parseLogQL(req.query);
  const reader = readerOf(store);
  const stats: ExecStats = { scanned: 0, bytes: 0, returned: 0, execSeconds: 0 };
  const done = <T extends ExecResult>(r: T): T => {
    stats.execSeconds = (performance.now() - started) / 1000;
    return r;
  };
  if (expr.kind === 'log') {
    if (req.instant) throw new QueryArgumentError(INSTANT_LOG_QUERY);
    const plan = planLog(expr, reader.catalog, { fromNs: req.startNs, toNs: req.endNs, direction: req.direction, limit: req.intervalNs ? undefined : req.limit, view: req.view, seqFrom: req.seqFrom, seqTo: req.seqTo });
    let entries = await runLogPlan(reader, req.intervalNs ? { ...plan, limit: Infinity } : plan, stats, budget);
    if (req.intervalNs) entries = applyInterval(entries, req.intervalNs, req.direction).slice(0, req.limit);
    const byStream = new Map<string, { labels: Labels; entries: ResultEntry[] }>();
    for (const e of entries) {
      const labels = Object.fromEntries(e.labels);
      const k = labelsKey(labels);
      let s = byStream.get(k);
      if (!s) byStream.set(k, (s = { labels, entries: [] }));
      s.entries.push(e);
    }
    stats.returned = entries.length;
    const streams = [...byStream.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
    return done({ type: 'streams', streams, stats });
  }
  const stepNs = req.instant ? 1_000_000_000n : req.stepNs ?? defaultStepNs(req.startNs, req.endNs);
  const startNs = req.instant ? req.endNs : req.startNs;
  const values = await evalMetric(expr, { reader, startNs, endNs: req.endNs, stepNs, view: req.view, stats, maxSeries: req.maxSeries, budget });
  if (values.kind === 'scalar') {
    if (req.instant) return done({ type: 'scalar', value: values.steps[0], timeNs: req.endNs, stats });
    return done({ type: 'matrix', series: [{ labels: {}, points: values.steps.map((v, i) => [startNs + BigInt(i) * stepNs, v]) }], stats });
  }
  const max = req.maxSeries ?? MAX_SERIES;
  if (req.instant) {
    const samples = values.steps[0] ?? [];
    if (samples.length > max) throw new QueryArgumentError(`maximum of series (${max}) reached for a single query`);
    stats.returned = samples.length;
    return done({ type: 'vector', samples, timeNs: req.endNs, stats });
  }
  const series = new Map<string, Series>();
  for (let i = 0; i < values.steps.length; i++) {
    const v = values.steps[i];
    if (budget.tick(v.length + 1)) await budget.pause();
    const t = startNs + BigInt(i) * stepNs;
    for (const s of v) {
      const k = labelsKey(s.labels);
      let x = series.get(k);
      if (!x) {
        series.set(k, (x = { labels: s.labels, points: [] }));
        if (series.size > max) throw new QueryArgumentError(`maximum of series (${max}) reached for a single query`);
      }
      x.points.push([t, s.value]);
    }
  }
  const sorted = [...series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  stats.returned = sorted.reduce((n, s) => n + s.points.length, 0);
  return done({ type: 'matrix', series: sorted, stats });
}

function applyInterval(entries: ResultEntry[], interval: bigint, direction: 'forward' | 'backward'): ResultEntry[] {
  const out: ResultEntry[] = [];
  let last: bigint | undefined;
  for (const e of entries) {
    if (last === undefined || (direction === 'forward' ? e.ts >= last + interval : e.ts <= last - interval)) {
      out.push(e);
      last = e.ts;
    }
  }
  return out;
}

/** The plan as a numbered listing (`vigil query --explain`). */
export function explainQuery(store: Store, req: QueryRequest & { stepNs?: bigint; view?: LineView }): string {
  const expr = parseLogQL(req.query);
  const { fromNs, toNs } = resolveRange(req);
  return explain(expr, readerOf(store).catalog, {
    fromNs, toNs, stepNs: req.stepNs, limit: req.limit ?? DEFAULT_LIMIT, direction: req.direction ?? 'backward', view: req.view ?? 'ecs',
  });
}

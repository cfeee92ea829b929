/**
 * Loki's index endpoints (labels, label values, series, index stats and
 * volume), answered by scanning the entries a selector matches: Vigil has no
 * separate index, so these read the same rows a log query would.
 */
import type { Store } from '../store/store.js';
import { scanEntries, type ResultEntry } from './eval/logs.js';
import { QueryArgumentError } from './errors.js';
import type { LogSelector } from './logql/ast.js';
import { parseLogQL } from './logql/build.js';
import { planLog, type LineView } from './plan/plan.js';
import { readerOf } from './reader.js';

export interface IndexRequest {
  /** A stream selector; absent or `{}` means every entry. */
  selector?: string;
  startNs: bigint;
  endNs: bigint;
  view: LineView;
}

/** An answer and how many entries it was built from (what the access log records). */
export interface IndexResult<T> {
  data: T;
  matched: number;
}

const ALL_STREAMS = '{dataset=~".+"}';

function selectorOf(query: string): LogSelector {
  const expr = parseLogQL(query);
  if (expr.kind !== 'log') throw new QueryArgumentError('expected a stream selector');
  return expr;
}

/** Calls `each` on every entry the request's selector matches in its range; returns their number. */
async function scan(store: Store, req: IndexRequest, expr: LogSelector, each: (e: ResultEntry) => void): Promise<number> {
  const reader = readerOf(store);
  const plan = planLog(expr, reader.catalog, { fromNs: req.startNs, toNs: req.endNs, direction: 'backward', view: req.view });
  let n = 0;
  for await (const e of scanEntries(reader, plan)) {
    each(e);
    n++;
  }
  return n;
}

const scanSelected = (store: Store, req: IndexRequest, each: (e: ResultEntry) => void) =>
  scan(store, req, selectorOf(req.selector && req.selector !== '{}' ? req.selector : ALL_STREAMS), each);

/** The label names on the matching entries, sorted. */
export async function labelNames(store: Store, req: IndexRequest): Promise<IndexResult<string[]>> {
  const names = new Set<string>();
  const matched = await scanSelected(store, req, (e) => e.labels.forEach((_v, k) => names.add(k)));
  return { data: [...names].sort(), matched };
}

/** The values label `name` takes on the matching entries, sorted. */
export async function labelValues(store: Store, name: string, req: IndexRequest): Promise<IndexResult<string[]>> {
  const values = new Set<string>();
  const matched = await scanSelected(store, req, (e) => {
    const v = e.labels.get(name);
    if (v !== undefined) values.add(v);
  });
  return { data: [...values].sort(), matched };
}

/** The distinct label sets (names sorted) of the entries any of `matches` selects (every entry when there are none). */
export async function seriesOf(store: Store, matches: readonly string[], req: Omit<IndexRequest, 'selector'>): Promise<IndexResult<Record<string, string>[]>> {
  const seen = new Map<string, Record<string, string>>();
  let matched = 0;
  for (const selector of matches.length ? matches : [undefined]) {
    matched += await scanSelected(store, { ...req, selector }, (e) => {
      const obj = Object.fromEntries([...e.labels].sort(([a], [b]) => (a < b ? -1 : 1)));
      seen.set(JSON.stringify(obj), obj);
    });
  }
  return { data: [...seen.values()], matched };
}

export interface IndexStats {
  streams: number;
  chunks: number;
  /** Approximated by the line view's length in UTF-8. */
  bytes: number;
  entries: number;
}

/** Loki's index stats of the matching entries (a stream is a distinct label set; Vigil has no chunks, so one per stream). */
export async function indexStats(store: Store, req: IndexRequest): Promise<IndexResult<IndexStats>> {
  const streams = new Set<string>();
  let bytes = 0;
  const entries = await scanSelected(store, req, (e) => {
    streams.add(JSON.stringify([...e.labels].sort()));
    bytes += Buffer.byteLength(e.line);
  });
  return { data: { streams: streams.size, chunks: streams.size, bytes, entries }, matched: entries };
}

export interface VolumeRequest extends IndexRequest {
  /** Labels to group by; default the selector's own. */
  targetLabels?: readonly string[];
  limit: number;
}

export interface Volume {
  metric: Record<string, string>;
  bytes: number;
}

/** Bytes of the matching entries grouped by the target labels, largest first, the first `limit` groups. */
export async function indexVolume(store: Store, req: VolumeRequest): Promise<IndexResult<Volume[]>> {
  const expr = selectorOf(req.selector ?? ALL_STREAMS);
  const names = req.targetLabels ?? expr.matchers.map((m) => m.name);
  const sums = new Map<string, Volume>();
  await scan(store, req, expr, (e) => {
    const metric = Object.fromEntries(names.filter((n) => e.labels.has(n)).map((n) => [n, e.labels.get(n)!]));
    const k = JSON.stringify(metric);
    const s = sums.get(k) ?? { metric, bytes: 0 };
    s.bytes += Buffer.byteLength(e.line);
    sums.set(k, s);
  });
  return { data: [...sums.values()].sort((a, b) => b.bytes - a.bytes).slice(0, req.limit), matched: sums.size };
}

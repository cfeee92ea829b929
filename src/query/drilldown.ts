/**
 * What Grafana's Logs Drilldown and `logcli volume_range` ask Loki for, over
 * the entries a selector matches: bytes per label set per step
 * (index/volume_range) and the stream labels with their cardinality
 * (detected_labels), as pkg/querier/queryrange/volume.go and
 * pkg/querier/querier.go compute them.
 */
import type { Store } from '../store/store.js';
import { QueryArgumentError } from './errors.js';
import { readerOf } from './reader.js';
import { scanEntries, type ResultEntry } from './eval/logs.js';
import type { LogSelector } from './logql/ast.js';
import { parseLogQL } from './logql/build.js';
import { planLog, type LineView } from './plan/plan.js';

export interface Window {
  /** A log selector, with any pipeline; empty or `{}` means every entry. */
  query: string;
  startNs: bigint;
  endNs: bigint;
  view: LineView;
}

/** The window's log query; empty or `{}` selects every entry. */
function logQuery(query: string): LogSelector {
  const q = query.trim();
  const expr = parseLogQL(q && q !== '{}' ? q : '{dataset=~".+"}');
  if (expr.kind !== 'log') throw new QueryArgumentError('expected a stream selector');
  return expr;
}

/** The entries a log query selects in the window, newest first, at most `limit`. */
export async function* selection(store: Store, w: Window, limit = Infinity): AsyncGenerator<ResultEntry> {
  const expr = logQuery(w.query);
  const reader = readerOf(store);
  const plan = planLog(expr, reader.catalog, { fromNs: w.startNs, toNs: w.endNs, direction: 'backward', view: w.view, ...(Number.isFinite(limit) ? { limit } : {}) });
  let n = 0;
  for await (const e of scanEntries(reader, plan)) {
    if (n++ >= limit) return;
    yield e;
  }
}

export interface VolumeRangeRequest extends Window {
  stepNs: bigint;
  /** Group by these labels (default: the selector's matcher names). */
  targetLabels?: string[];
  /** `series`: one series per label set; `labels`: one per label name. */
  aggregateBy: 'series' | 'labels';
  limit: number;
}

export interface VolumeSeries {
  metric: Record<string, string>;
  /** [bucket end (ns), bytes], oldest first. */
  samples: [bigint, number][];
}

const MS = 1_000_000n;

/** Loki's ForInterval buckets: aligned to the step since the epoch, each stamped with its end (1 ms before the next, the last with `end`). */
export function bucketEnd(ts: bigint, stepNs: bigint, endNs: bigint): bigint {
  const next = ts - (((ts % stepNs) + stepNs) % stepNs) + stepNs;
  return next >= endNs ? endNs : next - MS;
}

/** Bytes of log lines per label set (or label name) per step; the `limit` largest series, largest first. */
export async function volumeRange(store: Store, r: VolumeRangeRequest): Promise<VolumeSeries[]> {
  const names = r.targetLabels ?? logQuery(r.query).matchers.map((m) => m.name);
  const series = new Map<string, { metric: Record<string, string>; buckets: Map<bigint, number>; total: number }>();
  const add = (metric: Record<string, string>, at: bigint, bytes: number) => {
    const key = JSON.stringify(metric);
    const s = series.get(key) ?? { metric, buckets: new Map<bigint, number>(), total: 0 };
    s.buckets.set(at, (s.buckets.get(at) ?? 0) + bytes);
    s.total += bytes;
    series.set(key, s);
  };
  for await (const e of selection(store, r)) {
    const at = bucketEnd(e.ts, r.stepNs, r.endNs);
    const bytes = Buffer.byteLength(e.line);
    const present = names.filter((n) => e.labels.has(n));
    if (r.aggregateBy === 'labels') for (const n of present) add({ [n]: '' }, at, bytes);
    else add(Object.fromEntries(present.map((n) => [n, e.labels.get(n)!])), at, bytes);
  }
  return [...series.entries()]
    .sort(([ka, a], [kb, b]) => b.total - a.total || (ka < kb ? -1 : 1))
    .slice(0, r.limit)
    .map(([, s]) => ({ metric: s.metric, samples: [...s.buckets].sort(([a], [b]) => (a < b ? -1 : 1)) }));
}

/** Labels Loki always shows, whatever their values. */
const STATIC_LABELS = new Set(['cluster', 'namespace', 'instance', 'pod']);
const UUID = /^(urn:uuid:|\{)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;
const isIdLike = (v: string) => (v.trim() !== '' && !Number.isNaN(Number(v))) || UUID.test(v);

/** Loki's shouldRejectLabel: every value a number or UUID (0/1 alone count as a boolean and are kept). */
function rejected(values: Set<string>): boolean {
  if (values.size === 0) return true;
  if (values.size <= 2 && [...values].every((v) => v === '0' || v === '1')) return false;
  return [...values].every(isIdLike);
}

export interface DetectedLabel {
  label: string;
  cardinality: number;
}

/** The stream labels of the matched entries with their number of distinct values, by name. */
export async function detectedLabels(store: Store, w: Window): Promise<DetectedLabel[]> {
  const values = new Map<string, Set<string>>();
  for await (const e of selection(store, w)) {
    for (const name of e.stream) {
      const v = e.labels.get(name);
      if (v === undefined) continue;
      const set = values.get(name) ?? new Set<string>();
      set.add(v);
      values.set(name, set);
    }
  }
  return [...values]
    .filter(([name, vs]) => STATIC_LABELS.has(name) || !rejected(vs))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([label, vs]) => ({ label, cardinality: vs.size }));
}

/** Loki's JSON result shapes (pkg/util/marshal): streams, matrix, vector, scalar, with numbers written as Loki writes them. */
import type { ExecResult, ExecStats } from '../../query/engine.js';
import { labelsKey, type Labels } from '../../query/eval/vector.js';

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest exact decimal, never exponent notation. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!/e/i.test(s)) return s;
  const [mant, expS] = s.split(/e/i);
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace(/^-/, '').replace('.', '');
  const point = (mant.replace(/^-/, '').split('.')[0]).length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}

/** Prometheus model.Time: seconds with millisecond precision, as a JSON number. */
export function formatSeconds(ns: bigint): number {
  return Number(ns / 1_000_000n) / 1000;
}

function statsJson(s: ExecStats) {
  const exec = s.execSeconds;
  return {
    summary: {
      bytesProcessedPerSecond: exec ? Math.round(s.bytes / exec) : 0,
      linesProcessedPerSecond: exec ? Math.round(s.scanned / exec) : 0,
      totalBytesProcessed: s.bytes,
      totalLinesProcessed: s.scanned,
      execTime: exec,
      queueTime: 0,
      subqueries: 0,
      totalEntriesReturned: s.returned,
      splits: 0,
      shards: 0,
      totalPostFilterLines: s.returned,
      totalStructuredMetadataBytesProcessed: 0,
    },
    querier: { store: {} },
    ingester: {},
    cache: {},
    index: {},
  };
}

/** The body of a query / query_range answer. */
export function lokiResult(r: ExecResult, categorize = false): unknown {
  const stats = statsJson(r.stats);
  switch (r.type) {
    case 'streams': {
      const result = r.streams.map((s) => ({
        stream: s.labels,
        values: s.entries.map((e) => (categorize ? [e.ts.toString(), e.line, {}] : [e.ts.toString(), e.line])),
      }));
      return { status: 'success', data: { resultType: 'streams', result, stats, ...(categorize ? { encodingFlags: ['categorize-labels'] } : {}) } };
    }
    case 'matrix':
      return {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: r.series.map((s) => ({ metric: s.labels, values: s.points.map(([t, v]) => [formatSeconds(t), formatSampleValue(v)]) })),
          stats,
        },
      };
    case 'vector':
      return {
        status: 'success',
        data: {
          resultType: 'vector',
          result: r.samples.map((s) => ({ metric: s.labels, value: [formatSeconds(r.timeNs), formatSampleValue(s.value)] })),
          stats,
        },
      };
    case 'scalar':
      return { status: 'success', data: { resultType: 'scalar', result: [formatSeconds(r.timeNs), formatSampleValue(r.value)], stats } };
  }
}

export interface TailEntry {
  labels: Labels;
  ts: bigint;
  line: string;
}

/**
 * One message of the tail websocket (Loki's EncodeTailResult): `streams`, then
 * `dropped_entries` only when some were dropped. Consecutive entries of one
 * label set share a stream.
 */
export function lokiTailMessage(entries: readonly TailEntry[], dropped: readonly Omit<TailEntry, 'line'>[] = []): string {
  const streams: { stream: Labels; values: [string, string][] }[] = [];
  let lastKey: string | undefined;
  for (const e of entries) {
    const key = labelsKey(e.labels);
    if (key !== lastKey) streams.push({ stream: e.labels, values: [] });
    streams[streams.length - 1].values.push([e.ts.toString(), e.line]);
    lastKey = key;
  }
  const body: Record<string, unknown> = { streams };
  if (dropped.length) body.dropped_entries = dropped.map((d) => ({ timestamp: d.ts.toString(), labels: d.labels }));
  return JSON.stringify(body);
}

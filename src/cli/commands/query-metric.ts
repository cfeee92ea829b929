/**
 * `vigil query` beyond log queries: `--explain` (the plan and the SQL, from
 * the dialect and catalog alone, no store needed) and metric queries
 * (`count_over_time`, `sum by`, …) evaluated over the ECS view as range
 * queries, step-aligned as Loki's query frontend aligns them.
 */
import type { Config } from '../../config/load.js';
import { parseDurationNs } from '../../model/time.js';
import { QueryArgumentError } from '../../query/errors.js';
import type { VigilClient } from '../client.js';
import type { OutputFormat } from '../output.js';

export interface MetricSeries {
  metric: Record<string, string>;
  /** [ns, value] */
  values: [bigint, number][];
}

export interface MetricRange {
  startNs: bigint;
  endNs: bigint;
  stepNs: bigint;
}

/** The step: `--step`, else Loki's default max(1s, range/250); the range aligned to it. */
export async function metricRange(fromNs: bigint, toNs: bigint, step: string | undefined): Promise<MetricRange> {
  const { alignToStep, defaultStepNs } = await import('../../query/loki-params.js');
  const stepNs = step ? parseDurationNs(step) : defaultStepNs(fromNs, toNs);
  if (stepNs === undefined || stepNs <= 0n) throw new QueryArgumentError(`--step: not a positive duration: ${JSON.stringify(step)} (e.g. 30s, 5m)`);
  return { ...alignToStep(fromNs, toNs, stepNs), stepNs };
}

/** `--explain`: the plan, then each store scan as SQL (DuckDB dialect). */
export async function explainText(query: string, range: { fromNs: bigint; toNs: bigint }, limit: number, direction: 'forward' | 'backward', step: string | undefined): Promise<string> {
  const [{ parseLogQL }, { explainWithSql }, { duckdbCatalog, duckdbDialect }] = await Promise.all([
    import('../../query/logql/build.js'),
    import('../../query/sql/explain.js'),
    import('../../query/sql/dialects/duckdb.js'),
  ]);
  const expr = parseLogQL(query);
  let { fromNs, toNs } = range;
  let stepNs: bigint | undefined;
  if (expr.kind !== 'log') ({ startNs: fromNs, endNs: toNs, stepNs } = await metricRange(fromNs, toNs, step));
  return explainWithSql(expr, duckdbCatalog, duckdbDialect, { fromNs, toNs, stepNs, limit, direction, view: 'ecs' });
}

/** A metric range query on the local store, recorded as an access event. */
export async function localMetric(config: Config, query: string, r: MetricRange): Promise<MetricSeries[]> {
  const [{ execute }, { auditedLocalRead }, { queryGate }] = await Promise.all([import('../../query/engine.js'), import('../audited-store.js'), import('../../runtime/query-gate.js')]);
  const gate = queryGate(config);
  const series = await auditedLocalRead(
    config,
    { route: 'cli:query', action: 'query', query },
    async (store) => {
      const result = await gate.run((budget) => execute(store, { query, startNs: r.startNs, endNs: r.endNs, stepNs: r.stepNs, limit: 100, direction: 'forward', view: 'ecs' }, undefined, budget));
      if (result.type !== 'matrix') throw new QueryArgumentError('expected a metric query');
      return result.series;
    },
    (s) => s.length,
  );
  return series.map((s) => ({ metric: s.labels, values: s.points }));
}

/** A metric range query through the server's Loki API, over the ECS view (`line=ecs`). */
export async function remoteMetric(client: VigilClient, query: string, r: MetricRange): Promise<MetricSeries[]> {
  const params = new URLSearchParams({ query, start: r.startNs.toString(), end: r.endNs.toString(), step: `${Number(r.stepNs) / 1e9}`, line: 'ecs' });
  const res = await client.json<{ data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } }>(
    'GET',
    `loki/api/v1/query_range?${params}`,
  );
  if (res.data.resultType !== 'matrix') throw new QueryArgumentError(`expected a matrix, got ${res.data.resultType}`);
  return res.data.result.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [BigInt(Math.round(t * 1000)) * 1_000_000n, Number(v)]) }));
}

const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
const labelText = (m: Record<string, string>) => `{${Object.keys(m).sort().map((k) => `${k}=${JSON.stringify(m[k])}`).join(', ')}}`;
const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Output lines for a matrix. */
export function renderMetric(series: MetricSeries[], format: OutputFormat): string[] {
  switch (format) {
    case 'json':
      return [JSON.stringify(series.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [iso(t), v]) })), null, 2)];
    case 'ndjson':
      return series.flatMap((s) => s.values.map(([t, v]) => JSON.stringify({ metric: s.metric, time: iso(t), value: v })));
    case 'csv': {
      const names = [...new Set(series.flatMap((s) => Object.keys(s.metric)))].sort();
      return [
        ['time', ...names, 'value'].join(','),
        ...series.flatMap((s) => s.values.map(([t, v]) => [iso(t), ...names.map((n) => csvCell(s.metric[n] ?? '')), String(v)].join(','))),
      ];
    }
    case 'table': {
      const rows = series.flatMap((s) => s.values.map(([t, v]) => [iso(t), String(v), labelText(s.metric)]));
      const header = ['TIME', 'VALUE', 'SERIES'];
      const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      return [header, ...rows].map((r) => r.map((c, i) => (i === 2 ? c : c.padEnd(w[i]))).join('  ').trimEnd());
    }
  }
}

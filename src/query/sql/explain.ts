/**
 * `vigil query --explain`: the plan listing (plan/plan.ts) followed by the SQL
 * each store scan runs, parameters written in. Needs only the dialect and the
 * catalog, so it works without opening a store or reaching a server.
 */
import type { Expr, RangeAggregation } from '../logql/ast.js';
import { explain, outerGrouping, planLog, planRange, rangeBuckets, storeGrouping, type ExplainOptions } from '../plan/plan.js';
import type { Catalog, RenderedSql, SqlDialect, SqlParam } from './dialect.js';
import { renderBuckets, renderScan } from './render.js';

export type { ExplainOptions };

const literal = (v: SqlParam) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));

/** SQL with its placeholders (`$n`, or ClickHouse's `{pn:Type}`) replaced by the values, for reading. */
export function inlineParams(sql: string, params: readonly SqlParam[]): string {
  const at = (m: string, i: string) => (Number(i) - 1 < params.length ? literal(params[Number(i) - 1]) : m);
  return sql.replace(/\$(\d+)|\{p(\d+):[A-Za-z0-9]+\}/g, (m, a: string | undefined, b: string | undefined) => at(m, (a ?? b)!));
}

/** The store queries of an expression, leaves first, as the engine runs them (SQL and parameters). */
export function scanQueries(e: Expr, cat: Catalog, d: SqlDialect, opts: ExplainOptions): RenderedSql[] {
  const out: RenderedSql[] = [];
  const range = (x: RangeAggregation, outer: string[] | undefined) => {
    const p = planRange(x, cat, { startNs: opts.fromNs, endNs: opts.toNs, view: opts.view });
    const labels = storeGrouping(x, p, cat, outer);
    if (!labels) return void out.push(renderScan(d, cat, p.scan));
    const bytes = x.op === 'bytes_over_time' || x.op === 'bytes_rate';
    out.push(renderBuckets(d, cat, p.scan, { labels, bytes, ...rangeBuckets(x, opts.fromNs, opts.stepNs ?? x.rangeNs) }));
  };
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'log':
        out.push(renderScan(d, cat, planLog(x, cat, opts).scan));
        return;
      case 'range_agg':
        return range(x, undefined);
      case 'vector_agg': {
        const outer = outerGrouping(x);
        return outer ? range(x.inner as RangeAggregation, outer) : walk(x.inner);
      }
      case 'label_replace':
        return walk(x.inner);
      case 'binop':
        walk(x.left);
        walk(x.right);
        return;
      default:
        return;
    }
  };
  walk(e);
  return out;
}

/** The store scans of an expression, leaves first, each as readable SQL. */
export function scanSql(e: Expr, cat: Catalog, d: SqlDialect, opts: ExplainOptions): string[] {
  return scanQueries(e, cat, d, opts).map((r) => inlineParams(r.sql, r.params));
}

/** Plan listing, then `SQL (<dialect>):` and each scan. */
export function explainWithSql(e: Expr, cat: Catalog, d: SqlDialect, opts: ExplainOptions): string {
  const sql = scanSql(e, cat, d, opts);
  const lines = [explain(e, cat, opts)];
  if (sql.length) lines.push('', `SQL (${d.name}):`, ...sql.map((s, i) => `  [${i + 1}] ${s}`));
  return lines.join('\n');
}

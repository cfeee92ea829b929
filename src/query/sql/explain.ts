/**
 * `vigil query --explain`: the plan listing (plan/plan.ts) followed by the SQL
 * each store scan runs, parameters written in. Needs only the dialect and the
 * catalog, so it works without opening a store or reaching a server.
 */
import type { Expr } from '../logql/ast.js';
import { explain, planLog, pushableRange, type LineView } from '../plan/plan.js';
import type { Catalog, SqlDialect, SqlParam } from './dialect.js';
import { renderScan } from './render.js';

export interface ExplainOptions {
  fromNs: bigint;
  toNs: bigint;
  stepNs?: bigint;
  limit: number;
  direction: 'forward' | 'backward';
  view: LineView;
}

const literal = (v: SqlParam) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));

/** SQL with its `$n` placeholders replaced by the values, for reading. */
export function inlineParams(sql: string, params: readonly SqlParam[]): string {
  return sql.replace(/\$(\d+)/g, (m, i: string) => (Number(i) - 1 < params.length ? literal(params[Number(i) - 1]) : m));
}

/** The store scans of an expression, leaves first, each as readable SQL. */
export function scanSql(e: Expr, cat: Catalog, d: SqlDialect, opts: ExplainOptions): string[] {
  const out: string[] = [];
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'log': {
        const p = planLog(x, cat, opts);
        const r = renderScan(d, cat, p.scan);
        out.push(inlineParams(r.sql, r.params));
        return;
      }
      case 'range_agg': {
        const from = opts.fromNs - x.rangeNs - x.offsetNs;
        const p = planLog(x.log, cat, { ...opts, fromNs: from, toNs: opts.toNs - x.offsetNs + 1n, direction: 'forward', limit: undefined });
        const r = renderScan(d, cat, p.scan);
        const sql = inlineParams(r.sql, r.params);
        out.push(pushableRange(x, p) ? `${sql}\n    -- pushed: the store counts these rows per label set and time bucket (GROUP BY …, bucket) instead of returning them` : sql);
        return;
      }
      case 'vector_agg':
      case 'label_replace':
        walk(x.inner);
        return;
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

/** Plan listing, then `SQL (<dialect>):` and each scan. */
export function explainWithSql(e: Expr, cat: Catalog, d: SqlDialect, opts: ExplainOptions): string {
  const sql = scanSql(e, cat, d, opts);
  const lines = [explain(e, cat, opts)];
  if (sql.length) lines.push('', `SQL (${d.name}):`, ...sql.map((s, i) => `  [${i + 1}] ${s}`));
  return lines.join('\n');
}

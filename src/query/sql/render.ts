/**
 * Renders a plan's scan (selectors, time range, pushed line and label
 * filters, order, limit) as SQL through a dialect. Dialect-neutral.
 */
import type { Matcher } from '../logql/ast.js';
import type { Scan } from '../plan/plan.js';
import type { Catalog, RenderedSql, SqlDialect, SqlParam } from './dialect.js';

class Params {
  readonly values: SqlParam[] = [];
  constructor(private readonly d: SqlDialect) {}
  add(v: SqlParam): string {
    this.values.push(v);
    return this.d.placeholder(this.values.length, typeof v === 'string' ? 'string' : 'int64');
  }
}

function matcherSql(d: SqlDialect, cat: Catalog, m: Matcher, ps: Params): string {
  const col = cat.labels[m.name];
  if (!col) {
    // A label the store has no column for is missing, i.e. "": decide now.
    const empty = m.op === '=' ? m.value === '' : m.op === '!=' ? m.value !== '' : undefined;
    if (empty !== undefined) return empty ? 'TRUE' : 'FALSE';
    const re = new RegExp(`^(?:${m.value})$`);
    return re.test('') === (m.op === '=~') ? 'TRUE' : 'FALSE';
  }
  const neg = m.op === '!=' || m.op === '!~';
  const re = m.op === '=~' || m.op === '!~';
  if (col.list) {
    const p = ps.add(m.value);
    const any = re ? d.listAnyRegexFull(col.columns[0], p) : d.listContains(col.columns[0], p);
    return neg ? `NOT ${any}` : any;
  }
  const p = ps.add(m.value);
  const one = (c: string) => {
    const v = d.orEmpty(c);
    switch (m.op) {
      case '=': return `${v} = ${p}`;
      case '!=': return `${v} <> ${p}`;
      case '=~': return d.regexFull(v, p);
      case '!~': return `NOT ${d.regexFull(v, p)}`;
    }
  };
  if (col.columns.length === 1) return one(col.columns[0]);
  return `(${col.columns.map(one).join(neg ? ' AND ' : ' OR ')})`;
}

/** The WHERE conditions of a scan. */
export function whereSql(d: SqlDialect, cat: Catalog, scan: Scan, ps: Params): string[] {
  const where = [`${cat.ts} >= ${ps.add(scan.fromNs)}`, `${cat.ts} < ${ps.add(scan.toNs)}`];
  if (scan.seqFrom !== undefined) where.push(`${cat.seq} >= ${ps.add(BigInt(scan.seqFrom))}`);
  if (scan.seqTo !== undefined) where.push(`${cat.seq} < ${ps.add(BigInt(scan.seqTo))}`);
  for (const m of scan.matchers) where.push(matcherSql(d, cat, m, ps));
  for (const m of scan.labelFilters) where.push(matcherSql(d, cat, m, ps));
  for (const f of scan.lineFilters) {
    const alts = f.values.map((v) => {
      const p = ps.add(v);
      return f.op === '|=' || f.op === '!=' ? d.contains(cat.line, p) : d.regexSearch(cat.line, p);
    });
    const any = alts.length === 1 ? alts[0] : `(${alts.join(' OR ')})`;
    where.push(f.op.startsWith('!') ? `NOT ${any}` : any);
  }
  return where;
}

/** SELECT seq, ts, line, <label columns> … ORDER BY ts, seq in the scan's direction [LIMIT n]. */
export function renderScan(d: SqlDialect, cat: Catalog, scan: Scan): RenderedSql {
  const ps = new Params(d);
  const where = whereSql(d, cat, scan, ps);
  const dir = scan.direction === 'forward' ? 'ASC' : 'DESC';
  const cols = [cat.seq, cat.ts, cat.line, ...labelColumns(cat)];
  const limit = scan.limit !== undefined ? ` LIMIT ${ps.add(scan.limit)}` : '';
  return {
    sql: `SELECT ${cols.join(', ')} FROM ${cat.table} WHERE ${where.join(' AND ')} ORDER BY ${cat.ts} ${dir}, ${cat.seq} ${dir}${limit}`,
    params: ps.values,
  };
}

/** The distinct stored columns behind the catalog's labels, in a fixed order. */
export function labelColumns(cat: Catalog): string[] {
  return [...new Set(Object.values(cat.labels).flatMap((l) => l.columns))];
}

export { Params };

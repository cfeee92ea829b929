/**
 * Renders a plan's scan (selectors, time range, pushed line and label
 * filters, order, limit) as SQL through a dialect, and the per-bucket counts
 * of a pushed range aggregation. Dialect-neutral.
 *
 * A scan is rendered for its line view. In the `ecs` view labels are the
 * catalog's typed columns and the line is the ECS JSON. In the `original`
 * view (Loki API) a label's value is the pushed one if the entry has it,
 * else the derived one, else "" — the value the entry is returned with — and
 * line filters test the line as received; both are exact, so nothing needs
 * re-checking in TypeScript and the LIMIT can be pushed.
 */
import type { LineFilter, MatchOp, Matcher } from '../logql/ast.js';
import { compileRegex } from '../logql/regex.js';
import type { LineView, Scan } from '../plan/plan.js';
import type { Catalog, LabelColumn, LabelExpr, RenderedSql, SqlDialect, SqlParam } from './dialect.js';

class Params {
  readonly values: SqlParam[] = [];
  constructor(private readonly d: SqlDialect) {}
  add(v: SqlParam): string {
    this.values.push(v);
    return this.d.placeholder(this.values.length, typeof v === 'string' ? 'string' : 'int64');
  }
}

/** LogQL label names (the grammar's identifiers): safe to write into SQL text. */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function compare(d: SqlDialect, v: string, op: MatchOp, p: string): string {
  switch (op) {
    case '=': return `${v} = ${p}`;
    case '!=': return `${v} <> ${p}`;
    case '=~': return d.regexFull(v, p);
    case '!~': return d.not(d.regexFull(v, p));
  }
}

const isExpr = (l: LabelColumn | LabelExpr): l is LabelExpr => 'sql' in l;

/** A list column tested against a matcher: any element equal to / fully matching the value. */
function listMatch(d: SqlDialect, col: string, m: Matcher, p: string): string {
  const any = m.op === '=~' || m.op === '!~' ? d.listAnyRegexFull(col, p) : d.listContains(col, p);
  return m.op === '!=' || m.op === '!~' ? d.not(any) : any;
}

/** `ecs` view: a matcher on the typed columns. */
function ecsMatcherSql(d: SqlDialect, cat: Catalog, m: Matcher, ps: Params): string {
  const col = cat.labels[m.name];
  if (!col) {
    // A label the store has no column for is missing, i.e. "": decide now.
    const empty = m.op === '=' ? m.value === '' : m.op === '!=' ? m.value !== '' : undefined;
    if (empty !== undefined) return empty ? 'TRUE' : 'FALSE';
    return compileRegex(m.value, true).test('') === (m.op === '=~') ? 'TRUE' : 'FALSE';
  }
  const p = ps.add(m.value);
  if (col.list) return listMatch(d, col.columns[0], m, p);
  const neg = m.op === '!=' || m.op === '!~';
  const one = (c: string) => compare(d, d.orEmpty(c), m.op, p);
  if (col.columns.length === 1) return one(col.columns[0]);
  return `(${col.columns.map(one).join(neg ? ' AND ' : ' OR ')})`;
}

/** The value of a derived label, "" when absent. */
function derivedValue(d: SqlDialect, l: LabelColumn | LabelExpr | undefined): string {
  if (!l) return `''`;
  if (isExpr(l)) return d.orEmpty(l.sql);
  if (l.list) return d.orEmpty(d.listJoin(l.columns[0]));
  return d.orEmpty(l.columns.length === 1 ? l.columns[0] : d.firstNonEmpty(l.columns));
}

function checkName(name: string): void {
  if (!LABEL_NAME.test(name)) throw new Error(`not a label name: ${JSON.stringify(name)}`);
}

/** `original` view: the value a label is served with (pushed, else derived, else ""). */
export function servedLabelSql(d: SqlDialect, cat: Catalog, name: string): string {
  checkName(name);
  const o = cat.original;
  return d.ifElse(o.hasPushed(name), o.pushedValue(name), derivedValue(d, o.derived[name]));
}

/** A condition true when the catalog's line column contains one of the strings. */
function anyContains(d: SqlDialect, cat: Catalog, hints: string[], ps: Params): string {
  const alts = [...new Set(hints)].map((h) => d.contains(cat.line, ps.add(h)));
  return alts.length === 1 ? alts[0] : `(${alts.join(' OR ')})`;
}

/** `original` view: a matcher on the served label value. */
function originalMatcherSql(d: SqlDialect, cat: Catalog, m: Matcher, ps: Params): string {
  checkName(m.name);
  const o = cat.original;
  const der = o.derived[m.name];
  if (der && !isExpr(der) && der.list) {
    // A pushed value is compared as it is; the derived list label matches when any element does.
    const p = ps.add(m.value);
    return d.ifElse(o.hasPushed(m.name), compare(d, o.pushedValue(m.name), m.op, p), listMatch(d, der.columns[0], m, p));
  }
  // A label only a push can set: `name="value"` implies the pushed pair is in the document.
  const hints = !der && m.op === '=' && m.value !== '' ? o.pushedHint?.(m.name, m.value) : undefined;
  const pre = hints ? `${anyContains(d, cat, hints, ps)} AND ` : '';
  return pre + compare(d, servedLabelSql(d, cat, m.name), m.op, ps.add(m.value));
}

function lineFilterSql(d: SqlDialect, cat: Catalog, view: LineView, f: LineFilter, ps: Params): string {
  let pre = '';
  if (view === 'original' && f.op === '|=' && cat.original.lineHint) {
    const hints = f.values.map((v) => cat.original.lineHint!(v));
    if (hints.every((h) => h !== undefined)) pre = `${anyContains(d, cat, hints.flat() as string[], ps)} AND `;
  }
  const line = view === 'original' ? cat.original.line : cat.line;
  const alts = f.values.map((v) => {
    const p = ps.add(v);
    return f.op === '|=' || f.op === '!=' ? d.contains(line, p) : d.regexSearch(line, p);
  });
  const any = alts.length === 1 ? alts[0] : `(${alts.join(' OR ')})`;
  return pre + (f.op.startsWith('!') ? d.not(any) : any);
}

/** The WHERE conditions of a scan. */
export function whereSql(d: SqlDialect, cat: Catalog, scan: Scan, ps: Params): string[] {
  const view = scan.view ?? 'ecs';
  const where = [`${cat.ts} >= ${ps.add(scan.fromNs)}`, `${cat.ts} < ${ps.add(scan.toNs)}`];
  if (scan.seqFrom !== undefined) where.push(`${cat.seq} >= ${ps.add(BigInt(scan.seqFrom))}`);
  if (scan.seqTo !== undefined) where.push(`${cat.seq} < ${ps.add(BigInt(scan.seqTo))}`);
  const matcher = view === 'original' ? originalMatcherSql : ecsMatcherSql;
  for (const m of scan.matchers) where.push(matcher(d, cat, m, ps));
  for (const m of scan.labelFilters) where.push(matcher(d, cat, m, ps));
  for (const f of scan.lineFilters) where.push(lineFilterSql(d, cat, view, f, ps));
  return where;
}

/**
 * SELECT seq, ts, line document[, label columns] … ORDER BY ts, seq in the
 * scan's direction [LIMIT n]. The `ecs` view reads its labels from the
 * columns; the `original` view reads line and labels from the document.
 */
export function renderScan(d: SqlDialect, cat: Catalog, scan: Scan): RenderedSql {
  const ps = new Params(d);
  const where = whereSql(d, cat, scan, ps);
  const dir = scan.direction === 'forward' ? 'ASC' : 'DESC';
  const cols = [cat.seq, cat.ts, cat.line, ...((scan.view ?? 'ecs') === 'ecs' && !scan.lineOnly ? labelColumns(cat) : [])];
  const limit = scan.limit === undefined ? '' : ` LIMIT ${d.literalLimit ? String(scan.limit) : ps.add(scan.limit)}`;
  return {
    sql: `SELECT ${cols.join(', ')} FROM ${cat.table} WHERE ${where.join(' AND ')} ORDER BY ${cat.ts} ${dir}, ${cat.seq} ${dir}${limit}`,
    params: ps.values,
  };
}

/** What a pushed range aggregation asks of the store: counts (and line bytes) per label set and time bucket. */
export interface BucketSpec {
  /** Labels to group by, in the scan's view. */
  labels: string[];
  /** Bucket k holds base + (k−1)·width < ts ≤ base + k·width. */
  baseNs: bigint;
  widthNs: bigint;
  bytes: boolean;
}

/** The label's value as a grouping expression (NULL or "" when absent). */
function groupExpr(d: SqlDialect, cat: Catalog, view: LineView, name: string): string {
  if (view === 'original') return servedLabelSql(d, cat, name);
  const l = cat.labels[name];
  return l.list ? d.listJoin(l.columns[0]) : l.columns.length > 1 ? d.firstNonEmpty(l.columns) : l.columns[0];
}

/**
 * SELECT <labels> g1…gn, bucket, count(*) AS n, sum(<line bytes>) AS bytes
 * … GROUP BY g1…gn, bucket. Columns come back in that order.
 */
export function renderBuckets(d: SqlDialect, cat: Catalog, scan: Scan, spec: BucketSpec): RenderedSql {
  const view = scan.view ?? 'ecs';
  const ps = new Params(d);
  const groups = spec.labels.map((name, i) => `${groupExpr(d, cat, view, name)} AS g${i + 1}`);
  const bucket = `${d.intDiv(`${cat.ts} - ${ps.add(spec.baseNs)} - 1`, ps.add(spec.widthNs))} + 1 AS bucket`;
  const bytes = spec.bytes ? `sum(${d.byteLength(view === 'original' ? cat.original.line : cat.line)})` : '0';
  const where = whereSql(d, cat, scan, ps);
  const keys = [...spec.labels.map((_, i) => `g${i + 1}`), 'bucket'];
  return {
    sql: `SELECT ${[...groups, bucket, 'count(*) AS n', `${bytes} AS bytes`].join(', ')} FROM ${cat.table} WHERE ${where.join(' AND ')} GROUP BY ${keys.join(', ')}`,
    params: ps.values,
  };
}

/** The distinct stored columns behind the catalog's labels, in a fixed order. */
export function labelColumns(cat: Catalog): string[] {
  return [...new Set(Object.values(cat.labels).flatMap((l) => l.columns))];
}

export { Params };

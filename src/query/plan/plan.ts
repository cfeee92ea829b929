/**
 * The logical plan: what the store does (a Scan: selectors, time range, the
 * line and label filters that can be pushed down, order, limit) and what
 * runs in TypeScript afterwards (the residual pipeline, range and vector
 * aggregation). It prints as a stable text listing (`vigil query --explain`).
 */
import type { Expr, Grouping, LineFilter, LogSelector, Matcher, RangeAggregation, Stage } from '../logql/ast.js';
import { formatDuration } from '../logql/literals.js';
import { printLogQL, printStage } from '../logql/print.js';
import type { Catalog } from '../sql/dialect.js';

/** Which line LogQL sees: the normalized event as compact ECS JSON, or the record as received (Loki API). */
export type LineView = 'ecs' | 'original';

export interface Scan {
  matchers: Matcher[];
  /** Label filters on stored labels, before any parser or formatting stage. */
  labelFilters: Matcher[];
  /** Line filters the store evaluates on the stored line. */
  lineFilters: LineFilter[];
  fromNs: bigint;
  toNs: bigint;
  direction: 'forward' | 'backward';
  /** Pushed only when nothing after the scan can drop a line. */
  limit?: number;
  /** Only events with seqFrom <= vigil.seq < seqTo (the Loki tail follows commits by sequence number). */
  seqFrom?: number;
  seqTo?: number;
}

export interface LogPlan {
  scan: Scan;
  /** Stages run per line in TypeScript, in order (pushed filters are re-checked only for the `original` view). */
  residual: Stage[];
  limit: number;
  view: LineView;
}

/** Splits a log selector into what the store can do and what stays in TypeScript. */
export function planLog(
  log: LogSelector,
  cat: Catalog,
  opts: { fromNs: bigint; toNs: bigint; direction: 'forward' | 'backward'; limit?: number; view: LineView; seqFrom?: number; seqTo?: number },
): LogPlan {
  // In the original view, labels the store has no column for (those sent with a Loki push) live in
  // the document: match them per line, with a pre-filter on the document's JSON text for `=`.
  const stored = opts.view === 'ecs' ? log.matchers : log.matchers.filter((m) => cat.labels[m.name]);
  const scan: Scan = { matchers: stored, labelFilters: [], lineFilters: [], fromNs: opts.fromNs, toNs: opts.toNs, direction: opts.direction };
  if (opts.seqFrom !== undefined) scan.seqFrom = opts.seqFrom;
  if (opts.seqTo !== undefined) scan.seqTo = opts.seqTo;
  const residual: Stage[] = [];
  for (const m of log.matchers) {
    if (stored.includes(m)) continue;
    residual.push({ kind: 'label_filter', predicate: { kind: 'string', matcher: m } });
    if (m.op === '=' && m.value !== '') scan.lineFilters.push({ kind: 'line_filter', op: '|=', values: [JSON.stringify({ [m.name]: m.value }).slice(1, -1)] });
  }
  let pushable = true;
  for (const s of log.pipeline) {
    if (pushable && s.kind === 'line_filter' && !s.ip && (s.op === '|=' || s.op === '!=' || s.op === '|~' || s.op === '!~')) {
      if (opts.view === 'ecs') {
        scan.lineFilters.push(s);
        continue;
      }
      // The original line is stored inside the JSON document, escaped: `|= "x"` on it implies
      // the document contains x JSON-escaped, so push that as a pre-filter and re-check exactly.
      if (s.op === '|=') scan.lineFilters.push({ ...s, values: s.values.map((v) => JSON.stringify(v).slice(1, -1)) });
      residual.push(s);
      continue;
    }
    if (pushable && s.kind === 'label_filter' && s.predicate.kind === 'string' && cat.labels[s.predicate.matcher.name] && opts.view === 'ecs') {
      scan.labelFilters.push(s.predicate.matcher);
      continue;
    }
    if (s.kind !== 'line_filter' && s.kind !== 'label_filter') pushable = false;
    residual.push(s);
  }
  if (opts.limit !== undefined && !residual.some((s) => s.kind === 'line_filter' || s.kind === 'label_filter')) scan.limit = opts.limit;
  return { scan, residual, limit: opts.limit ?? Infinity, view: opts.view };
}

/** When a range aggregation can be computed by the store alone (counts and bytes per time bucket). */
export function pushableRange(e: RangeAggregation, plan: LogPlan): boolean {
  if (e.unwrap || plan.residual.length) return false;
  if (e.op === 'count_over_time' || e.op === 'rate' || e.op === 'absent_over_time') return true;
  return (e.op === 'bytes_over_time' || e.op === 'bytes_rate') && plan.view === 'ecs';
}

const ns = (t: bigint) => formatDuration(t);

export function printScan(s: Scan, view: LineView): string {
  const parts = [`{${s.matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`];
  for (const m of s.labelFilters) parts.push(`label ${m.name}${m.op}${JSON.stringify(m.value)}`);
  for (const f of s.lineFilters) parts.push(`line ${f.op} ${f.values.map((v) => JSON.stringify(v)).join(' or ')}`);
  parts.push(`ts in [${s.fromNs}, ${s.toNs})`);
  if (s.seqFrom !== undefined || s.seqTo !== undefined) parts.push(`seq in [${s.seqFrom ?? 0}, ${s.seqTo ?? '∞'})`);
  parts.push(`order ${s.direction}`);
  if (s.limit !== undefined) parts.push(`limit ${s.limit}`);
  return `scan events (${view} line) where ${parts.join(' and ')}`;
}

const grouping = (g?: Grouping) => (g ? ` ${g.without ? 'without' : 'by'} (${g.labels.join(', ')})` : '');

/** A numbered listing of the plan, leaves first. */
export function explain(e: Expr, cat: Catalog, opts: { fromNs: bigint; toNs: bigint; stepNs?: bigint; limit: number; direction: 'forward' | 'backward'; view: LineView }): string {
  const lines: string[] = [];
  const emit = (s: string) => {
    lines.push(s);
    return lines.length;
  };
  const walk = (x: Expr): number => {
    switch (x.kind) {
      case 'log': {
        const p = planLog(x, cat, opts);
        let id = emit(`${printScan(p.scan, p.view)}  [store]`);
        for (const s of p.residual) id = emit(`${printStage(s)} <- %${id}`);
        return emit(`limit ${opts.limit} ${opts.direction} <- %${id}`);
      }
      case 'range_agg': {
        const from = opts.fromNs - x.rangeNs - x.offsetNs;
        const p = planLog(x.log, cat, { ...opts, fromNs: from, toNs: opts.toNs - x.offsetNs + 1n, direction: 'forward', limit: undefined });
        if (pushableRange(x, p)) {
          return emit(`${printScan(p.scan, p.view)} | ${x.op} [${ns(x.rangeNs)}] buckets${grouping(x.grouping)}  [store]`);
        }
        let id = emit(`${printScan(p.scan, p.view)}  [store]`);
        for (const s of p.residual) id = emit(`${printStage(s)} <- %${id}`);
        if (x.unwrap) id = emit(`unwrap ${x.unwrap.conv ? `${x.unwrap.conv}(${x.unwrap.label})` : x.unwrap.label}${x.unwrap.post.map((s) => ` ${printStage(s)}`).join('')} <- %${id}`);
        return emit(`${x.op}${x.param !== undefined ? `(${x.param})` : ''} [${ns(x.rangeNs)}]${x.offsetNs ? ` offset ${ns(x.offsetNs)}` : ''}${grouping(x.grouping)} <- %${id}`);
      }
      case 'vector_agg': {
        const id = walk(x.inner);
        return emit(`${x.op}${x.param !== undefined ? `(${x.param})` : ''}${grouping(x.grouping)} <- %${id}`);
      }
      case 'binop': {
        const [l, r] = [walk(x.left), walk(x.right)];
        return emit(`${x.op}${x.modifier.bool ? ' bool' : ''} <- %${l}, %${r}`);
      }
      case 'label_replace': {
        const id = walk(x.inner);
        return emit(`label_replace ${JSON.stringify(x.dst)} ${JSON.stringify(x.replacement)} ${JSON.stringify(x.src)} ${JSON.stringify(x.regex)} <- %${id}`);
      }
      default:
        return emit(printLogQL(x));
    }
  };
  walk(e);
  return lines.map((l, i) => `%${i + 1} = ${l}`).join('\n');
}

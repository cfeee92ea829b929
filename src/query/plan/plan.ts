/**
 * The logical plan: what the store does (a Scan: selectors, time range, the
 * line and label filters that can be pushed down, order, limit) and what
 * runs in TypeScript afterwards (the residual pipeline, range and vector
 * aggregation). It prints as a stable text listing (`vigil query --explain`).
 */
import type { Expr, Grouping, LineFilter, LogSelector, Matcher, RangeAggregation, Stage, VectorAggregation } from '../logql/ast.js';
import { formatDuration } from '../logql/literals.js';
import { printLogQL, printStage } from '../logql/print.js';
import type { Catalog } from '../sql/dialect.js';

/** Which line LogQL sees: the normalized event as compact ECS JSON, or the record as received (Loki API). */
export type LineView = 'ecs' | 'original';

export interface Scan {
  /** The line view the scan is rendered for (default `ecs`). */
  view?: LineView;
  matchers: Matcher[];
  /** Label filters on stream labels, before any parser or formatting stage. */
  labelFilters: Matcher[];
  /** Line filters the store evaluates, exactly, on the view's line. */
  lineFilters: LineFilter[];
  fromNs: bigint;
  toNs: bigint;
  direction: 'forward' | 'backward';
  /** Pushed only when nothing after the scan can drop a line. */
  limit?: number;
  /** Only events with seqFrom <= vigil.seq < seqTo (the Loki tail follows commits by sequence number). */
  seqFrom?: number;
  seqTo?: number;
  /** The caller reads only seq, ts and line (no stream labels), so the store need not return label columns. */
  lineOnly?: boolean;
}

export interface LogPlan {
  scan: Scan;
  /** Stages run per line in TypeScript, in order. */
  residual: Stage[];
  limit: number;
  view: LineView;
}

/**
 * Splits a log selector into what the store can do and what stays in
 * TypeScript. The store evaluates the selector, and the line filters and
 * string label filters up to the first parser or formatting stage, exactly
 * for the view being served (render.ts): in the `original` view on the line
 * as received and on the label values entries are returned with.
 */
export function planLog(
  log: LogSelector,
  cat: Catalog,
  opts: { fromNs: bigint; toNs: bigint; direction: 'forward' | 'backward'; limit?: number; view: LineView; seqFrom?: number; seqTo?: number; lineOnly?: boolean },
): LogPlan {
  const scan: Scan = { view: opts.view, matchers: log.matchers, labelFilters: [], lineFilters: [], fromNs: opts.fromNs, toNs: opts.toNs, direction: opts.direction };
  if (opts.seqFrom !== undefined) scan.seqFrom = opts.seqFrom;
  if (opts.seqTo !== undefined) scan.seqTo = opts.seqTo;
  const residual: Stage[] = [];
  // Before the first parser or formatting stage the labels are the stream labels, which the store knows:
  // the `ecs` view's are its columns, the `original` view's any name (pushed, else derived, else "").
  const storedLabel = (name: string) => (opts.view === 'ecs' ? !!cat.labels[name] : true);
  let pushable = true;
  for (const s of log.pipeline) {
    if (pushable && s.kind === 'line_filter' && !s.ip && (s.op === '|=' || s.op === '!=' || s.op === '|~' || s.op === '!~')) {
      scan.lineFilters.push(s);
      continue;
    }
    if (pushable && s.kind === 'label_filter' && s.predicate.kind === 'string' && storedLabel(s.predicate.matcher.name)) {
      scan.labelFilters.push(s.predicate.matcher);
      continue;
    }
    if (s.kind !== 'line_filter' && s.kind !== 'label_filter') pushable = false;
    residual.push(s);
  }
  if (opts.limit !== undefined && !residual.some((s) => s.kind === 'line_filter' || s.kind === 'label_filter')) scan.limit = opts.limit;
  // Residual stages may read labels; without any, a caller that wants lines alone skips the label columns.
  if (opts.lineOnly && residual.length === 0) scan.lineOnly = true;
  return { scan, residual, limit: opts.limit ?? Infinity, view: opts.view };
}

/** The scan of a range aggregation evaluated at start, start+step, … end: every window (t − offset − range, t − offset]. */
export function planRange(e: RangeAggregation, cat: Catalog, opts: { startNs: bigint; endNs: bigint; view: LineView }): LogPlan {
  return planLog(e.log, cat, {
    fromNs: opts.startNs - e.offsetNs - e.rangeNs + 1n,
    toNs: opts.endNs - e.offsetNs + 1n,
    direction: 'forward',
    view: opts.view,
  });
}

/** When a range aggregation can be computed by the store alone (counts and bytes per time bucket). */
export function pushableRange(e: RangeAggregation, plan: LogPlan): boolean {
  if (e.unwrap || plan.residual.length) return false;
  return e.op === 'count_over_time' || e.op === 'rate' || e.op === 'absent_over_time' || e.op === 'bytes_over_time' || e.op === 'bytes_rate';
}

/** `sum by (l…) (<range aggregation>)`: the labels the store may group by directly, else undefined. */
export function outerGrouping(v: VectorAggregation): string[] | undefined {
  return v.op === 'sum' && v.grouping && !v.grouping.without && v.inner.kind === 'range_agg' && !v.inner.grouping ? v.grouping.labels : undefined;
}

/**
 * The labels a pushed range aggregation groups its buckets by, or undefined
 * when it runs in TypeScript. `ecs` view: the stream labels (all columns, or
 * the outer `sum by` ones); `original` view: only under a `sum by`, since
 * pushed labels make the full label set open-ended.
 */
export function storeGrouping(e: RangeAggregation, plan: LogPlan, cat: Catalog, outer: string[] | undefined): string[] | undefined {
  if (!pushableRange(e, plan)) return undefined;
  if (plan.view === 'original') return outer;
  if (!outer) return Object.keys(cat.labels);
  return outer.every((l) => cat.labels[l]) ? outer : undefined;
}

/** Bucket width and origin of a pushed range aggregation: windows are whole numbers of buckets. */
export function rangeBuckets(e: RangeAggregation, startNs: bigint, stepNs: bigint): { baseNs: bigint; widthNs: bigint } {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  return { baseNs: startNs - e.offsetNs - e.rangeNs, widthNs: gcd(stepNs, e.rangeNs) };
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

export interface ExplainOptions {
  fromNs: bigint;
  toNs: bigint;
  /** Metric queries: the step (default: the range of each aggregation). */
  stepNs?: bigint;
  limit: number;
  direction: 'forward' | 'backward';
  view: LineView;
}

/** A numbered listing of the plan, leaves first. */
export function explain(e: Expr, cat: Catalog, opts: ExplainOptions): string {
  const lines: string[] = [];
  const emit = (s: string) => {
    lines.push(s);
    return lines.length;
  };
  const range = (x: RangeAggregation, outer: string[] | undefined): number => {
    const p = planRange(x, cat, { startNs: opts.fromNs, endNs: opts.toNs, view: opts.view });
    const g = storeGrouping(x, p, cat, outer);
    if (g) {
      const { widthNs } = rangeBuckets(x, opts.fromNs, opts.stepNs ?? x.rangeNs);
      const by = outer ? ` by (${g.join(', ')})` : '';
      return emit(`${printScan(p.scan, p.view)} | ${x.op} [${ns(x.rangeNs)}]${x.offsetNs ? ` offset ${ns(x.offsetNs)}` : ''} in buckets of ${ns(widthNs)}${by}  [store]`);
    }
    let id = emit(`${printScan(p.scan, p.view)}  [store]`);
    for (const s of p.residual) id = emit(`${printStage(s)} <- %${id}`);
    if (x.unwrap) id = emit(`unwrap ${x.unwrap.conv ? `${x.unwrap.conv}(${x.unwrap.label})` : x.unwrap.label}${x.unwrap.post.map((s) => ` ${printStage(s)}`).join('')} <- %${id}`);
    return emit(`${x.op}${x.param !== undefined ? `(${x.param})` : ''} [${ns(x.rangeNs)}]${x.offsetNs ? ` offset ${ns(x.offsetNs)}` : ''}${grouping(x.grouping)} <- %${id}`);
  };
  const walk = (x: Expr): number => {
    switch (x.kind) {
      case 'log': {
        const p = planLog(x, cat, opts);
        let id = emit(`${printScan(p.scan, p.view)}  [store]`);
        for (const s of p.residual) id = emit(`${printStage(s)} <- %${id}`);
        return emit(`limit ${opts.limit} ${opts.direction} <- %${id}`);
      }
      case 'range_agg':
        return range(x, undefined);
      case 'vector_agg': {
        const outer = outerGrouping(x);
        const id = outer ? range(x.inner as RangeAggregation, outer) : walk(x.inner);
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

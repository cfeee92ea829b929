/**
 * Evaluates metric queries at steps start, start+step, … ≤ end (Loki's
 * semantics: each window is (t − offset − range, t − offset], an empty window
 * yields no point). Range aggregations stream the scan in time order and keep
 * only the samples inside the current window; counts and bytes without a
 * residual pipeline are computed by the store per time bucket.
 */
import type { QueryBudget } from '../budget.js';
import type { Expr, RangeAggregation } from '../logql/ast.js';
import { QueryLimitError } from '../errors.js';
import { parseBytes, parseDuration } from '../logql/literals.js';
import { compilePipeline } from '../pipeline/pipeline.js';
import { outerGrouping, planRange, rangeBuckets, storeGrouping, type LineView, type LogPlan } from '../plan/plan.js';
import type { SqlReader } from '../sql/dialect.js';
import { renderBuckets } from '../sql/render.js';
import { scanEntries, type ScanStats } from './logs.js';
import { aggregate, group, labelReplace, labelsKey, scalarOp, vectorScalar, vectorVector, type Labels, type Vector } from './vector.js';

export const MAX_SERIES = 500;

export interface MetricContext {
  reader: SqlReader;
  startNs: bigint;
  endNs: bigint;
  stepNs: bigint;
  view: LineView;
  stats: ScanStats;
  maxSeries?: number;
  /** Deadline, event-loop slices and samples held (see budget.ts). */
  budget: QueryBudget;
}

/** One value per step: a vector, or a scalar. */
export type StepValues = { kind: 'vector'; steps: Vector[] } | { kind: 'scalar'; steps: number[] };

export function stepCount(ctx: MetricContext): number {
  return Number((ctx.endNs - ctx.startNs) / ctx.stepNs) + 1;
}

/**
 * `top`: whether `e` is the whole query. As in Loki, max_query_series bounds
 * the series a query returns (engine.ts checks the result), not those inside
 * an aggregation. Where the series a range aggregation makes are those the
 * query returns (it is the whole query, or the store groups it by the labels
 * of the `sum by` that is), it fails as soon as one series too many appears,
 * before the rest are built.
 */
export async function evalMetric(e: Expr, ctx: MetricContext, top = true): Promise<StepValues> {
  const n = stepCount(ctx);
  switch (e.kind) {
    case 'literal':
      return { kind: 'scalar', steps: new Array<number>(n).fill(e.value) };
    case 'vector':
      return { kind: 'vector', steps: Array.from({ length: n }, () => [{ labels: {}, value: e.value }]) };
    case 'range_agg':
      return { kind: 'vector', steps: await evalRange(e, ctx, undefined, top ? ctx.maxSeries ?? MAX_SERIES : undefined) };
    case 'vector_agg': {
      // sum by (labels) over counts: let the store group by those labels only.
      const outer = outerGrouping(e);
      const max = top ? ctx.maxSeries ?? MAX_SERIES : undefined;
      const inner = outer ? { kind: 'vector' as const, steps: await evalRange(e.inner as RangeAggregation, ctx, outer, max) } : await evalMetric(e.inner, ctx, false);
      if (inner.kind === 'scalar') throw new QueryLimitError(`${e.op}: expected a vector, got a scalar`);
      return { kind: 'vector', steps: await mapSteps(ctx, inner.steps, (v) => aggregate(e, v)) };
    }
    case 'label_replace': {
      const inner = await evalMetric(e.inner, ctx, false);
      if (inner.kind === 'scalar') return inner;
      return { kind: 'vector', steps: await mapSteps(ctx, inner.steps, (v) => labelReplace(v, e.dst, e.replacement, e.src, e.regex)) };
    }
    case 'binop': {
      const [l, r] = await Promise.all([evalMetric(e.left, ctx, false), evalMetric(e.right, ctx, false)]);
      if (l.kind === 'scalar' && r.kind === 'scalar') {
        return { kind: 'scalar', steps: l.steps.map((a, i) => scalarOp(e.op, a, r.steps[i], true) ?? NaN) };
      }
      if (l.kind === 'vector' && r.kind === 'scalar') return { kind: 'vector', steps: await mapSteps(ctx, l.steps, (v, i) => vectorScalar(e, v, r.steps[i], false)) };
      if (l.kind === 'scalar' && r.kind === 'vector') return { kind: 'vector', steps: await mapSteps(ctx, r.steps, (v, i) => vectorScalar(e, v, l.steps[i], true)) };
      const rs = (r as { steps: Vector[] }).steps;
      return { kind: 'vector', steps: await mapSteps(ctx, (l as { steps: Vector[] }).steps, (v, i) => vectorVector(e, v, rs[i])) };
    }
    case 'log':
      throw new QueryLimitError('log queries are not supported in a metric expression');
  }
}

/** Maps each step's vector, letting the event loop run between steps when the budget says so. */
async function mapSteps(ctx: MetricContext, steps: Vector[], f: (v: Vector, i: number) => Vector): Promise<Vector[]> {
  const out: Vector[] = [];
  for (let i = 0; i < steps.length; i++) {
    out.push(f(steps[i], i));
    if (ctx.budget.tick(steps[i].length + 1)) await ctx.budget.pause();
  }
  return out;
}

// ---- range aggregations ----

/**
 * `maxSeries`: the most series the query may return, set when the aggregation
 * is the whole query or (with `outer`) the `sum by` around it is; under a
 * `sum by`, the aggregation's series are the query's only when the store groups by its labels.
 */
async function evalRange(e: RangeAggregation, ctx: MetricContext, outer: string[] | undefined, maxSeries?: number): Promise<Vector[]> {
  const plan = planRange(e, ctx.reader.catalog, ctx);
  const labels = storeGrouping(e, plan, ctx.reader.catalog, outer);
  return labels ? evalRangeInStore(e, ctx, plan, labels, maxSeries) : evalRangeStreaming(e, ctx, plan, outer ? undefined : maxSeries);
}

const seconds = (ns: bigint) => Number(ns) / 1e9;

/** Counts and bytes per (series, time bucket) from the store, then summed per window. */
async function evalRangeInStore(e: RangeAggregation, ctx: MetricContext, plan: LogPlan, names: string[], maxSeries: number | undefined): Promise<Vector[]> {
  const { dialect: d, catalog: cat } = ctx.reader;
  const { budget } = ctx;
  const { baseNs, widthNs: g } = rangeBuckets(e, ctx.startNs, ctx.stepNs);
  const { sql, params } = renderBuckets(d, cat, plan.scan, { labels: names, baseNs, widthNs: g, bytes: e.op.startsWith('bytes') });
  const series = new Map<string, { labels: Labels; buckets: Map<number, number> }>();
  const nb = names.length;
  const n = stepCount(ctx);
  const perStep = Number(ctx.stepNs / g);
  const perRange = Number(e.rangeNs / g);
  // whether bucket b lies in some step's window (k·perStep, k·perStep + perRange]: then its series has a point
  const inWindow = (b: number) => {
    const k = Math.max(0, Math.ceil((b - perRange) / perStep));
    return k < n && k * perStep < b;
  };
  const limited = maxSeries !== undefined && e.op !== 'absent_over_time';
  const returned = new Set<string>();
  for await (const chunk of ctx.reader.select(sql, params, budget.signal)) {
    for (const row of chunk) {
      if (budget.tick()) await budget.pause();
      budget.hold(1);
      const labels: Labels = {};
      for (let i = 0; i < nb; i++) if (row[i] !== null && row[i] !== '') labels[names[i]] = String(row[i]);
      const key = labelsKey(labels);
      let s = series.get(key);
      if (!s) series.set(key, (s = { labels, buckets: new Map() }));
      const value = e.op.startsWith('bytes') ? Number(row[nb + 2]) : Number(row[nb + 1]);
      const bucket = Number(row[nb]);
      s.buckets.set(bucket, value);
      if (limited && !returned.has(key) && inWindow(bucket)) {
        returned.add(key);
        if (returned.size > maxSeries) throw new QueryLimitError(`maximum of series (${maxSeries}) reached for a single query`);
      }
      ctx.stats.scanned += Number(row[nb + 1]);
    }
  }
  const out: Vector[] = Array.from({ length: n }, () => []);
  const rangeSec = seconds(e.rangeNs);
  for (const s of series.values()) {
    if (budget.tick()) await budget.pause();
    const idx = [...s.buckets.keys()].sort((a, b) => a - b);
    const prefix = [0];
    for (const i of idx) prefix.push(prefix[prefix.length - 1] + s.buckets.get(i)!);
    // first index with bucket > x
    const upper = (x: number) => {
      let lo = 0;
      let hi = idx.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (idx[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let points = 0;
    for (let k = 0; k < n; k++) {
      const lo = k * perStep;
      const total = prefix[upper(lo + perRange)] - prefix[upper(lo)];
      if (upper(lo + perRange) === upper(lo)) continue; // empty window: no point
      const value = e.op === 'rate' || e.op === 'bytes_rate' ? total / rangeSec : total;
      if (e.op !== 'absent_over_time') out[k].push({ labels: s.labels, value });
      points++;
    }
    budget.hold(points);
  }
  if (e.op === 'absent_over_time') return absent(e, out, series.size ? [...series.values()] : [], ctx, perStep, perRange);
  return out;
}

function absent(e: RangeAggregation, _out: Vector[], series: { buckets: Map<number, number> }[], ctx: MetricContext, perStep: number, perRange: number): Vector[] {
  const all = new Set<number>();
  for (const s of series) for (const b of s.buckets.keys()) all.add(b);
  const sorted = [...all].sort((a, b) => a - b);
  const labels = absentLabels(e);
  return Array.from({ length: stepCount(ctx) }, (_, k) => {
    const lo = k * perStep;
    const any = sorted.some((b) => b > lo && b <= lo + perRange);
    return any ? [] : [{ labels, value: 1 }];
  });
}

function absentLabels(e: RangeAggregation): Labels {
  const out: Labels = {};
  const seen = new Set<string>();
  for (const m of e.log.matchers) {
    if (m.op !== '=' || seen.has(m.name)) {
      delete out[m.name];
      seen.add(m.name);
      continue;
    }
    seen.add(m.name);
    out[m.name] = m.value;
  }
  return out;
}

interface WindowSeries {
  labels: Labels;
  ts: bigint[];
  values: number[];
  head: number;
}

/** Streams entries in time order; at each step, aggregates each series' samples inside the window. */
async function evalRangeStreaming(e: RangeAggregation, ctx: MetricContext, plan: LogPlan, maxSeries: number | undefined): Promise<Vector[]> {
  const n = stepCount(ctx);
  const out: Vector[] = Array.from({ length: n }, () => []);
  const series = new Map<string, WindowSeries>();
  const extract = sampleExtractor(e);
  const { budget } = ctx;
  const returned = new Set<string>();
  let k = 0;
  const stepEnd = (i: number) => ctx.startNs + BigInt(i) * ctx.stepNs - e.offsetNs;
  const emit = async (i: number) => {
    const hi = stepEnd(i);
    const lo = hi - e.rangeNs;
    let anySeries = false;
    for (const [key, s] of series) {
      if (budget.tick()) await budget.pause();
      const before = s.head;
      while (s.head < s.ts.length && s.ts[s.head] <= lo) s.head++;
      budget.hold(before - s.head); // samples out of every later window are released
      if (s.head >= s.ts.length) {
        series.delete(key); // nothing left for later windows either
        continue;
      }
      // compact the consumed prefix now and then
      if (s.head > 1024 && s.head * 2 > s.ts.length) {
        s.ts = s.ts.slice(s.head);
        s.values = s.values.slice(s.head);
        s.head = 0;
      }
      let end = s.ts.length;
      while (end > s.head && s.ts[end - 1] > hi) end--;
      if (end === s.head) continue;
      anySeries = true;
      if (e.op !== 'absent_over_time') {
        out[i].push({ labels: s.labels, value: rangeFn(e, s.values.slice(s.head, end), s.ts.slice(s.head, end)) });
        budget.hold(1);
        if (maxSeries !== undefined && !returned.has(key) && returned.add(key).size > maxSeries) throw new QueryLimitError(`maximum of series (${maxSeries}) reached for a single query`);
      }
    }
    if (e.op === 'absent_over_time' && !anySeries) out[i].push({ labels: absentLabels(e), value: 1 });
  };
  for await (const entry of scanEntries(ctx.reader, plan, ctx.stats, budget)) {
    while (k < n && entry.ts > stepEnd(k)) await emit(k++);
    const sample = extract(entry.labels, entry.line);
    if (!sample) continue;
    const key = labelsKey(sample.labels);
    let s = series.get(key);
    if (!s) series.set(key, (s = { labels: sample.labels, ts: [], values: [], head: 0 }));
    s.ts.push(entry.ts);
    s.values.push(sample.value);
    budget.hold(1);
  }
  while (k < n) await emit(k++);
  return out;
}

/** Turns an entry into a sample (labels, value), or undefined to skip it; throws Loki's pipeline error. */
function sampleExtractor(e: RangeAggregation): (labels: Map<string, string>, line: string) => { labels: Labels; value: number } | undefined {
  const post = compilePipeline(e.unwrap?.post ?? []);
  return (lm, line) => {
    let value: number;
    if (e.unwrap) {
      const raw = lm.get(e.unwrap.label);
      lm.delete(e.unwrap.label);
      if (raw === undefined || raw === '') return undefined;
      const v = convert(raw.trim(), e.unwrap.conv);
      if (v === undefined) {
        if (!lm.has('__error__')) {
          lm.set('__error__', 'SampleExtractionErr');
          lm.set('__error_details__', `strconv.ParseFloat: parsing ${JSON.stringify(raw)}: invalid syntax`);
        }
        value = 0;
      } else value = v;
      if (!post({ ts: 0n, line, labels: lm, stream: new Set() })) return undefined;
    } else value = e.op.startsWith('bytes') ? Buffer.byteLength(line) : 1;
    if (lm.has('__error__')) {
      const labels = Object.fromEntries(lm);
      throw new QueryLimitError(`pipeline error: '${lm.get('__error__')}' for series: '${labelsKey(labels)}'.\nUse a label filter to intentionally skip this error. (e.g | __error__!="${lm.get('__error__')}").\nTo skip all potential errors you can match empty errors.(e.g __error__="")\nThe label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n`);
    }
    const labels = group(Object.fromEntries(lm), e.grouping ?? { without: true, labels: [] });
    return { labels, value };
  };
}

function convert(raw: string, conv?: string): number | undefined {
  if (conv === 'duration' || conv === 'duration_seconds') {
    const d = parseDuration(raw);
    return d === undefined ? undefined : Number(d) / 1e9;
  }
  if (conv === 'bytes') return parseBytes(raw);
  const v = Number(raw);
  return raw === '' || Number.isNaN(v) ? undefined : v;
}

function rangeFn(e: RangeAggregation, v: number[], ts: bigint[]): number {
  const rangeSec = seconds(e.rangeNs);
  const sum = () => v.reduce((a, b) => a + b, 0);
  switch (e.op) {
    case 'count_over_time': return v.length;
    case 'rate': return e.unwrap ? sum() / rangeSec : v.length / rangeSec;
    case 'bytes_over_time': return sum();
    case 'bytes_rate': return sum() / rangeSec;
    case 'sum_over_time': return sum();
    case 'avg_over_time': return sum() / v.length;
    case 'min_over_time': return Math.min(...v);
    case 'max_over_time': return Math.max(...v);
    case 'first_over_time': return v[0];
    case 'last_over_time': return v[v.length - 1];
    case 'stdvar_over_time':
    case 'stddev_over_time': {
      const mean = sum() / v.length;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
      return e.op === 'stddev_over_time' ? Math.sqrt(variance) : variance;
    }
    case 'quantile_over_time': return quantile(e.param!, v);
    case 'rate_counter': {
      // Prometheus-style counter rate over the window without extrapolation.
      let inc = 0;
      for (let i = 1; i < v.length; i++) inc += v[i] >= v[i - 1] ? v[i] - v[i - 1] : v[i];
      void ts;
      return inc / rangeSec;
    }
    case 'absent_over_time': return 1;
  }
}

/** Prometheus' quantile: linear interpolation between the closest ranks. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const s = [...values].sort((a, b) => a - b);
  const rank = q * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, s.length - 1);
  const w = rank - lo;
  return s[lo] * (1 - w) + s[hi] * w;
}

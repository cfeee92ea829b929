/** Instant vectors and the operations on them: aggregation, binary operators, label_replace. */
import type { BinaryExpr, Grouping, VectorAggregation } from '../logql/ast.js';
import { compileRegex } from '../logql/regex.js';
import { QueryLimitError } from '../errors.js';

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

export type Vector = Sample[];

/** Canonical text of a label set (sorted), used as a series key and for sorting. */
export function labelsKey(l: Labels): string {
  return `{${Object.keys(l).sort().map((k) => `${k}=${JSON.stringify(l[k])}`).join(', ')}}`;
}

export function group(l: Labels, g: Grouping | undefined): Labels {
  if (!g) return {};
  if (g.without) {
    const out = { ...l };
    for (const n of g.labels) delete out[n];
    return out;
  }
  const out: Labels = {};
  for (const n of g.labels) if (l[n] !== undefined && l[n] !== '') out[n] = l[n];
  return out;
}

export function aggregate(e: VectorAggregation, v: Vector): Vector {
  if (e.op === 'sort' || e.op === 'sort_desc') {
    const s = [...v].sort((a, b) => (e.op === 'sort' ? a.value - b.value : b.value - a.value));
    return s;
  }
  const groups = new Map<string, { labels: Labels; samples: Sample[] }>();
  for (const s of v) {
    const gl = group(s.labels, e.grouping);
    const k = labelsKey(gl);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { labels: gl, samples: [] }));
    g.samples.push(s);
  }
  const out: Vector = [];
  for (const { labels, samples } of groups.values()) {
    const vals = samples.map((s) => s.value);
    switch (e.op) {
      case 'topk':
      case 'bottomk': {
        const sorted = [...samples].sort((a, b) => (e.op === 'topk' ? b.value - a.value : a.value - b.value));
        out.push(...sorted.slice(0, e.param));
        continue;
      }
      case 'sum': out.push({ labels, value: vals.reduce((a, b) => a + b, 0) }); break;
      case 'avg': out.push({ labels, value: vals.reduce((a, b) => a + b, 0) / vals.length }); break;
      case 'min': out.push({ labels, value: Math.min(...vals) }); break;
      case 'max': out.push({ labels, value: Math.max(...vals) }); break;
      case 'count': out.push({ labels, value: vals.length }); break;
      case 'stdvar':
      case 'stddev': {
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
        out.push({ labels, value: e.op === 'stddev' ? Math.sqrt(variance) : variance });
        break;
      }
    }
  }
  return out;
}

const ARITH: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b,
  '%': (a, b) => a % b, '^': (a, b) => a ** b,
};
const CMP: Record<string, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b, '!=': (a, b) => a !== b, '>': (a, b) => a > b, '>=': (a, b) => a >= b, '<': (a, b) => a < b, '<=': (a, b) => a <= b,
};

export function scalarOp(op: string, a: number, b: number, bool: boolean): number | undefined {
  if (ARITH[op]) return ARITH[op](a, b);
  const r = CMP[op](a, b);
  return bool ? (r ? 1 : 0) : r ? a : undefined;
}

/** vector op scalar (or scalar op vector when `scalarLeft`). */
export function vectorScalar(e: BinaryExpr, v: Vector, s: number, scalarLeft: boolean): Vector {
  const out: Vector = [];
  for (const x of v) {
    const [a, b] = scalarLeft ? [s, x.value] : [x.value, s];
    if (ARITH[e.op]) out.push({ labels: x.labels, value: ARITH[e.op](a, b) });
    else {
      const keep = CMP[e.op](a, b);
      if (e.modifier.bool) out.push({ labels: x.labels, value: keep ? 1 : 0 });
      else if (keep) out.push(x);
    }
  }
  return out;
}

function signature(l: Labels, e: BinaryExpr): string {
  const m = e.modifier.matching;
  if (!m) return labelsKey(l);
  if (m.on) return labelsKey(group(l, { without: false, labels: m.labels }));
  return labelsKey(group(l, { without: true, labels: m.labels }));
}

export function vectorVector(e: BinaryExpr, left: Vector, right: Vector): Vector {
  const sigR = new Map<string, Sample[]>();
  for (const r of right) {
    const k = signature(r.labels, e);
    const list = sigR.get(k);
    if (list) list.push(r);
    else sigR.set(k, [r]);
  }
  if (e.op === 'and') return left.filter((l) => sigR.has(signature(l.labels, e)));
  if (e.op === 'unless') return left.filter((l) => !sigR.has(signature(l.labels, e)));
  if (e.op === 'or') {
    const sigL = new Set(left.map((l) => signature(l.labels, e)));
    return [...left, ...right.filter((r) => !sigL.has(signature(r.labels, e)))];
  }
  const groupSide = e.modifier.group?.side;
  const out: Vector = [];
  const seen = new Set<string>();
  const sigL = new Map<string, Sample[]>();
  for (const l of left) {
    const k = signature(l.labels, e);
    const list = sigL.get(k);
    if (list) list.push(l);
    else sigL.set(k, [l]);
  }
  for (const [k, ls] of sigL) {
    const rs = sigR.get(k);
    if (!rs) continue;
    if (!groupSide && (ls.length > 1 || rs.length > 1)) {
      throw new QueryLimitError(`found duplicate series for the match group ${k} on the ${ls.length > 1 ? 'left' : 'right'} hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side`);
    }
    const many = groupSide === 'right' ? rs : ls;
    const one = groupSide === 'right' ? ls : rs;
    if (one.length > 1) throw new QueryLimitError(`found duplicate series for the match group ${k} on the ${groupSide === 'right' ? 'left' : 'right'} hand-side of the operation; many-to-many matching not allowed`);
    for (const m of many) {
      const [l, r] = groupSide === 'right' ? [one[0], m] : [m, one[0]];
      const v = scalarOp(e.op, l.value, r.value, e.modifier.bool);
      if (v === undefined) continue;
      let labels: Labels;
      if (groupSide) {
        labels = { ...m.labels };
        for (const n of e.modifier.group!.labels) {
          if (one[0].labels[n] !== undefined) labels[n] = one[0].labels[n];
          else delete labels[n];
        }
      } else if (e.modifier.matching?.on) labels = group(l.labels, { without: false, labels: e.modifier.matching.labels });
      else if (e.modifier.matching) labels = group(l.labels, { without: true, labels: e.modifier.matching.labels });
      else labels = l.labels;
      const key = labelsKey(labels);
      if (seen.has(key)) throw new QueryLimitError(`multiple matches for labels: grouping labels must ensure unique matches`);
      seen.add(key);
      out.push({ labels, value: v });
    }
  }
  return out;
}

export function labelReplace(v: Vector, dst: string, repl: string, src: string, regex: string): Vector {
  const re = compileRegex(regex, true);
  return v.map((s) => {
    const m = re.exec(s.labels[src] ?? '');
    if (!m) return s;
    const value = repl.replace(/\$(\d+|\{(\w+)\})/g, (_x, d: string, name?: string) => (name ? m.groups?.[name] ?? m[Number(name)] ?? '' : m[Number(d)] ?? ''));
    const labels = { ...s.labels };
    if (value === '') delete labels[dst];
    else labels[dst] = value;
    return { labels, value: s.value };
  });
}

/**
 * Runs a LogQL pipeline over one entry at a time (streaming; no state across
 * entries): line filters, parsers, label filters, formatting, drop/keep.
 * Semantics follow pkg/logql/log: parse failures set `__error__` and keep
 * the line; numeric filters let errored lines through; extracted keys that
 * clash with stream labels get `_extracted`.
 */
import type { LabelPredicate, LineFilter, Matcher, Stage } from '../logql/ast.js';
import { compileRegex } from '../logql/regex.js';
import { parseBytes, parseDuration } from '../logql/literals.js';
import { compilePattern, jsonPath, matchPattern, parseJsonAll, parseJsonPaths, parseLogfmt, regexpParser } from './parsers.js';
import { compileTemplate } from './template.js';

export interface Entry {
  ts: bigint;
  line: string;
  /** Stream labels and, after parsers, extracted labels. */
  labels: Map<string, string>;
  /** Names of the stream labels (for `_extracted` on a clash). */
  stream: ReadonlySet<string>;
}

/** Processes an entry in place; false drops it. */
export type StageFn = (e: Entry) => boolean;

const ERROR = '__error__';
const DETAILS = '__error_details__';

export function compileMatcher(m: Matcher): (v: string) => boolean {
  switch (m.op) {
    case '=': return (v) => v === m.value;
    case '!=': return (v) => v !== m.value;
    case '=~': {
      const re = compileRegex(m.value, true);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileRegex(m.value, true);
      return (v) => !re.test(v);
    }
  }
}

export function compileLineFilter(f: LineFilter): (line: string) => boolean {
  let one: (line: string, v: string) => boolean;
  if (f.ip) one = (line, v) => ipInLine(line, v);
  else if (f.op === '|=' || f.op === '!=') one = (line, v) => line.includes(v);
  else if (f.op === '|~' || f.op === '!~') {
    const res = new Map(f.values.map((v) => [v, compileRegex(v)]));
    one = (line, v) => res.get(v)!.test(line);
  } else {
    const pats = new Map(f.values.map((v) => [v, compilePattern(v)]));
    one = (line, v) => matchPattern(pats.get(v)!, line, true) !== undefined;
  }
  const any = (line: string) => f.values.some((v) => one(line, v));
  return f.op.startsWith('!') ? (line) => !any(line) : any;
}

/** Sets an extracted label: `_extracted` on a clash with a stream label; the first value in one parse wins. */
function extractor(e: Entry): (key: string, value: string) => void {
  const seen = new Set<string>();
  return (key, value) => {
    const k = e.stream.has(key) ? `${key}_extracted` : key;
    if (seen.has(k)) return;
    seen.add(k);
    e.labels.set(k, value);
  };
}

function setError(e: Entry, kind: string, details: string): void {
  if (e.labels.has(ERROR)) return;
  e.labels.set(ERROR, kind);
  e.labels.set(DETAILS, details);
}

function compilePredicate(p: LabelPredicate): StageFn {
  switch (p.kind) {
    case 'and': {
      const [l, r] = [compilePredicate(p.left), compilePredicate(p.right)];
      return (e) => l(e) && r(e);
    }
    case 'or': {
      const [l, r] = [compilePredicate(p.left), compilePredicate(p.right)];
      return (e) => l(e) || r(e);
    }
    case 'string': {
      const test = compileMatcher(p.matcher);
      return (e) => test(e.labels.get(p.matcher.name) ?? '');
    }
    case 'ip': {
      const neg = p.op === '!=';
      return (e) => ipMatches(e.labels.get(p.name) ?? '', p.value) !== neg;
    }
    default: {
      const convert = p.kind === 'number' ? toNumber : p.kind === 'duration' ? (v: string) => {
        const d = /^-?[\d.]+(ns|us|µs|ms|s|m|h)+/.test(v) ? parseDuration(v) : undefined;
        return d === undefined ? undefined : Number(d);
      } : parseBytes;
      const cmp = compare(p.op);
      return (e) => {
        // Once there is an error, only string matchers can filter the line out.
        if (e.labels.has(ERROR)) return true;
        const raw = e.labels.get(p.name);
        if (raw === undefined) return false;
        const v = convert(raw);
        if (v === undefined || Number.isNaN(v)) {
          setError(e, 'LabelFilterErr', `${p.kind === 'number' ? 'strconv.ParseFloat' : p.kind}: parsing ${JSON.stringify(raw)}: invalid syntax`);
          return true;
        }
        return cmp(v, p.value);
      };
    }
  }
}

const toNumber = (v: string) => (v.trim() === '' ? undefined : Number(v));

function compare(op: string): (a: number, b: number) => boolean {
  switch (op) {
    case '==': return (a, b) => a === b;
    case '!=': return (a, b) => a !== b;
    case '>': return (a, b) => a > b;
    case '>=': return (a, b) => a >= b;
    case '<': return (a, b) => a < b;
    default: return (a, b) => a <= b;
  }
}

export function compileStage(s: Stage): StageFn {
  switch (s.kind) {
    case 'line_filter': {
      const test = compileLineFilter(s);
      return (e) => test(e.line);
    }
    case 'label_filter':
      return compilePredicate(s.predicate);
    case 'json': {
      const params = s.params?.map((p) => ({ name: p.name, path: jsonPath(p.path) }));
      return (e) => {
        try {
          if (params) parseJsonPaths(e.line, params, extractor(e));
          else parseJsonAll(e.line, extractor(e));
        } catch (err) {
          setError(e, 'JSONParserErr', (err as Error).message);
        }
        return true;
      };
    }
    case 'logfmt': {
      const strict = !!s.flags?.includes('--strict');
      const keepEmpty = !!s.flags?.includes('--keep-empty');
      const wanted = s.params ? new Map(s.params.map((p) => [p.path, p.name])) : undefined;
      return (e) => {
        const emit = extractor(e);
        try {
          parseLogfmt(e.line, wanted ? (k, v) => wanted.has(k) && emit(wanted.get(k)!, v) : emit, strict, keepEmpty);
        } catch (err) {
          setError(e, 'LogfmtParserErr', (err as Error).message);
        }
        if (wanted) for (const name of wanted.values()) if (!e.labels.has(name)) e.labels.set(name, '');
        return true;
      };
    }
    case 'regexp': {
      const parse = regexpParser(s.expr!);
      return (e) => {
        parse(e.line, extractor(e));
        return true;
      };
    }
    case 'pattern': {
      const parts = compilePattern(s.expr!);
      return (e) => {
        const caps = matchPattern(parts, e.line);
        if (caps) {
          const emit = extractor(e);
          for (const [k, v] of caps) if (k !== '_') emit(k, v);
        }
        return true;
      };
    }
    case 'unpack':
      return (e) => {
        try {
          const obj = JSON.parse(e.line) as Record<string, unknown>;
          if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('expecting json object');
          const emit = extractor(e);
          let entry: string | undefined;
          for (const [k, v] of Object.entries(obj)) {
            if (typeof v !== 'string') continue;
            if (k === '_entry') entry = v;
            else emit(k, v);
          }
          if (entry !== undefined) e.line = entry;
        } catch (err) {
          setError(e, 'JSONParserErr', (err as Error).message);
        }
        return true;
      };
    case 'line_format': {
      const tmpl = compileTemplate(s.template);
      return (e) => {
        try {
          e.line = tmpl({ labels: e.labels, line: e.line, ts: e.ts });
        } catch (err) {
          setError(e, 'TemplateFormatErr', (err as Error).message);
        }
        return true;
      };
    }
    case 'label_format': {
      const ops = s.ops.map((o) => ({ ...o, tmpl: o.template !== undefined ? compileTemplate(o.template) : undefined }));
      return (e) => {
        // All templates see the labels as they were before this stage.
        const before = new Map(e.labels);
        for (const o of ops) {
          if (o.tmpl) {
            try {
              e.labels.set(o.dst, o.tmpl({ labels: before, line: e.line, ts: e.ts }));
            } catch (err) {
              setError(e, 'TemplateFormatErr', (err as Error).message);
            }
          } else {
            const v = before.get(o.src!);
            if (v !== undefined) e.labels.set(o.dst, v);
            if (o.src !== o.dst) e.labels.delete(o.src!);
          }
        }
        return true;
      };
    }
    case 'drop': {
      const items = s.labels.map((l) => ({ name: l.name, test: l.matcher ? compileMatcher(l.matcher) : undefined }));
      return (e) => {
        for (const it of items) {
          const v = e.labels.get(it.name);
          if (v !== undefined && (!it.test || it.test(v))) e.labels.delete(it.name);
        }
        return true;
      };
    }
    case 'keep': {
      const items = s.labels.map((l) => ({ name: l.name, test: l.matcher ? compileMatcher(l.matcher) : undefined }));
      return (e) => {
        for (const [k, v] of [...e.labels]) {
          if (k === ERROR || k === DETAILS) continue;
          if (!items.some((it) => it.name === k && (!it.test || it.test(v)))) e.labels.delete(k);
        }
        return true;
      };
    }
    case 'decolorize':
      return (e) => {
        // eslint-disable-next-line no-control-regex
        e.line = e.line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
        return true;
      };
  }
}

export function compilePipeline(stages: readonly Stage[]): StageFn {
  const fns = stages.map(compileStage);
  return (e) => {
    for (const f of fns) if (!f(e)) return false;
    return true;
  };
}

// ---- ip() ----

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** Whether an IPv4 address matches `ip("1.2.3.4" | "10.0.0.0/8" | "1.2.3.4-1.2.3.9")`. */
export function ipMatches(value: string, spec: string): boolean {
  const v = ipv4(value.trim());
  if (v === undefined) return false;
  if (spec.includes('/')) {
    const [base, bits] = spec.split('/');
    const b = ipv4(base);
    const n = Number(bits);
    if (b === undefined || !(n >= 0 && n <= 32)) return false;
    const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
    return ((v & mask) >>> 0) === ((b & mask) >>> 0);
  }
  if (spec.includes('-')) {
    const [lo, hi] = spec.split('-').map((x) => ipv4(x.trim()));
    return lo !== undefined && hi !== undefined && v >= lo && v <= hi;
  }
  return v === ipv4(spec);
}

function ipInLine(line: string, spec: string): boolean {
  for (const m of line.matchAll(/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g)) if (ipMatches(m[0], spec)) return true;
  return false;
}

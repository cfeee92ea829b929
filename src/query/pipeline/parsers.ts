/** The LogQL label parsers: json, logfmt, regexp, pattern, unpack (pkg/logql/log/parser.go). */
import { compileRegex } from '../logql/regex.js';

/** Loki's sanitizeLabelKey: anything outside [A-Za-z0-9_] becomes `_`; a leading digit gets a `_` prefix. */
export function sanitizeKey(key: string, prefixDigit = true): string {
  const s = key.replace(/[^A-Za-z0-9_]/g, '_');
  return prefixDigit && /^[0-9]/.test(s) ? `_${s}` : s;
}

type Emit = (key: string, value: string) => void;

/** `| json`: flattens objects with `_`, skips arrays and nulls, numbers as their text, booleans as true/false. */
export function parseJsonAll(line: string, emit: Emit): void {
  const doc = JSON.parse(line) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('Value looks like object, but can\'t find closing \'}\' symbol');
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}_${sanitizeKey(k, false)}` : sanitizeKey(k, false);
      if (v === null || Array.isArray(v)) continue;
      if (typeof v === 'object') walk(v as Record<string, unknown>, key);
      else emit(key, typeof v === 'string' ? v : String(v));
    }
  };
  walk(doc as Record<string, unknown>, '');
}

/** Splits a json parameter path (`a.b`, `a[0]`, `a["x.y"]`) into keys and indexes. */
export function jsonPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))\s*\]|\.?([^.[\]]+)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path))) {
    if (m[1] !== undefined) out.push(JSON.parse(`"${m[1]}"`) as string);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3]);
  }
  return out;
}

/** `| json a="x.y"`: the value at a path; objects and arrays as JSON text, missing as "". */
export function parseJsonPaths(line: string, params: { name: string; path: (string | number)[] }[], emit: Emit): void {
  const doc = JSON.parse(line) as unknown;
  for (const p of params) {
    let v: unknown = doc;
    for (const k of p.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined;
    emit(p.name, v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
}

/** `| logfmt`: key=value pairs, values optionally double-quoted with escapes. */
export function parseLogfmt(line: string, emit: Emit, strict: boolean, keepEmpty: boolean): void {
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    const ks = i;
    while (i < n && line[i] !== '=' && line[i] !== ' ' && line[i] !== '"') i++;
    const key = line.slice(ks, i);
    let value = '';
    if (line[i] === '=') {
      i++;
      if (line[i] === '"') {
        let j = i + 1;
        let raw = '';
        while (j < n && line[j] !== '"') {
          if (line[j] === '\\' && j + 1 < n) {
            raw += line[j] + line[j + 1];
            j += 2;
          } else raw += line[j++];
        }
        if (j >= n) {
          if (strict) throw new Error(`logfmt syntax error at pos ${j}: unterminated quoted value`);
          value = raw;
        } else {
          try {
            value = JSON.parse(`"${raw}"`) as string;
          } catch {
            value = raw;
          }
        }
        i = j + 1;
      } else {
        const vs = i;
        while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
        value = line.slice(vs, i);
      }
    } else if (line[i] === '"') {
      if (strict) throw new Error(`logfmt syntax error at pos ${i + 1}: unexpected '"'`);
      i++;
      continue;
    }
    if (key === '') {
      if (strict) throw new Error(`logfmt syntax error at pos ${ks + 1}: unexpected '='`);
      continue;
    }
    if (value === '' && !keepEmpty) continue;
    emit(sanitizeKey(key), value);
  }
}

export function regexpParser(expr: string): (line: string, emit: Emit) => void {
  const re = compileRegex(expr);
  return (line, emit) => {
    const m = re.exec(line);
    if (!m?.groups) return;
    for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) emit(k, v);
  };
}

interface PatternPart {
  literal?: string;
  capture?: string;
}

export function compilePattern(expr: string): PatternPart[] {
  return expr
    .split(/(<[A-Za-z_][A-Za-z0-9_]*>)/)
    .filter((p) => p !== '')
    .map((p) => (/^<[A-Za-z_][A-Za-z0-9_]*>$/.test(p) ? { capture: p.slice(1, -1) } : { literal: p }));
}

/**
 * Matches a pattern (Loki's pattern/pattern.go): literals in order, each capture
 * up to the next literal (or the end); returns captures, or undefined.
 * `unanchored` searches the first literal anywhere (line filter `|>`).
 */
export function matchPattern(parts: PatternPart[], line: string, unanchored = false): Map<string, string> | undefined {
  const caps = new Map<string, string>();
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.literal !== undefined) {
      if (i === 0 && !unanchored) {
        if (!line.startsWith(p.literal)) return undefined;
        pos = p.literal.length;
      } else {
        const at = line.indexOf(p.literal, i === 0 ? 0 : pos + 1);
        if (at < 0) return undefined;
        if (i > 0) caps.set(parts[i - 1].capture!, line.slice(pos, at));
        pos = at + p.literal.length;
      }
    } else if (i === parts.length - 1) {
      if (pos >= line.length) return undefined;
      caps.set(p.capture!, line.slice(pos));
      pos = line.length;
    }
  }
  const last = parts[parts.length - 1];
  if (last?.literal !== undefined && pos !== line.length && !unanchored) return undefined;
  if (last?.literal !== undefined && unanchored && !line.endsWith(last.literal)) return undefined;
  return caps;
}

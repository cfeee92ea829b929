/**
 * What every ingested document must be, whatever route it came by: nested at
 * most MAX_NESTING containers deep, and holding finite numbers only (JSON text
 * such as `1e400` parses to Infinity, which JSON cannot hold). Checked before
 * validation, so the recursive steps after it (schema validation, cleaning,
 * policy) never see a deeper document.
 */
import type { FieldError } from './validate.js';

/** Deepest nesting of objects and arrays a record may have; the record itself is level 1. */
export const MAX_NESTING = 128;

/**
 * The first problem with a parsed JSON value's shape, naming the field
 * (`a.b[3]`), or undefined when it has none. Recursion is bounded by
 * MAX_NESTING: a deeper document is refused at that depth, never walked.
 */
export function shapeError(value: unknown): FieldError | undefined {
  const path: (string | number)[] = [];
  const reason = walk(value, 1, path);
  if (reason === undefined) return undefined;
  return { path: fieldPath(path.reverse()), reason };
}

/** Why `v` (at nesting `level`) is refused, with its path pushed onto `path` innermost first. */
function walk(v: unknown, level: number, path: (string | number)[]): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : 'is a number outside the range of a double (JSON numbers must be finite)';
  if (typeof v !== 'object' || v === null) return undefined;
  if (level > MAX_NESTING) return `is nested deeper than ${MAX_NESTING} levels of objects and arrays`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'object' && typeof x !== 'number') continue;
      const r = walk(x, level + 1, path);
      if (r !== undefined) {
        path.push(i);
        return r;
      }
    }
    return undefined;
  }
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x !== 'object' && typeof x !== 'number') continue;
    const r = walk(x, level + 1, path);
    if (r !== undefined) {
      path.push(k);
      return r;
    }
  }
  return undefined;
}

/** Dotted ECS style, as validation errors name fields: `a.b[3].c`. */
function fieldPath(parts: (string | number)[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

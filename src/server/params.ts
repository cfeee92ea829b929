/**
 * The query-string parameters of Vigil's own routes. Each is given at most
 * once: a repeated one (`?query=a&query=b`) is ambiguous and refused with
 * `400 bad_request` naming it. (Loki routes take the first value instead, as
 * Loki does: src/query/loki-params.ts.)
 */
import { ApiError } from './errors.js';

export function singleParams<K extends string>(query: unknown): Partial<Record<K, string>> {
  const q = (query ?? {}) as Record<string, string | string[] | undefined>;
  const out: Partial<Record<string, string>> = {};
  for (const [name, v] of Object.entries(q)) {
    if (Array.isArray(v)) throw new ApiError('bad_request', `${name}: given ${v.length} times; give it once`);
    if (v !== undefined) out[name] = v;
  }
  return out as Partial<Record<K, string>>;
}

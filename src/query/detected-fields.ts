/**
 * Fields in the log lines of the matched entries (GET detected_fields), as
 * pkg/querier/queryrange/detected_fields.go finds them: each line is parsed
 * as JSON, else logfmt, and the labels the query's own parsers extracted
 * count too; each field gets a type guessed from its values, its number of
 * distinct values and the parsers that found it.
 */
import type { Store } from '../store/store.js';
import { selection, type Window } from './drilldown.js';
import { parseLogfmt, sanitizeKey } from './pipeline/parsers.js';

export type FieldType = 'string' | 'int' | 'float' | 'boolean' | 'duration' | 'bytes';

export interface DetectedField {
  label: string;
  type: FieldType;
  cardinality: number;
  /** null when only the query's own parsers found it (Loki sends null then too). */
  parsers: string[] | null;
  /** For JSON fields: the keys in the document (`["user","name"]` for `user_name`). */
  jsonPath?: string[];
}

const INT64 = 2n ** 63n;
const FLOAT = /^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf(inity)?|nan)$/i;
const BOOL = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);
const UNIT = '(\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)';
const DURATION = new RegExp(`^[+-]?(0|(${UNIT})+)$`);
const BYTES = /^[\d.,]*\d[\d.,]*\s*([kmgtpe]i?b?|b)?$/i;

/** Loki's determineType: Go's ParseInt, ParseFloat, ParseBool, ParseDuration, then humanize.ParseBytes. */
export function fieldType(v: string): FieldType {
  if (/^[+-]?\d+$/.test(v) && BigInt(v) < INT64 && BigInt(v) >= -INT64) return 'int';
  if (FLOAT.test(v)) return 'float';
  if (BOOL.has(v)) return 'boolean';
  if (DURATION.test(v)) return 'duration';
  if (BYTES.test(v.trim())) return 'bytes';
  return 'string';
}

type Found = (key: string, value: string, jsonPath?: string[]) => void;

/** Loki's JSON parser: nested keys joined with `_`, arrays and nulls skipped; false when the line is no JSON object. */
function parseJson(line: string, found: Found): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return false;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const walk = (obj: Record<string, unknown>, path: string[]) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === null || Array.isArray(v)) continue;
      if (typeof v === 'object') walk(v as Record<string, unknown>, [...path, k]);
      else found([...path, k].map((p) => sanitizeKey(p, false)).join('_'), String(v), [...path, k]);
    }
  };
  walk(doc as Record<string, unknown>, []);
  return true;
}

interface Acc {
  type: FieldType;
  values: Set<string>;
  parsers: Set<string>;
  jsonPath?: string[];
}

const INTERNAL = new Set(['__error__', '__error_details__', '__preserve_error__']);

/** The fields of the newest `lineLimit` matched entries, the first `limit` names found. */
async function collect(store: Store, w: Window, lineLimit: number, limit: number): Promise<Map<string, Acc>> {
  const fields = new Map<string, Acc>();
  const note = (key: string, value: string, parser?: string, jsonPath?: string[]) => {
    let f = fields.get(key);
    if (!f) {
      if (fields.size >= limit) return;
      f = { type: 'string', values: new Set(), parsers: new Set() };
      fields.set(key, f);
    }
    f.type = fieldType(value);
    f.values.add(value);
    if (parser) f.parsers.add(parser);
    if (jsonPath) f.jsonPath = jsonPath;
  };
  for await (const e of selection(store, w, lineLimit)) {
    const extracted = [...e.labels].filter(([k]) => !e.stream.has(k) && !INTERNAL.has(k));
    const key = (k: string) => (e.stream.has(k) ? `${k}_extracted` : k);
    const parsed: [string, string, string[]?][] = [];
    let parser = 'json';
    if (!parseJson(e.line, (k, v, path) => parsed.push([key(k), v, path]))) {
      parser = 'logfmt';
      parseLogfmt(e.line, (k, v) => parsed.push([key(k), v]), false, false);
    }
    for (const [k, v] of extracted) note(k, v, parsed.length ? parser : undefined);
    for (const [k, v, path] of parsed) note(k, v, parser, path);
  }
  return fields;
}

export interface FieldsRequest extends Window {
  lineLimit: number;
  limit: number;
}

/** detected_fields: one per field name, by name. */
export async function detectedFields(store: Store, r: FieldsRequest): Promise<DetectedField[]> {
  const fields = await collect(store, r, r.lineLimit, r.limit);
  return [...fields]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([label, f]) => ({
      label,
      type: f.type,
      cardinality: f.values.size,
      parsers: f.parsers.size ? [...f.parsers] : null,
      ...(f.jsonPath ? { jsonPath: f.jsonPath } : {}),
    }));
}

/** detected_field/<name>/values: its distinct values, at most `limit`, sorted. */
export async function detectedFieldValues(store: Store, r: FieldsRequest, name: string): Promise<string[]> {
  const fields = await collect(store, r, r.lineLimit, Infinity);
  return [...(fields.get(name)?.values ?? [])].sort().slice(0, r.limit);
}

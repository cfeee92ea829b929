/**
 * Helpers shared by the formats: JSON record reading (one object a line, or a pretty-printed
 * object over several lines), empty-value cleaning, typed field access, nanosecond-exact time,
 * IPs, URLs and the message line. All pure; bad input is only ever a FormatError.
 */
import { isIP } from 'node:net';
import type { AuditEvent } from '../model/event.js';
import { MAX_NESTING } from '../model/limits.js';
import { actorOf } from '../model/message.js';
import { parseRfc3339, timestampError } from '../model/time.js';
import { FormatError, type DecodeOptions, type Decoded, type Format, type LineDecoder, type RecordPosition } from './format.js';

export const ECS_VERSION = '8.11.0';
export type Obj = Record<string, unknown>;

/** ECS 8.11 `event.category` allowed values. */
export const ECS_CATEGORIES: ReadonlySet<string> = new Set([
  'api', 'authentication', 'configuration', 'database', 'driver', 'email', 'file', 'host', 'iam',
  'intrusion_detection', 'library', 'malware', 'network', 'package', 'process', 'registry', 'session',
  'threat', 'vulnerability', 'web',
]);
/** ECS 8.11 `event.type` allowed values. */
export const ECS_TYPES: ReadonlySet<string> = new Set([
  'access', 'admin', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'end', 'error',
  'group', 'indicator', 'info', 'installation', 'protocol', 'start', 'user',
]);

/** The largest multi-line document buffered. */
export const MAX_DOC_CHARS = 16 * 1024 * 1024;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets an own property, also for the key `__proto__` (plain assignment would change the prototype). */
export function setOwn(o: Obj, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/**
 * `v` without its empty values: members whose value is `""`, `null`, an empty
 * array, or an object that is empty once cleaned are left out. Returns
 * undefined when `v` itself is empty. Array elements keep their positions
 * (objects inside arrays are cleaned, an emptied one stays as `{}`).
 * Copy-on-write: an object or array that needs no change is returned as is,
 * so the common case allocates nothing and parsed objects keep their shape.
 */
export function clean(v: unknown, depth = 0): unknown {
  if (v === null || v === '') return undefined;
  if (typeof v !== 'object') return v;
  // The one nesting limit of ingest (src/model/limits.ts) guards this recursive walk.
  if (depth > MAX_NESTING) throw new FormatError(`nested deeper than ${MAX_NESTING} levels`);
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'object' || x === null) continue;
      const c = clean(x, depth + 1) ?? (Array.isArray(x) ? [] : {});
      if (c !== x && !isEmptyContainer(x)) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  const o = v as Obj;
  let out: Obj | undefined;
  let kept = 0;
  for (const k in o) {
    const x = o[k];
    const c = x === null || x === '' ? undefined : typeof x === 'object' ? clean(x, depth + 1) : x;
    if (c !== x && out === undefined) {
      out = {};
      for (const k2 in o) {
        if (k2 === k) break;
        setOwn(out, k2, o[k2]);
      }
    }
    if (c === undefined) continue;
    kept++;
    if (out !== undefined) setOwn(out, k, c);
  }
  return kept === 0 ? undefined : (out ?? o);
}

function isEmptyContainer(x: object): boolean {
  if (Array.isArray(x)) return x.length === 0;
  for (const _ in x) return false;
  return true;
}

/** Parses one JSON record; anything but a JSON object is a FormatError. */
export function parseObject(text: string): Obj {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObj(v)) throw new FormatError(`expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  return v;
}

/** A FormatError for a value of the wrong JSON type at `path`. */
export function typeError(path: string, expected: string, v: unknown): FormatError {
  const got = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
  return new FormatError(`must be ${expected}, got ${got}`, path);
}

/** A string field: undefined when absent (pruned), FormatError for another type. */
export function str(v: unknown, path: string): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  throw typeError(path, 'a string', v);
}

/** An id-like field (ECS keeps ids as strings): numbers are written as decimal strings. */
export function idStr(v: unknown, path: string): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw typeError(path, 'a string or a number', v);
}

/** A list of strings given as an array or as one string; FormatError names the bad element. */
export function strList(v: unknown, path: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw typeError(path, 'an array of strings', v);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') throw typeError(`${path}[${i}]`, 'a string', v[i]);
  }
  return v as string[];
}

/** A non-negative integer (JSON number or decimal string), as ECS byte counts and ports are. */
export function count(v: unknown, path: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  throw typeError(path, 'a non-negative integer', v);
}

// ---- time -----------------------------------------------------------------
/** 2262-04-11T23:47:16Z: the last whole second of int64 nanoseconds (src/model/time.ts, MAX_NS). */
const MAX_EPOCH_SECONDS = 9223372036;

/** An RFC 3339 timestamp as stored: UTC with `Z`, every fraction digit kept (offsets converted exactly). */
export function rfc3339(text: string, path: string): string {
  // Parsed even in the stored form: a calendar check and the range check (src/model/time.ts).
  const t = parseRfc3339(text);
  if (!t) throw new FormatError(timestampError(text)!, path);
  return t.iso;
}

/**
 * `<seconds>.<fraction>` epoch text (EngFlow `ts`) as RFC 3339 UTC, seconds and fraction converted
 * separately so every digit stays (`1766435832.671421000` → `…12.671421000Z`); undefined if not that form.
 */
export function epochToRfc3339(text: string, path: string): string | undefined {
  const dot = text.indexOf('.');
  const end = dot < 0 ? text.length : dot;
  const frac = dot < 0 ? 1 : text.length - dot - 1;
  if (end < 1 || end > 15 || frac < 1 || frac > 9 || !digits(text, 0, end) || !digits(text, end + 1, text.length)) return undefined;
  const sec = Number(text.slice(0, end));
  if (sec > MAX_EPOCH_SECONDS) throw new FormatError(`epoch seconds beyond 2262-04-11T23:47:16Z, the last second Vigil stores: ${text.slice(0, 32)}`, path);
  return `${utcSeconds(sec)}${dot < 0 ? '' : text.slice(dot)}Z`;
}

function digits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
let dayCached = -1;
let dayPrefix = '';

/** `YYYY-MM-DDTHH:MM:SS` of whole epoch seconds, by integer arithmetic (Hinnant's civil-from-days; a Date is slower). */
export function utcSeconds(sec: number): string {
  const days = Math.floor(sec / 86400);
  if (days !== dayCached) {
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const mo = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (mo <= 2 ? 1 : 0);
    dayPrefix = `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}T`;
    dayCached = days;
  }
  let rem = sec - days * 86400;
  const h = Math.floor(rem / 3600);
  rem -= h * 3600;
  const mi = Math.floor(rem / 60);
  return `${dayPrefix}${p2(h)}:${p2(mi)}:${p2(rem - mi * 60)}`;
}

// ---- addresses and URLs ---------------------------------------------------
const ipCache = new Map<string, string | null>();

/** The IP as written (IPv6 in RFC 5952 form), or undefined if `s` is no IP. Memoized: logs repeat addresses. */
export function ipOf(s: string): string | undefined {
  const hit = ipCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const v = isIP(s);
  const ip = v === 4 ? s : v === 6 ? canonicalIPv6(s) : undefined;
  if (ipCache.size >= 4096) ipCache.clear();
  if (s.length <= 64) ipCache.set(s, ip ?? null);
  return ip;
}

/** RFC 5952 text form of a valid IPv6 address: lower case, no leading zeros, the longest zero run as `::`. */
export function canonicalIPv6(input: string): string {
  const pct = input.indexOf('%');
  const zone = pct < 0 ? '' : input.slice(pct);
  let s = pct < 0 ? input : input.slice(0, pct);
  const v4 = s.includes('.') ? s.slice(s.lastIndexOf(':') + 1) : ''; // an embedded IPv4 tail stays dotted
  if (v4) s = `${s.slice(0, s.length - v4.length)}0:0`;
  const [l, r] = s.split('::') as [string, string | undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = r === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const hex = groups.slice(0, v4 ? 6 : 8).map((g) => parseInt(g, 16).toString(16));
  let at = -1;
  let len = 1;
  for (let i = 0, j = 0; i < hex.length; i = Math.max(j, i + 1)) {
    for (j = i; j < hex.length && hex[j] === '0'; j++);
    if (j - i > len) [at, len] = [i, j - i];
  }
  const tail = v4 ? [v4] : [];
  if (at < 0) return [...hex, ...tail].join(':') + zone;
  return `${hex.slice(0, at).join(':')}::${[...hex.slice(at + len), ...tail].join(':')}${zone}`;
}

/** `url.original`, `url.path` and `url.query` of a request target (query without `?`, omitted when empty). */
export function splitUrl(original: string): { original: string; path?: string; query?: string } {
  const q = original.indexOf('?');
  if (q < 0) return { original, path: original };
  const out: { original: string; path?: string; query?: string } = { original };
  if (q > 0) out.path = original.slice(0, q);
  if (q < original.length - 1) out.query = original.slice(q + 1);
  return out;
}

/** Appends `v` unless empty or already listed (related.* keep first-appearance order). */
export function pushUnique(list: string[], v: string | undefined): void {
  if (v !== undefined && v !== '' && !list.includes(v)) list.push(v);
}

/** `related` with the given lists, omitting empty ones; undefined when both are empty. */
export function related(ips: string[], users: string[]): Obj | undefined {
  if (ips.length === 0 && users.length === 0) return undefined;
  const r: Obj = {};
  if (ips.length) r.ip = ips;
  if (users.length) r.user = users;
  return r;
}

/** The message `<actor> <action> <target> (<outcome>)`, actor as in `model/message.ts`; each format picks the target. */
export function messageOf(e: AuditEvent, target: string | undefined): string {
  const ev = e.event;
  const action = ev?.action ?? (ev?.type?.length ? ev.type.join(',') : 'event');
  return `${actorOf(e)} ${action}${target ? ` ${target}` : ''} (${ev?.outcome ?? 'unknown'})`;
}

// ---- line reading ---------------------------------------------------------
/**
 * Collects a pretty-printed JSON object spread over several lines. A document
 * starts with a line that is only `{` (as `jq`, `kubectl -o json` and
 * `JSON.stringify(v, null, 2)` write it) and ends on the line where the
 * brackets balance again (counted outside strings). One-line records never enter.
 */
export class JsonDocAssembler {
  lines: string[] = [];
  positions: RecordPosition[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  private chars = 0;

  get open(): boolean {
    return this.lines.length > 0;
  }

  static starts(line: string): boolean {
    return line.length < 64 && line.trim() === '{';
  }

  reset(): void {
    this.lines = [];
    this.positions = [];
    this.depth = this.chars = 0;
    this.inString = this.escaped = false;
  }

  /** Adds a line: the document's text once its brackets balance, undefined before, null when it grew too large. */
  push(line: string, pos: RecordPosition): string | undefined | null {
    this.lines.push(line);
    this.positions.push(pos);
    if ((this.chars += line.length + 1) > MAX_DOC_CHARS) return null;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) this.depth--;
    }
    return this.depth > 0 ? undefined : this.lines.join('\n');
  }
}

export const stripCr = (line: string) => (line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line);

/** The line without a trailing CR (of a CRLF end) and a leading BOM; undefined for a blank line. */
export function cleanLine(raw: string): string | undefined {
  const l = stripCr(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
  for (let i = 0; i < l.length; i++) {
    const c = l.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return l;
  }
  return undefined;
}

/** A format whose records are JSON objects; `auto` parses a line once and asks these directly. */
export interface JsonFormat extends Format {
  /** Whether a parsed record is of this format: the object form of `detect`. */
  detectObject(doc: Obj): boolean;
  /** Normalizes one parsed record; `text` is the record as read (for `event.original`). */
  decodeObject(doc: Obj, text: string, opts: DecodeOptions): AuditEvent[];
}

export function isJsonFormat(f: Format): f is JsonFormat {
  return typeof (f as Partial<JsonFormat>).decodeObject === 'function';
}

/**
 * A JSON format: its LineDecoder skips blank lines, assembles pretty-printed
 * documents, parses each record and hands it to `decodeObject`. The input
 * ending inside a document is a FormatError at `flush()`. `explain` may turn a
 * record that is not JSON into a more helpful FormatError.
 */
export function jsonFormat(spec: Omit<JsonFormat, 'createDecoder'> & { explain?: (text: string) => void }): JsonFormat {
  const { explain, ...format } = spec;
  const decode = (text: string, opts: DecodeOptions, position: RecordPosition): Decoded[] => {
    if (explain && !looksLikeObject(text)) explain(text);
    return format.decodeObject(parseObject(text), text, opts).map((event) => ({ event, position }));
  };
  const createDecoder = (opts: DecodeOptions): LineDecoder => {
    const doc = new JsonDocAssembler();
    return {
      push(raw: string, pos: RecordPosition): Decoded[] {
        const line = doc.open ? stripCr(raw) : cleanLine(raw);
        if (line === undefined) return [];
        if (!doc.open && !JsonDocAssembler.starts(line)) return decode(line, opts, pos);
        const start = doc.open ? doc.positions[0] : pos;
        const text = doc.push(line, pos);
        if (text === undefined) return [];
        doc.reset();
        if (text === null) throw new FormatError(`JSON document starting at line ${start.line} exceeds ${MAX_DOC_CHARS} characters`);
        return decode(text, opts, start);
      },
      flush(): Decoded[] {
        if (!doc.open) return [];
        const start = doc.positions[0];
        doc.reset();
        throw new FormatError(`input ended inside a JSON document starting at line ${start.line}`);
      },
    };
  };
  return { ...format, createDecoder };
}

/** Cheap key sniffing: whether `"key":` occurs as a JSON member name (escaped copies inside strings never match). */
export function hasKey(line: string, key: string): boolean {
  return line.includes(`"${key}":`) || line.includes(`"${key}" :`);
}

/** Whether the line's first non-blank character opens a JSON object. */
export function looksLikeObject(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0xfeff) return false;
  }
  return false;
}


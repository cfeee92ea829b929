/**
 * One auditd line → one record: header (node, type, time, serial), `key=value` body with
 * quoted / hex / bare values, the nested `msg='…'` payload of user-space records, and the
 * ENRICHED part after the 0x1D byte. Lines may come bare (auditd's log file), behind a
 * syslog header (audisp-syslog, rsyslog), from the kernel log (`audit: type=1300 audit(…)`)
 * or as journald JSON (`journalctl -o json`, `_TRANSPORT=audit`). Hand-written scanner,
 * no regular expressions on the hot path; anything malformed throws FormatError.
 */
import { FormatError } from '../format.js';
import { TYPE_NAMES, TYPE_NUMBERS } from './tables/msgtypes.js';
import { carrierHost, journalEntryToLine } from './carriers.js';
import { fieldName, Fields } from './fields.js';
import { hexToUtf8, isEncodedField, isHexDigits } from './values.js';

export type Carrier = 'raw' | 'syslog' | 'printk' | 'journald';

export interface AuditRecord {
  /** `node=` of the line, else the host named by a syslog/journald carrier. */
  node: string | undefined;
  /** Record type name (`SYSCALL`, `UNKNOWN[1399]`). */
  type: string;
  /** Record type number, -1 when the name is not known. */
  typeNum: number;
  /** Epoch seconds and the three millisecond digits, as written. */
  sec: string;
  ms: string;
  /** `sec` and `ms` as numbers. */
  secNum: number;
  msNum: number;
  serial: number;
  /**
   * Field values, decoded: quotes removed, hex of encoded-string fields decoded to UTF-8.
   * EXECVE argument values stay raw (`"text` for quoted — leading quote kept as a marker —
   * or hex) so split chunks can be joined as bytes. First occurrence of a name wins.
   */
  fields: Fields;
  /** ENRICHED names (upper-case keys, values decoded), when present. */
  enriched: Map<string, string> | undefined;
  carrier: Carrier;
}

const SP = 32;
const GS = 0x1d;
const DQ = 34;
const SQ = 39;
const EQ = 61;
const MAX_SEC = 9223372036; // 2262-04-11T23:47:16Z, the last second of int64 nanoseconds (src/model/time.ts)
const MAX_SERIAL = 4294967295;

function fail(reason: string, path = ''): never {
  throw new FormatError(reason, path);
}

const BAD_CHAR = /[\x00-\x1c\x1e\x1f\x7f\ufffd]/;

/** Rejects control bytes (auditd hex-encodes them), DEL, and U+FFFD (invalid UTF-8 in the input). */
function checkChars(line: string): void {
  if (!BAD_CHAR.test(line)) return;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20) {
      if (c !== GS) fail(`control character 0x${c.toString(16).padStart(2, '0')} at column ${i + 1}`);
    } else if (c === 0x7f || c === 0xfffd) {
      fail(c === 0x7f ? `DEL character at column ${i + 1}` : `invalid UTF-8 at column ${i + 1}`);
    }
  }
}

function isArgKey(key: string): boolean {
  const c = key.charCodeAt(1);
  return key.charCodeAt(0) === 97 /* a */ && c >= 48 && c <= 57 && !key.endsWith('_len');
}

function isUpperKey(key: string): boolean {
  const c0 = key.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45)) return false;
  }
  return true;
}

interface BodyState {
  fields: Fields;
  enriched: Map<string, string> | undefined;
  execve: boolean;
  kv: number;
  words: string[] | undefined;
  prefix: string;
  avc: boolean;
  perms: string[] | undefined;
}

function store(st: BodyState, key: string, value: string, quoted: boolean, nested: boolean): void {
  st.kv++;
  if (st.prefix) {
    key = st.prefix + key;
    st.prefix = '';
  }
  // The kernel never repeats a name; the nested `msg='…'` payload may repeat an outer one,
  // and then the outer value wins (libauparse finds the first).
  if (nested && st.fields.has(key)) return;
  if (st.execve && isArgKey(key)) {
    if (quoted) value = '"' + value;
    else if (value.length % 2 === 1 && isHexDigits(value)) fail(`odd-length hex in ${key} (truncated?)`, key);
  } else if (!quoted && (isEncodedField(key) || key === 'saddr') && isHexDigits(value)) {
    if (value.length % 2 === 1) fail(`odd-length hex in ${key} (truncated?)`, key);
    if (key === 'proctitle') value = hexToUtf8(value, true);
    else if (key !== 'saddr') value = hexToUtf8(value);
  }
  st.fields.add(key, value);
}

/** Text without `=`: old-style `old auid=…`, AVC `avc:  denied  { read } for`, else kept as text. */
function word(st: BodyState, w: string): void {
  if (st.perms) {
    if (w === '}') {
      if (!st.fields.has('seperms')) st.fields.add('seperms', st.perms.join(','));
      st.perms = undefined;
    } else st.perms.push(w);
    return;
  }
  if (w === 'old' || w === 'new') st.prefix = w + '-';
  else if (w === 'avc:') st.avc = true;
  else if (st.avc && (w === 'denied' || w === 'granted') && !st.fields.has('seresult')) st.fields.add('seresult', w);
  else if (st.avc && w === '{') st.perms = [];
  else if (st.avc && w === 'for') return;
  else (st.words ??= []).push(w);
}

function scanBody(s: string, from: number, to: number, st: BodyState, nested: boolean): void {
  let i = from;
  while (i < to) {
    if (s.charCodeAt(i) === SP) {
      i++;
      continue;
    }
    const ks = i;
    // The name is short: scan it here; values can be long: find their end natively.
    let eq = ks;
    let c = 0;
    while (eq < to && (c = s.charCodeAt(eq)) !== EQ && c !== SP) eq++;
    if (eq >= to || c !== EQ || eq === ks) {
      let end = s.indexOf(' ', eq);
      if (end < 0 || end > to) end = to;
      word(st, s.slice(ks, end));
      i = end;
      continue;
    }
    const key = fieldName(s, ks, eq);
    if (!nested) {
      const c0 = s.charCodeAt(ks);
      if (c0 >= 65 && c0 <= 90 && isUpperKey(key)) {
        // ENRICHED fields whose 0x1D separator a syslog relay turned into a space.
        st.enriched = parseEnrichment(s, ks, to);
        return;
      }
    }
    i = eq + 1;
    c = i < to ? s.charCodeAt(i) : SP;
    if (c === DQ) {
      const close = s.indexOf('"', i + 1);
      if (close < 0 || close >= to) fail(`unterminated quoted value (truncated?)`, key);
      if (close + 1 < to && s.charCodeAt(close + 1) !== SP) fail(`unexpected text after the quoted value`, key);
      if (key === 'msg' && !nested && s.lastIndexOf('=', close) > i) {
        st.kv++;
        scanBody(s, i + 1, close, st, true);
      } else store(st, key, s.slice(i + 1, close), true, nested);
      i = close + 1;
    } else if (c === SQ) {
      const close = s.lastIndexOf("'", to - 1);
      if (close <= i) fail(`unterminated quoted value (truncated?)`, key);
      if (key === 'msg' && !nested) {
        st.kv++;
        scanBody(s, i + 1, close, st, true);
      } else store(st, key, s.slice(i + 1, close), true, nested);
      i = close + 1;
    } else {
      let end = s.indexOf(' ', i);
      if (end < 0 || end > to) end = to;
      store(st, key, s.slice(i, end), false, nested);
      i = end;
    }
  }
}

/** ENRICHED part: `NAME="quoted"`, `NAME=HEX` (encoded names), `NAME=plain`, `SADDR={ … }`. */
export function parseEnrichment(s: string, from: number, to: number): Map<string, string> {
  const out = new Map<string, string>();
  let i = from;
  while (i < to) {
    if (s.charCodeAt(i) === SP) {
      i++;
      continue;
    }
    const ks = i;
    while (i < to && s.charCodeAt(i) !== EQ && s.charCodeAt(i) !== SP) i++;
    if (i >= to || s.charCodeAt(i) !== EQ) continue; // a word without a value: nothing to keep
    const key = s.slice(ks, i++);
    let value: string;
    const c = i < to ? s.charCodeAt(i) : SP;
    if (c === DQ || c === 123 /* { */) {
      const close = s.indexOf(c === DQ ? '"' : '}', i + 1);
      if (close < 0 || close >= to) fail(`unterminated enriched value (truncated?)`, key);
      value = c === DQ ? s.slice(i + 1, close) : s.slice(i, close + 1);
      i = close + 1;
    } else {
      const vs = i;
      while (i < to && s.charCodeAt(i) !== SP) i++;
      value = s.slice(vs, i);
      if (key !== 'ARCH' && key !== 'SYSCALL' && value.length % 2 === 0 && isHexDigits(value)) {
        value = hexToUtf8(value);
      }
    }
    if (key && !out.has(key)) out.set(key, value);
  }
  return out;
}

/** Record type name → number; the kernel's syscall-event types without a hash lookup. */
function typeNumber(name: string): number {
  switch (name.length) {
    case 3:
      if (name === 'EOE') return 1320;
      if (name === 'CWD') return 1307;
      break;
    case 4:
      if (name === 'PATH') return 1302;
      break;
    case 6:
      if (name === 'EXECVE') return 1309;
      break;
    case 7:
      if (name === 'SYSCALL') return 1300;
      break;
    case 9:
      if (name === 'PROCTITLE') return 1327;
      break;
  }
  return TYPE_NUMBERS.get(name) ?? -1;
}

/** True when `lit` occurs in `s` at `i` (no allocation, unlike a slice). */
function matchAt(s: string, i: number, lit: string): boolean {
  if (i < 0 || i + lit.length > s.length) return false;
  for (let k = 0; k < lit.length; k++) if (s.charCodeAt(i + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** Reads decimal digits at `i`; returns the end index (== i when none). */
function digitsEnd(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/** Parses one line. Throws FormatError when it is not a well-formed audit record. */
export function parseLine(line: string): AuditRecord {
  if (line.charCodeAt(0) === 123 /* { */) return parseJournal(line);
  checkChars(line);
  let start = 0;
  let prefix = '';
  if (!matchAt(line, 0, 'type=') && !matchAt(line, 0, 'node=')) {
    const t = line.indexOf(' type=');
    if (t < 0) fail('not an audit record: no type= field');
    const prev = line.lastIndexOf(' ', t - 1);
    const nodeBefore = matchAt(line, prev + 1, 'node=');
    start = nodeBefore ? prev + 1 : t + 1;
    prefix = line.slice(0, nodeBefore ? Math.max(prev, 0) : t);
  }
  let node: string | undefined;
  let i = start;
  if (matchAt(line, i, 'node=')) {
    const sp = line.indexOf(' ', i);
    if (sp < 0 || sp === i + 5) fail('malformed node= field');
    node = line.slice(i + 5, sp);
    i = sp + 1;
  }
  if (!matchAt(line, i, 'type=')) fail('not an audit record: no type= field');
  i += 5;
  const ts = i;
  const te = line.indexOf(' ', ts);
  if (te < 0) fail('header ends after type=');
  const rawType = line.slice(ts, te);
  let type: string;
  let typeNum: number;
  const c0 = rawType.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57 && digitsEnd(rawType, 0) === rawType.length && rawType.length <= 5) {
    typeNum = Number(rawType);
    type = TYPE_NAMES.get(typeNum) ?? `UNKNOWN[${typeNum}]`;
  } else if (c0 === 85 && rawType.startsWith('UNKNOWN[') && rawType.endsWith(']') && rawType.length <= 14 &&
    rawType.length > 9 && digitsEnd(rawType, 8) === rawType.length - 1) {
    type = rawType;
    typeNum = Number(rawType.slice(8, -1));
  } else {
    if (!isUpperKey(rawType) || rawType.includes('-')) fail(`invalid record type ${JSON.stringify(rawType.slice(0, 40))}`);
    type = rawType;
    typeNum = typeNumber(rawType);
  }
  i = te + 1;
  let printk = false;
  if (matchAt(line, i, 'msg=audit(')) i += 10;
  else if (matchAt(line, i, 'audit(')) {
    i += 6;
    printk = true;
  } else fail('malformed header: expected msg=audit(');
  // seconds '.' 3 digits ':' serial '):'
  let secNum = 0;
  let e = i;
  for (let c = line.charCodeAt(e); c >= 48 && c <= 57; c = line.charCodeAt(++e)) secNum = secNum * 10 + (c - 48);
  if (e === i || e - i > 12 || line.charCodeAt(e) !== 46 /* . */) fail('malformed timestamp in header');
  const sec = line.slice(i, e);
  i = e + 1;
  e = digitsEnd(line, i);
  if (e - i !== 3) fail('malformed timestamp in header: need 3 millisecond digits');
  if (line.charCodeAt(e) !== 58 /* : */) fail('malformed header: no serial after the timestamp');
  const ms = line.slice(i, e);
  const msNum = (line.charCodeAt(i) - 48) * 100 + (line.charCodeAt(i + 1) - 48) * 10 + (line.charCodeAt(i + 2) - 48);
  i = e + 1;
  let serial = 0;
  e = i;
  for (let c = line.charCodeAt(e); c >= 48 && c <= 57; c = line.charCodeAt(++e)) serial = serial * 10 + (c - 48);
  if (e === i || e - i > 10 || line.charCodeAt(e) !== 41 /* ) */ || line.charCodeAt(e + 1) !== 58 /* : */) {
    fail('malformed serial in header');
  }
  if (serial > MAX_SERIAL || secNum > MAX_SEC) fail('timestamp or serial out of range');
  i = e + 2;
  const gs = line.indexOf('\x1d', i);
  const to = gs < 0 ? line.length : gs;
  const st: BodyState = {
    fields: new Fields(),
    enriched: undefined,
    execve: type === 'EXECVE',
    kv: 0,
    words: undefined,
    prefix: '',
    avc: false,
    perms: undefined,
  };
  scanBody(line, i, to, st, false);
  if (gs >= 0) st.enriched = parseEnrichment(line, gs + 1, line.length);
  if (st.words) {
    if (st.kv === 0) fail('record body has no key=value fields');
    if (!st.fields.has('unparsed')) st.fields.add('unparsed', st.words.join(' '));
  }
  if (node === undefined && prefix) node = carrierHost(prefix);
  return {
    node,
    type,
    typeNum,
    sec,
    secNum,
    ms,
    msNum,
    serial,
    fields: st.fields,
    enriched: st.enriched,
    carrier: printk ? 'printk' : prefix ? 'syslog' : 'raw',
  };
}

/** A `journalctl -o json` entry of `_TRANSPORT=audit`: rebuilt as a raw line, then parsed. */
function parseJournal(line: string): AuditRecord {
  const { text, host } = journalEntryToLine(line);
  const rec = parseLine(text);
  if (host !== undefined) rec.node = host;
  rec.carrier = 'journald';
  return rec;
}

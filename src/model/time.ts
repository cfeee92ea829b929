/**
 * Nanosecond-exact timestamps. A JS Date keeps milliseconds only, so RFC 3339
 * strings are parsed with integer arithmetic into a bigint of nanoseconds since
 * the Unix epoch, and formatted back keeping exactly the fractional digits given.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

export interface ParsedTime {
  /** Nanoseconds since the Unix epoch. */
  ns: bigint;
  /** The same instant, RFC 3339 in UTC with `Z`, fraction digits as given. */
  iso: string;
}

// Events of one batch mostly share their second: remember the last one parsed.
let lastPrefix = '';
let lastSecondNs = 0n;

function isDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Parses an RFC 3339 timestamp; returns undefined when the text is not one. */
export function parseRfc3339(text: string): ParsedTime | undefined {
  // Fast path for the usual UTC form, `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z`, within a second already seen.
  const n = text.length;
  if (n >= 20 && n <= 30 && n !== 21 && text.charCodeAt(n - 1) === 90 /* Z */ && text.startsWith(lastPrefix) && lastPrefix !== '') {
    const sep = text.charCodeAt(19);
    if (n === 20 ? sep === 90 : sep === 46 /* . */ && isDigits(text, 20, n - 1)) {
      const frac = n === 20 ? 0n : BigInt(text.slice(20, n - 1).padEnd(9, '0'));
      return { ns: lastSecondNs + frac, iso: text };
    }
  }
  const parsed = parseSlow(text);
  if (parsed && text[10] === 'T' && text.endsWith('Z') && (text.length === 20 || text[19] === '.')) {
    lastPrefix = text.slice(0, 19);
    lastSecondNs = parsed.ns - (parsed.ns % 1_000_000_000n);
  }
  return parsed;
}

function parseSlow(text: string): ParsedTime | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const epochMs = Date.UTC(Number(y), month - 1, day, hour, minute, second) - offsetMin * 60_000;
  if (!Number.isFinite(epochMs)) return undefined;
  const fracNs = frac === '' ? 0n : BigInt(frac.padEnd(9, '0'));
  const ns = BigInt(epochMs) * 1_000_000n + fracNs;
  const iso =
    zone === 'Z' && !text.includes(' ') && text[10] === 'T'
      ? text
      : formatNs(ns, frac.length);
  return { ns, iso };
}

/** Formats nanoseconds since the epoch as RFC 3339 UTC with `digits` fraction digits (0–9). */
export function formatNs(ns: bigint, digits = 9): string {
  let sec = ns / 1_000_000_000n;
  if (ns < 0n && sec * 1_000_000_000n !== ns) sec -= 1n; // floor, not truncation
  const secIso = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  if (digits <= 0) return `${secIso}Z`;
  const frac = (ns - sec * 1_000_000_000n).toString().padStart(9, '0').slice(0, digits);
  return `${secIso}.${frac}Z`;
}

// The wall clock read once, advanced by the monotonic clock: nanosecond
// resolution, and never going backwards between two calls.
const wallAtStart = BigInt(Date.now()) * 1_000_000n;
const hrAtStart = process.hrtime.bigint();

/** Current time in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return wallAtStart + (process.hrtime.bigint() - hrAtStart);
}

/**
 * Parses a duration such as `90s`, `15m`, `1h30m`, `7d`, `2w`, `500ms`, `250us`, `10ns`
 * (Prometheus/Loki units) into nanoseconds.
 */
export function parseDurationNs(text: string): bigint | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/gy;
  const unit: Record<string, number> = {
    ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 604800e9, y: 31536000e9,
  };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * unit[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) return undefined;
  return BigInt(Math.round(total));
}

/**
 * Parses a point in time given as RFC 3339 or as a Unix epoch in seconds,
 * milliseconds or nanoseconds (told apart by magnitude, as Loki does), or as
 * `now` / `now-1h`.
 */
export function parseTimeArg(text: string, now: bigint = nowNs()): bigint | undefined {
  if (text === 'now') return now;
  if (text.startsWith('now-')) {
    const d = parseDurationNs(text.slice(4));
    return d === undefined ? undefined : now - d;
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    const [int, frac = ''] = text.split('.');
    if (int.length <= 10) return BigInt(int) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
    if (int.length <= 13) return BigInt(int) * 1_000_000n;
    return BigInt(int);
  }
  return parseRfc3339(text)?.ns;
}

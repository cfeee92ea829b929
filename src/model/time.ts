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

/**
 * The instants a timestamp may name: nanoseconds since the epoch held in a
 * signed 64-bit integer (how the store keeps them, and Loki too), that is
 * 1677-09-21T00:12:43.145224192Z through 2262-04-11T23:47:16.854775807Z.
 * Anything outside is refused, never wrapped around.
 */
export const MIN_NS = -(2n ** 63n);
export const MAX_NS = 2n ** 63n - 1n;
export const TIME_RANGE = '1677-09-21T00:12:43.145224192Z through 2262-04-11T23:47:16.854775807Z';

const OUT_OF_RANGE = `is outside the range of timestamps Vigil stores (${TIME_RANGE})`;

/** Why nanoseconds since the epoch cannot be stored, or undefined when they can. */
export const nsRangeError = (ns: bigint): string | undefined => (ns < MIN_NS || ns > MAX_NS ? OUT_OF_RANGE : undefined);

/** Why `text` is not a timestamp Vigil stores (not RFC 3339, not a calendar date, out of range), or undefined when it is. */
export function timestampError(text: string): string | undefined {
  if (parseRfc3339(text)) return undefined;
  const shown = JSON.stringify(text.slice(0, 64));
  const m = RFC3339.exec(text);
  if (!m) return `is not an RFC 3339 timestamp: ${shown}`;
  if (!calendarValid(m)) return `is not a calendar date and time: ${shown}`;
  return `${OUT_OF_RANGE}: ${shown}`;
}

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

function calendarValid(m: RegExpExecArray): boolean {
  const [, y, mo, d, h, mi, s] = m;
  const month = Number(mo);
  const day = Number(d);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(Number(y), month) && Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 60;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, no Date.UTC two-digit-year mapping). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
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

/** Parses an RFC 3339 timestamp; returns undefined when the text is not one, or not a calendar date, or outside MIN_NS..MAX_NS. */
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
  if (!calendarValid(m)) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  // A leap second (:60) counts as the first second of the next minute, as Date.UTC counted it.
  const epochSec = daysFromCivil(Number(y), Number(mo), Number(d)) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s) - offsetMin * 60;
  const fracNs = frac === '' ? 0n : BigInt(frac.padEnd(9, '0'));
  const ns = BigInt(epochSec) * 1_000_000_000n + fracNs;
  if (nsRangeError(ns)) return undefined;
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

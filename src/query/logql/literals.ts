/** LogQL literals: strings, durations, bytes. */

/** Decodes a LogQL string literal: Go double-quoted (with escapes) or a raw back-quoted string. */
export function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/gs, (_, esc: string) => {
    switch (esc[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(parseInt(esc.slice(1), 16));
      default:
        return /^[0-7]{3}$/.test(esc) ? String.fromCharCode(parseInt(esc, 8)) : esc;
    }
  });
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 7 * 86400e9, y: 365 * 86400e9,
};

/** A Go/Prometheus duration (`5m`, `1h30m`, `1.5h`, `-1h`) in ns; undefined if malformed. */
export function parseDuration(text: string): bigint | undefined {
  let s = text.trim();
  let sign = 1n;
  if (s.startsWith('-')) [sign, s] = [-1n, s.slice(1)];
  if (s === '' ) return undefined;
  if (s === '0') return 0n;
  let total = 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w|y)/y;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    at = re.lastIndex;
  }
  return sign * BigInt(Math.round(total));
}

const BYTES_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15, eb: 1e18,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4, pib: 1024 ** 5, eib: 1024 ** 6,
  k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, ti: 1024 ** 4, pi: 1024 ** 5,
};

/** A humanized byte size (`20KB`, `1.5KiB`, `42`) as a number; undefined if malformed. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  const mult = unit === '' ? 1 : BYTES_UNITS[unit];
  return mult === undefined ? undefined : Number(m[1]) * mult;
}

/** Prints ns as a Prometheus duration (`1h30m`, `5m`, `250ms`). */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  let n = ns < 0n ? -ns : ns;
  let out = ns < 0n ? '-' : '';
  for (const [u, size] of [['d', 86400_000_000_000n], ['h', 3600_000_000_000n], ['m', 60_000_000_000n], ['s', 1_000_000_000n], ['ms', 1_000_000n], ['us', 1000n], ['ns', 1n]] as const) {
    if (n >= size) {
      out += `${n / size}${u}`;
      n %= size;
    }
  }
  return out;
}

/** Quotes a string as a Go double-quoted literal. */
export const quote = (s: string) => JSON.stringify(s);

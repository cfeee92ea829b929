/**
 * EXECVE argument reassembly (kernel `audit_log_execve_info`): `argc=N a0=… a1=…`, long or
 * late arguments split as `aN_len=L aN[0]=… aN[1]=…`, possibly across several EXECVE
 * records of one event. Chunks are joined as bytes, then decoded as UTF-8 (U+FFFD for
 * invalid sequences). Kernels before the audit-kernel#99 fix dropped empty arguments, so a
 * missing `aN` is `""`.
 */
import type { Fields } from './fields.js';
import { hexBytes, hexToUtf8, isHexDigits } from './values.js';

export interface ExecveArgs {
  args: string[];
  /** False when chunks are missing, their length disagrees with `aN_len`, or argc is absurd. */
  ok: boolean;
  problem?: string;
}

/** Raw EXECVE value → text: `"text` (quoted, marker kept by the tokenizer), hex, or bare. */
export function argText(raw: string): string {
  if (raw.charCodeAt(0) === 34) return raw.slice(1);
  if (raw.length % 2 === 0 && isHexDigits(raw)) return hexToUtf8(raw);
  return raw;
}

function argBytes(raw: string): Buffer {
  if (raw.charCodeAt(0) === 34) return Buffer.from(raw.slice(1), 'utf8');
  if (raw.length % 2 === 0 && isHexDigits(raw)) return hexBytes(raw);
  return Buffer.from(raw, 'utf8');
}

/** Logged length of a chunk, as `aN_len` counts it: hex digits, or quoted text length. */
function loggedLength(raw: string): number {
  return raw.charCodeAt(0) === 34 ? raw.length - 1 : raw.length;
}

interface Collected {
  argc: string | undefined;
  /** `aN` values, `aN_len` values and `aN[i]` chunks, by N (first occurrence wins). */
  whole: (string | undefined)[];
  lens: (string | undefined)[];
  chunks: ((string | undefined)[] | undefined)[];
  /** Largest N mentioned (-1 if none) and the number of argument fields. */
  max: number;
  count: number;
}

/** Reads decimal digits of `k` from `i` (at most 7); returns [value, end] or undefined. */
function digitsAt(k: string, i: number): [number, number] | undefined {
  let n = 0;
  let j = i;
  for (; j < k.length && j - i < 8; j++) {
    const c = k.charCodeAt(j);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return j === i || j - i > 7 ? undefined : [n, j];
}

/** One pass over the EXECVE records' fields, sorting `argc`, `aN`, `aN_len`, `aN[i]`. */
function collect(records: Fields[]): Collected {
  const c: Collected = { argc: undefined, whole: [], lens: [], chunks: [], max: -1, count: 0 };
  for (const f of records) {
    const { names, values } = f;
    for (let j = 0; j < names.length; j++) {
      const k = names[j];
      if (k === 'argc') {
        c.argc ??= values[j];
        continue;
      }
      if (k.charCodeAt(0) !== 97) continue;
      const d = digitsAt(k, 1);
      if (d === undefined) continue;
      const [n, e] = d;
      if (e === k.length) {
        c.whole[n] ??= values[j];
      } else if (k.endsWith('_len') && e === k.length - 4) {
        c.lens[n] ??= values[j];
      } else if (k.charCodeAt(e) === 91 /* [ */ && k.charCodeAt(k.length - 1) === 93 /* ] */) {
        const ci = digitsAt(k, e + 1);
        if (ci === undefined || ci[1] !== k.length - 1) continue;
        (c.chunks[n] ??= [])[ci[0]] ??= values[j];
      } else continue;
      c.count++;
      if (n > c.max) c.max = n;
    }
  }
  return c;
}

export function reassembleArgs(records: Fields[]): ExecveArgs {
  const { argc: argcText, whole, lens, chunks, max, count } = collect(records);
  // Missing arguments count as "" (old kernels dropped empty ones), but never more of them
  // than a few dozen: a huge argc or index with few fields is corruption, not a command line.
  const bound = count + 64;
  let problem: string | undefined;
  let argc = Math.min(max + 1, bound);
  if (max + 1 > bound) problem = `argument index a${max} with only ${count} argument fields`;
  if (argcText !== undefined) {
    const n = /^\d{1,9}$/.test(argcText) ? Number(argcText) : NaN;
    if (Number.isNaN(n) || n > bound) {
      problem = `argc=${argcText.slice(0, 20)} does not match the ${count} argument fields logged`;
    } else argc = n;
  }
  const args: string[] = new Array(argc);
  for (let n = 0; n < argc; n++) {
    const w = whole[n];
    if (w !== undefined) {
      args[n] = argText(w);
      continue;
    }
    const lenText = lens[n];
    if (lenText === undefined) {
      args[n] = '';
      continue;
    }
    const parts: Buffer[] = [];
    let logged = 0;
    const list = chunks[n] ?? [];
    for (let i = 0; i < list.length; i++) {
      const chunk = list[i];
      if (chunk === undefined) break;
      parts.push(argBytes(chunk));
      logged += loggedLength(chunk);
    }
    if (String(logged) !== lenText) {
      problem ??= `a${n}: ${logged} of a${n}_len=${lenText.slice(0, 20)} logged`;
    }
    args[n] = Buffer.concat(parts).toString('utf8');
  }
  return problem === undefined ? { args, ok: true } : { args, ok: false, problem };
}

/**
 * UTF-8 checks shared by every ingest route: a body or line that is not valid
 * UTF-8 is refused naming the first bad byte, never silently decoded with
 * U+FFFD in its place, and the dead-letter file keeps its bytes exactly.
 */
import { isUtf8 } from 'node:buffer';
import type { RecordError } from './decode.js';

/** Byte offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1 when `buf` is valid. */
export function invalidUtf8At(buf: Uint8Array, from = 0, to = buf.length): number {
  if (isUtf8(buf.subarray(from, to))) return -1;
  let i = from;
  while (i < to) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const [len, lo, hi] = b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf] : b === 0xf0 ? [4, 0x90, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : [0, 0, 0];
    if (len === 0 || i + len > to) return i;
    if (buf[i + 1] < lo || buf[i + 1] > hi) return i;
    for (let k = 2; k < len; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}

export const invalidUtf8Reason = (at: number): string => `invalid UTF-8 at byte ${at}`;

/**
 * A whole body that is not UTF-8, as the one record error it becomes (the
 * bytes kept for the dead letter), or undefined. `text`: the body decoded,
 * when the caller holds it (without a U+FFFD in it there is nothing to look for).
 */
export function bodyUtf8Error(body: Buffer, text?: string): RecordError | undefined {
  const bad = text === undefined || text.includes('\ufffd') ? invalidUtf8At(body) : -1;
  if (bad < 0) return undefined;
  return { line: 1, offset: 0, path: '', reason: invalidUtf8Reason(bad), text: text ?? body.toString('utf8'), bytes: Uint8Array.from(body) };
}

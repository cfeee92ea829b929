/**
 * Bit arithmetic on tree sizes and node indices held in plain `number`s.
 *
 * JavaScript's bitwise operators truncate to 32 bits, but a log can outgrow
 * 2^32 leaves, so the Merkle node-id math here works on any non-negative safe
 * integer (< 2^53) by splitting values into a high and a low 32-bit half.
 * Shifts are exact divisions / multiplications by powers of two.
 */

const TWO_32 = 0x1_0000_0000;

/** Throws a RangeError unless `n` is a non-negative safe integer. */
export function assertU53(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
  }
}

/** 2^k as a number (exact for k <= 1023). */
export function pow2(k: number): number {
  return 2 ** k;
}

/** floor(n / 2^k): logical right shift. */
export function shr(n: number, k: number): number {
  return k === 0 ? n : Math.floor(n / 2 ** k);
}

/** n * 2^k: left shift (caller keeps the result below 2^53). */
export function shl(n: number, k: number): number {
  return n * 2 ** k;
}

/** Whether the lowest bit of `n` is set. */
export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** Number of bits needed to represent `n` (Go's bits.Len64); 0 for 0. */
export function bitLen(n: number): number {
  if (n < TWO_32) return 32 - Math.clz32(n);
  return 64 - Math.clz32(Math.floor(n / TWO_32));
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Number of trailing zero bits of `n` (Go's bits.TrailingZeros64); 64 for 0. */
export function trailingZeros(n: number): number {
  if (n === 0) return 64;
  const lo = n % TWO_32;
  if (lo !== 0) return ctz32(lo);
  return 32 + ctz32(Math.floor(n / TWO_32));
}

function pop32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Number of set bits of `n` (Go's bits.OnesCount64). */
export function popCount(n: number): number {
  return pop32(n % TWO_32) + pop32(Math.floor(n / TWO_32));
}

/** a XOR b for non-negative safe integers. */
export function xor(a: number, b: number): number {
  const hi = (Math.floor(a / TWO_32) ^ Math.floor(b / TWO_32)) >>> 0;
  const lo = ((a % TWO_32) ^ (b % TWO_32)) >>> 0;
  return hi * TWO_32 + lo;
}

/** n mod 2^k: the low `k` bits of `n`. */
export function lowBits(n: number, k: number): number {
  return k >= 53 ? n : n % 2 ** k;
}

/** Whether `n` is a power of two (n > 0). */
export function isPowerOfTwo(n: number): boolean {
  return n > 0 && popCount(n) === 1;
}

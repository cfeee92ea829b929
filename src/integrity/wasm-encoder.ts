/**
 * A minimal WebAssembly binary encoder: LEB128 numbers, vectors and sections,
 * and the instructions (i32, memory, control flow, 128-bit SIMD) that the
 * SHA-256 module (sha256-wasm.ts) is generated from.
 */

export type Code = number[];
export const uleb = (n: number): Code => {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): Code => {
  n |= 0;
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
export const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
export const section = (id: number, bytes: Code): Code => [id, ...uleb(bytes.length), ...bytes];
export const name = (s: string): Code => vec([...Buffer.from(s)].map((b) => [b]));

export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
const tee = (i: number): Code => [0x22, ...uleb(i)];
export const i32 = (n: number): Code => [0x41, ...sleb(n)];
export const load = (offset = 0): Code => [0x28, 0, ...uleb(offset)];
export const store = (offset = 0): Code => [0x36, 0, ...uleb(offset)];
export const store8 = (offset = 0): Code => [0x3a, 0, ...uleb(offset)];
export const call = (f: number): Code => [0x10, ...uleb(f)];
export const [add, sub, and, or, xor, shl, shrU, rotl, rotr] = [[0x6a], [0x6b], [0x71], [0x72], [0x73], [0x74], [0x76], [0x77], [0x78]];
export const [geU, eqz] = [[0x4f], [0x45]];
export const [block, loop, ifThen, end] = [[0x02, 0x40], [0x03, 0x40], [0x04, 0x40], [0x0b]];
export const br = (depth: number): Code => [0x0c, depth];
export const brIf = (depth: number): Code => [0x0d, depth];
export const memoryCopy = [0xfc, 0x0a, 0, 0];
export const memoryFill = [0xfc, 0x0b, 0];
/** Byte-swaps the i32 on the stack (SHA-256 is big-endian, WebAssembly little-endian), using local `t`. */
export const bswap = (t: number): Code => [...tee(t), ...i32(8), ...rotr, ...i32(0xff00ff00), ...and, ...get(t), ...i32(8), ...rotl, ...i32(0x00ff00ff), ...and, ...or];

export interface Fn {
  params: number;
  /** Locals after the parameters: that many i32, then that many v128. */
  locals: number[];
  code: Code;
}

// SIMD (128-bit, four 32-bit lanes).
const simd = (op: number): Code => [0xfd, ...uleb(op)];
export const v128Load = (offset = 0): Code => [0xfd, 0x00, 0, ...uleb(offset)];
const v128Const = (lanes: number[]): Code => [0xfd, 0x0c, ...lanes.flatMap((x) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff])];
export const splat = (x: number): Code => v128Const([x, x, x, x]);
export const shuffle = (bytes: number[]): Code => [0xfd, 0x0d, ...bytes];
export const extractLane = (lane: number): Code => [0xfd, 0x1b, lane];
export const [vOr, vXor, bitselect, vShl, vShrU, vAdd] = [simd(0x50), simd(0x51), simd(0x52), simd(0xab), simd(0xad), simd(0xae)];
export const vRotr = (x: number, n: number): Code => [...get(x), ...i32(n), ...vShrU, ...get(x), ...i32(32 - n), ...vShl, ...vOr];

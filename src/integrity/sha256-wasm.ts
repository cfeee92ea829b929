/**
 * SHA-256 (FIPS 180-4) in WebAssembly, for hashing many small messages in one
 * call: `vigil verify` hashes a block of 2,048 stored documents and the 2,047
 * interior nodes above them per call. Node's `crypto` costs a few
 * microseconds of call overhead per message, more than SHA-256 itself takes
 * for a 65-byte interior node; here a whole block costs one call.
 *
 * The module (about 9 KiB) is generated at load time from the code below
 * (no binary is checked in; instructions from wasm-encoder.ts): the compression
 * function fully unrolled, the working variables renamed per round. The tests
 * check it against `node:crypto` for every message length up to several
 * blocks and at random.
 *
 * Memory layout: [0, 32) the hash state of the one-at-a-time function,
 * [64, 192) the padding of a message's last block(s), from {@link HEAP} on
 * what the caller puts there, then scratch space (pad blocks, lane tables).
 */
import {
  add, and, bitselect, block, br, brIf, bswap, call, end, eqz, extractLane, get, geU, i32, ifThen, load, loop, memoryCopy, memoryFill,
  name, or, rotr, section, set, shl, shrU, shuffle, splat, store, store8, sub, uleb, v128Load, vAdd, vec, vRotr, vShrU, vXor, xor,
  type Code, type Fn
} from './wasm-encoder.js';

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const STATE = 0;
const PAD = 64;
/** First byte of memory free for the caller. */
export const HEAP = 1024;

// Function indices.
const COMPRESS = 0;
const DIGEST = 1;
const INIT = 2;
const PAD_FN = 3;
const SHA256 = 4;
const PADS = 5;
const NODE_MESSAGES = 6;
const QUADS = 7;

/** compress(p): the state absorbs the 64-byte block at p. */
function compressFn(): Fn {
  const A = 1; // locals 1..8: the working variables
  const W = 9; // locals 9..24: the message schedule, a ring of 16
  const T = 25;
  const X = 26;
  const code: Code = [];
  for (let i = 0; i < 8; i++) code.push(...i32(STATE), ...load(4 * i), ...set(A + i));
  let v = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => A + i); // which local holds a, b, …, h this round
  for (let r = 0; r < 64; r++) {
    const w = W + (r & 15);
    if (r < 16) {
      code.push(...get(0), ...load(4 * r), ...bswap(X), ...set(w));
    } else {
      const w15 = W + ((r - 15) & 15);
      const w7 = W + ((r - 7) & 15);
      const w2 = W + ((r - 2) & 15);
      // w[r] = w[r-16] + σ0(w[r-15]) + w[r-7] + σ1(w[r-2])
      code.push(
        ...get(w), ...get(w15), ...i32(7), ...rotr, ...get(w15), ...i32(18), ...rotr, ...xor, ...get(w15), ...i32(3), ...shrU, ...xor, ...add,
        ...get(w7), ...add,
        ...get(w2), ...i32(17), ...rotr, ...get(w2), ...i32(19), ...rotr, ...xor, ...get(w2), ...i32(10), ...shrU, ...xor, ...add, ...set(w),
      );
    }
    const [a, b, c, d, e, f, g, h] = v;
    // T1 = h + Σ1(e) + Ch(e, f, g) + K[r] + w[r]
    code.push(
      ...get(h), ...get(e), ...i32(6), ...rotr, ...get(e), ...i32(11), ...rotr, ...xor, ...get(e), ...i32(25), ...rotr, ...xor, ...add,
      ...get(g), ...get(e), ...get(f), ...get(g), ...xor, ...and, ...xor, ...add, ...i32(K[r]), ...add, ...get(w), ...add, ...set(T),
    );
    // d += T1; the new a (kept in h's local) = T1 + Σ0(a) + Maj(a, b, c)
    code.push(...get(d), ...get(T), ...add, ...set(d));
    code.push(
      ...get(T), ...get(a), ...i32(2), ...rotr, ...get(a), ...i32(13), ...rotr, ...xor, ...get(a), ...i32(22), ...rotr, ...xor, ...add,
      ...get(a), ...get(b), ...and, ...get(c), ...get(a), ...get(b), ...or, ...and, ...or, ...add, ...set(h),
    );
    v = [h, a, b, c, d, e, f, g];
  }
  for (let i = 0; i < 8; i++) code.push(...i32(STATE), ...i32(STATE), ...load(4 * i), ...get(v[i]), ...add, ...store(4 * i));
  return { params: 1, locals: [26], code };
}

/** digest(out): the state, big-endian, to out. */
function digestFn(): Fn {
  const code: Code = [];
  for (let i = 0; i < 8; i++) code.push(...get(0), ...i32(STATE), ...load(4 * i), ...bswap(1), ...store(4 * i));
  return { params: 1, locals: [1], code };
}

function initFn(): Fn {
  const code: Code = [];
  for (let i = 0; i < 8; i++) code.push(...i32(STATE), ...i32(IV[i]), ...store(4 * i));
  return { params: 0, locals: [], code };
}

/**
 * pad(tail, len, dst): the last block(s) of a message of `len` bytes (< 2^29)
 * whose last len % 64 bytes are at `tail`: those bytes, 0x80, zeros and the
 * length in bits, big-endian, in 64 or 128 bytes at dst (128 zeroed).
 */
function padFn(): Fn {
  const [tail, len, dst, rest, at, t] = [0, 1, 2, 3, 4, 5];
  const code: Code = [
    ...get(dst), ...i32(0), ...i32(128), ...memoryFill,
    ...get(len), ...i32(63), ...and, ...set(rest),
    ...get(dst), ...get(tail), ...get(rest), ...memoryCopy,
    ...get(dst), ...get(rest), ...add, ...i32(0x80), ...store8(),
    // the length ends the first pad block, or a second one when the tail leaves no room
    ...get(dst), ...get(rest), ...i32(56), ...geU, ...i32(64), ...[0x6c], ...add, ...set(at), // i32.mul
    ...get(at), ...get(len), ...i32(3), ...shl, ...bswap(t), ...store(60),
    ...get(at), ...get(len), ...i32(29), ...shrU, ...bswap(t), ...store(56),
  ];
  return { params: 3, locals: [3], code };
}

/** sha256(p, len, out): SHA-256 of the len bytes at p (len < 2^29) to out, one block at a time. */
function sha256Fn(): Fn {
  const [p, len, out, blocksEnd] = [0, 1, 2, 3];
  const code: Code = [
    ...call(INIT),
    ...get(p), ...get(len), ...i32(~63), ...and, ...add, ...set(blocksEnd),
    ...block, ...loop,
    ...get(p), ...get(blocksEnd), ...geU, ...brIf(1),
    ...get(p), ...call(COMPRESS),
    ...get(p), ...i32(64), ...add, ...set(p), ...br(0),
    ...end, ...end,
    ...get(p), ...get(len), ...i32(PAD), ...call(PAD_FN),
    ...i32(PAD), ...call(COMPRESS),
    ...get(len), ...i32(63), ...and, ...i32(56), ...geU, ...ifThen, ...i32(PAD + 64), ...call(COMPRESS), ...end,
    ...get(out), ...call(DIGEST),
  ];
  return { params: 3, locals: [1], code };
}

/** pads(list, n, dst): for the n messages listed as (address, length) i32 pairs, their pad blocks at dst + 128i. */
function padsFn(): Fn {
  const [list, n, dst, len] = [0, 1, 2, 3];
  const code: Code = [
    ...block, ...loop,
    ...get(n), ...eqz, ...brIf(1),
    ...get(list), ...load(4), ...set(len),
    ...get(list), ...load(0), ...get(len), ...i32(~63), ...and, ...add, ...get(len), ...get(dst), ...call(PAD_FN),
    ...get(list), ...i32(8), ...add, ...set(list),
    ...get(dst), ...i32(128), ...add, ...set(dst),
    ...get(n), ...i32(1), ...sub, ...set(n), ...br(0),
    ...end, ...end,
  ];
  return { params: 3, locals: [1], code };
}

/** nodeMessages(src, n, dst): for j < n, at dst + 128j the two padded blocks of 0x01 ‖ src[64j, 64j + 64) (an interior node's input). */
function nodeMessagesFn(): Fn {
  const [src, n, dst] = [0, 1, 2];
  const code: Code = [
    ...block, ...loop,
    ...get(n), ...eqz, ...brIf(1),
    ...get(dst), ...i32(0), ...i32(128), ...memoryFill,
    ...get(dst), ...i32(0x01), ...store8(0),
    ...get(dst), ...i32(1), ...add, ...get(src), ...i32(64), ...memoryCopy,
    ...get(dst), ...i32(0x80), ...store8(65),
    ...get(dst), ...i32(0x08020000), ...store(124), // 520 bits, big-endian
    ...get(src), ...i32(64), ...add, ...set(src),
    ...get(dst), ...i32(128), ...add, ...set(dst),
    ...get(n), ...i32(1), ...sub, ...set(n), ...br(0),
    ...end, ...end,
  ];
  return { params: 3, locals: [], code };
}

/**
 * quads(table, nq): hashes messages four at a time, one per SIMD lane. Each
 * of the nq entries of the table is, as i32: the number of blocks B, the
 * four output addresses, then for each block the four lanes' block
 * addresses (the message's own blocks, then its pad blocks).
 */
function quadsFn(): Fn {
  const [table, nq, B, k, P, q, o, t] = [0, 1, 2, 3, 4, 8, 9, 10]; // P..P+3: the lanes' block addresses
  const S = 11; // v128 locals: the state
  const A = 19; // the working variables
  const W = 27; // the message schedule
  const T = 43;
  const R = 44; // the four lanes' words, as loaded
  const U = 48; // half transposed
  const LO = [3, 2, 1, 0, 19, 18, 17, 16, 7, 6, 5, 4, 23, 22, 21, 20]; // byte-swapped words 0, 1 of two vectors, interleaved
  const HI = LO.map((x) => x + 8);
  const LO2 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const HI2 = LO2.map((x) => x + 8);
  const body: Code = [];
  // Load the block's 16 words, lane j from P+j, big-endian, transposed so that W+i holds word i of all four.
  for (let g = 0; g < 4; g++) {
    for (let j = 0; j < 4; j++) body.push(...get(P + j), ...v128Load(16 * g), ...set(R + j));
    body.push(...get(R), ...get(R + 1), ...shuffle(LO), ...set(U), ...get(R), ...get(R + 1), ...shuffle(HI), ...set(U + 1));
    body.push(...get(R + 2), ...get(R + 3), ...shuffle(LO), ...set(U + 2), ...get(R + 2), ...get(R + 3), ...shuffle(HI), ...set(U + 3));
    body.push(...get(U), ...get(U + 2), ...shuffle(LO2), ...set(W + 4 * g), ...get(U), ...get(U + 2), ...shuffle(HI2), ...set(W + 4 * g + 1));
    body.push(...get(U + 1), ...get(U + 3), ...shuffle(LO2), ...set(W + 4 * g + 2), ...get(U + 1), ...get(U + 3), ...shuffle(HI2), ...set(W + 4 * g + 3));
  }
  for (let i = 0; i < 8; i++) body.push(...get(S + i), ...set(A + i));
  let v = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => A + i);
  for (let r = 0; r < 64; r++) {
    const w = W + (r & 15);
    if (r >= 16) {
      const w15 = W + ((r - 15) & 15);
      const w7 = W + ((r - 7) & 15);
      const w2 = W + ((r - 2) & 15);
      body.push(
        ...get(w), ...vRotr(w15, 7), ...vRotr(w15, 18), ...vXor, ...get(w15), ...i32(3), ...vShrU, ...vXor, ...vAdd,
        ...get(w7), ...vAdd,
        ...vRotr(w2, 17), ...vRotr(w2, 19), ...vXor, ...get(w2), ...i32(10), ...vShrU, ...vXor, ...vAdd, ...set(w),
      );
    }
    const [a, b, c, d, e, f, g, h] = v;
    body.push(
      ...get(h), ...vRotr(e, 6), ...vRotr(e, 11), ...vXor, ...vRotr(e, 25), ...vXor, ...vAdd,
      ...get(f), ...get(g), ...get(e), ...bitselect, ...vAdd, // Ch(e, f, g) = e ? f : g
      ...splat(K[r]), ...vAdd, ...get(w), ...vAdd, ...set(T),
      ...get(d), ...get(T), ...vAdd, ...set(d),
      ...get(T), ...vRotr(a, 2), ...vRotr(a, 13), ...vXor, ...vRotr(a, 22), ...vXor, ...vAdd,
      ...get(c), ...get(b), ...get(a), ...get(b), ...vXor, ...bitselect, ...vAdd, // Maj(a, b, c) = a ≠ b ? c : b
      ...set(h),
    );
    v = [h, a, b, c, d, e, f, g];
  }
  for (let i = 0; i < 8; i++) body.push(...get(S + i), ...get(v[i]), ...vAdd, ...set(S + i));

  const code: Code = [
    ...block, ...loop,
    ...get(nq), ...eqz, ...brIf(1),
    ...get(table), ...load(0), ...set(B),
    ...IV.flatMap((x, i) => [...splat(x), ...set(S + i)]),
    ...get(table), ...i32(20), ...add, ...set(q),
    ...i32(0), ...set(k),
    ...block, ...loop,
    ...get(k), ...get(B), ...geU, ...brIf(1),
    ...[0, 1, 2, 3].flatMap((j) => [...get(q), ...load(4 * j), ...set(P + j)]),
    ...get(q), ...i32(16), ...add, ...set(q),
    ...body,
    ...get(k), ...i32(1), ...add, ...set(k), ...br(0),
    ...end, ...end,
    ...[0, 1, 2, 3].flatMap((j) => [
      ...get(table), ...load(4 + 4 * j), ...set(o),
      ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [...get(o), ...get(S + i), ...extractLane(j), ...bswap(t), ...store(4 * i)]),
    ]),
    ...get(q), ...set(table),
    ...get(nq), ...i32(1), ...sub, ...set(nq), ...br(0),
    ...end, ...end,
  ];
  return { params: 2, locals: [9, 41], code };
}

function moduleBytes(): Uint8Array {
  const fns = [compressFn(), digestFn(), initFn(), padFn(), sha256Fn(), padsFn(), nodeMessagesFn(), quadsFn()];
  const arities = [...new Set(fns.map((f) => f.params))];
  const types = vec(arities.map((p) => [0x60, ...vec(Array.from({ length: p }, () => [0x7f])), 0]));
  const funcs = vec(fns.map((f) => uleb(arities.indexOf(f.params))));
  const memory = vec([[0x00, ...uleb(1)]]);
  const exports = vec([
    [...name('memory'), 0x02, 0],
    [...name('sha256'), 0x00, SHA256],
    [...name('pads'), 0x00, PADS],
    [...name('nodeMessages'), 0x00, NODE_MESSAGES],
    [...name('quads'), 0x00, QUADS],
  ]);
  const bodies = vec(
    fns.map((f) => {
      // locals: [i32 count] or [i32 count, v128 count]
      const decl = f.locals.flatMap((n, i) => (n ? [[...uleb(n), i === 0 ? 0x7f : 0x7b]] : []));
      const body = [...vec(decl), ...f.code, ...end];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, types), ...section(3, funcs), ...section(5, memory), ...section(7, exports), ...section(10, bodies)]);
}

// The WebAssembly global, typed here: the compiler's lib set (ES2023, node) leaves it out.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Exports {
  memory: WasmMemory;
  sha256(p: number, len: number, out: number): void;
  pads(list: number, n: number, dst: number): void;
  nodeMessages(src: number, n: number, dst: number): void;
  quads(table: number, nq: number): void;
}
const wasm = (globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: unknown } };
}).WebAssembly;

let compiled: object | undefined;

const align = (n: number) => (n + 15) & ~15;

/** One instance: its own memory, to be used from one thread. */
export class Sha256Wasm {
  private readonly x: Exports;
  private view_: Uint8Array;
  /** End of what the caller uses; scratch space goes after it. */
  private reserved = HEAP;

  constructor() {
    compiled ??= new wasm.Module(moduleBytes());
    this.x = new wasm.Instance(compiled).exports as Exports;
    this.view_ = new Uint8Array(this.x.memory.buffer);
  }

  /**
   * The memory, at least `bytes` long, of which the caller uses [HEAP, bytes).
   * A view taken before a call that grows memory (any of the hashing calls) is stale.
   */
  memory(bytes: number): Uint8Array {
    this.reserved = Math.max(HEAP, bytes);
    return this.grow(bytes);
  }

  /** The memory as it is now (after a hashing call that may have grown it). */
  view(): Uint8Array {
    return this.view_;
  }

  private grow(bytes: number): Uint8Array {
    if (bytes > this.view_.length) {
      this.x.memory.grow(Math.ceil((bytes - this.view_.length) / 65536));
      this.view_ = new Uint8Array(this.x.memory.buffer);
    }
    return this.view_;
  }

  /** SHA-256 of the `len` bytes at `p`, to `out`, one block at a time (no SIMD). */
  sha256(p: number, len: number, out: number): void {
    this.x.sha256(p, len, out);
  }

  /** SHA-256 of `n` messages listed at `list` as (address, length) i32 pairs, to out + 32i: four at a time. */
  messages(list: number, n: number, out: number): void {
    if (n === 0) return;
    const pads = align(this.reserved);
    const entries = new Int32Array(this.x.memory.buffer, list, 2 * n);
    // Messages of the same number of blocks (pads included) go through the lanes together.
    const byBlocks = new Map<number, number[]>();
    let words = 0;
    for (let i = 0; i < n; i++) {
      const len = entries[2 * i + 1];
      const blocks = (len >>> 6) + ((len & 63) >= 56 ? 2 : 1);
      let group = byBlocks.get(blocks);
      if (!group) byBlocks.set(blocks, (group = []));
      if (group.length % 4 === 0) words += 5 + 4 * blocks;
      group.push(i);
    }
    const table = pads + 128 * n;
    const dummy = table + 4 * words;
    this.grow(dummy + 3 * 32);
    this.x.pads(list, n, pads);
    const t = new Int32Array(this.x.memory.buffer, table, words);
    const e = new Int32Array(this.x.memory.buffer, list, 2 * n);
    let at = 0;
    let quads = 0;
    for (const [blocks, group] of byBlocks) {
      for (let g = 0; g < group.length; g += 4, quads++) {
        t[at++] = blocks;
        for (let j = 0; j < 4; j++) t[at++] = g + j < group.length ? out + 32 * group[g + j] : dummy + 32 * (j - 1);
        for (let k = 0; k < blocks; k++) {
          for (let j = 0; j < 4; j++) {
            const i = group[Math.min(g + j, group.length - 1)];
            const full = e[2 * i + 1] >>> 6;
            t[at++] = k < full ? e[2 * i] + 64 * k : pads + 128 * i + 64 * (k - full);
          }
        }
      }
    }
    this.x.quads(table, quads);
  }

  /** out + 32j = SHA-256(0x01 ‖ src[64j, 64j + 64)) for j < n: the interior nodes above n pairs of hashes. */
  nodes(src: number, n: number, out: number): void {
    if (n === 0) return;
    const messages = align(this.reserved);
    const quads = Math.ceil(n / 4);
    const table = messages + 128 * n;
    const dummy = table + 4 * 13 * quads;
    this.grow(dummy + 3 * 32);
    this.x.nodeMessages(src, n, messages);
    const t = new Int32Array(this.x.memory.buffer, table, 13 * quads);
    let at = 0;
    for (let g = 0; g < n; g += 4) {
      t[at++] = 2;
      for (let j = 0; j < 4; j++) t[at++] = g + j < n ? out + 32 * (g + j) : dummy + 32 * (j - 1);
      for (let k = 0; k < 2; k++) for (let j = 0; j < 4; j++) t[at++] = messages + 128 * Math.min(g + j, n - 1) + 64 * k;
    }
    this.x.quads(table, quads);
  }
}

/**
 * SHA-256 of many messages in one call, four at a time in the SIMD lanes of
 * the WebAssembly SHA-256 (sha256-wasm.ts): about 1.7x node:crypto's
 * per-message speed on this hardware (no SHA extensions), and no per-message
 * call overhead (which is most of the cost of a 65-byte interior node). The
 * ingest encoder seals each batch of documents this way, a commit hashes the
 * interior nodes it completes a tree level at a time, and the NDJSON decoder
 * derives missing event ids a block of lines at a time.
 */
import { HASH_SIZE } from './hash.js';
import { HEAP, Sha256Wasm } from './sha256-wasm.js';

let local: Sha256Wasm | undefined;

/**
 * SHA-256 of `text[starts[i], ends[i])` for i < n, 32 bytes each, in order.
 * For leaf hashes, each range begins with its 0x00 leaf prefix. The whole of
 * `text` is copied to the hasher at once: for ranges that cover most of it.
 */
export function hashRanges(text: Uint8Array, starts: ArrayLike<number>, ends: ArrayLike<number>, n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  const hasher = (local ??= new Sha256Wasm());
  // Layout after HEAP: the (address, length) list, the text, the hashes.
  const list = HEAP;
  const input = list + 8 * n;
  const out = input + ((text.length + 15) & ~15);
  const mem = hasher.memory(out + n * HASH_SIZE);
  mem.set(text, input);
  const words = new Int32Array(mem.buffer, list, 2 * n);
  for (let i = 0; i < n; i++) {
    words[2 * i] = input + starts[i];
    words[2 * i + 1] = ends[i] - starts[i];
  }
  return digest(hasher, list, n, out);
}

/** Like hashRanges, but copies only the ranges to the hasher: for a few ranges of a large buffer. */
export function hashSlices(source: Uint8Array, starts: ArrayLike<number>, ends: ArrayLike<number>, n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  const hasher = (local ??= new Sha256Wasm());
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += ends[i] - starts[i];
  const list = HEAP;
  const input = list + 8 * n;
  const out = input + ((bytes + 15) & ~15);
  const mem = hasher.memory(out + n * HASH_SIZE);
  const words = new Int32Array(mem.buffer, list, 2 * n);
  for (let i = 0, at = input; i < n; i++) {
    const len = ends[i] - starts[i];
    mem.set(source.subarray(starts[i], ends[i]), at);
    words[2 * i] = at;
    words[2 * i + 1] = len;
    at += len;
  }
  return digest(hasher, list, n, out);
}

function digest(hasher: Sha256Wasm, list: number, n: number, out: number): Uint8Array {
  hasher.messages(list, n, out);
  return hasher.view().slice(out, out + n * HASH_SIZE);
}

/** Interior nodes above `pairs` (n left ‖ right pairs, 64 bytes each): SHA-256(0x01 ‖ left ‖ right), 32 bytes each. */
export function hashNodePairs(pairs: Uint8Array): Uint8Array {
  const n = pairs.length / (2 * HASH_SIZE);
  if (n === 0) return new Uint8Array(0);
  const hasher = (local ??= new Sha256Wasm());
  const src = HEAP;
  const out = src + pairs.length;
  hasher.memory(out + n * HASH_SIZE).set(pairs, src);
  hasher.nodes(src, n, out);
  return hasher.view().slice(out, out + n * HASH_SIZE);
}

/**
 * Hashes one block of stored events for verify, on a worker thread or the
 * calling one. DuckDB hands a block over as one buffer of lines
 * `<seq> <document>`, joined by '\n', in the order it read the rows; the
 * store counted the rows beside it.
 *
 * The lines must frame the rows exactly: as many lines as rows, seqs
 * strictly increasing inside the block. (A canonical document never holds a
 * raw newline; a document that does, or rows out of order or doubled, make
 * the block `unframed` and the caller reads its rows one by one.) Each
 * document is then hashed in place — the space before it becomes the leaf's
 * 0x00 prefix — all of them in one WebAssembly call (four at a time, one per
 * SIMD lane), and a sample of them (`canonicalEvery`) checked for canonical
 * form. A complete block (every seq once) also gets its perfect
 * subtree, level by level, one call per level.
 */
import { HASH_SIZE } from '../index.js';
import { canonicalError } from './jcs-check.js';
import { HEAP, Sha256Wasm } from '../sha256-wasm.js';

export interface BlockJob {
  /** `<seq> <document>` lines joined by '\n'. Overwritten. */
  buf: Uint8Array;
  /** The block's seqs are [start, start + size). */
  start: number;
  size: number;
  /** Rows the store counted for these lines. */
  rows: number;
  /** Return the perfect subtree if every seq is there once (size a power of two, start a multiple of it). */
  subtree: boolean;
  /** Check the canonical form of the documents whose seq is a multiple of this (1: all of them). */
  canonicalEvery: number;
}

/** The first stored document of a block that is not canonical JSON (see jcs-check.ts). */
export interface NonCanonical {
  seq: number;
  why: string;
}

export type BlockResult =
  /** Every seq once: the block's perfect subtree in stored order (leaf i at storedHashIndex(0, i)), root last. */
  | { kind: 'subtree'; hashes: Uint8Array; nonCanonical?: NonCanonical }
  /** The seqs present, ascending, and their leaf hashes. */
  | { kind: 'leaves'; seqs: Float64Array; hashes: Uint8Array; nonCanonical?: NonCanonical }
  /** The lines do not frame the rows in increasing seq order. */
  | { kind: 'unframed' };

const SPACE = 0x20;
const NEWLINE = 0x0a;

/** For a perfect subtree of `size` leaves: the byte offset, in the level-by-level layout, of each hash in stored order. */
const gathers = new Map<number, Int32Array>();
function gather(size: number): Int32Array {
  let g = gathers.get(size);
  if (g) return g;
  const base: number[] = [];
  for (let l = 0, at = 0, n = size; n >= 1; l++, at += n * HASH_SIZE, n /= 2) base[l] = at;
  g = new Int32Array(2 * size - 1);
  let p = 0;
  for (let i = 0; i < size; i++) {
    g[p++] = base[0] + i * HASH_SIZE;
    for (let l = 1; (i + 1) % 2 ** l === 0; l++) g[p++] = base[l] + ((i + 1) / 2 ** l - 1) * HASH_SIZE;
  }
  gathers.set(size, g);
  return g;
}

let local: Sha256Wasm | undefined;

/** Hashes a block (see the module comment); `hasher` defaults to one instance per thread. */
export function hashBlock(job: BlockJob, hasher: Sha256Wasm = (local ??= new Sha256Wasm())): BlockResult {
  const { buf, start, size, rows } = job;
  if (rows === 0 || rows > size) return { kind: 'unframed' };
  // Layout after HEAP: the (address, length) list, the hashes level by level, the lines.
  const list = HEAP;
  const levels = list + rows * 8;
  const input = levels + (2 * rows - 1) * HASH_SIZE;
  const mem = hasher.memory(input + buf.length);
  mem.set(buf, input);
  const text = Buffer.from(mem.buffer, 0, input + buf.length);
  const words = new Int32Array(mem.buffer, list, rows * 2);
  const seqs = new Float64Array(rows);
  let nonCanonical: NonCanonical | undefined;
  let n = 0;
  let prev = start - 1;
  for (let i = input, stop = input + buf.length; ; ) {
    if (n === rows) return { kind: 'unframed' };
    // the seq, in decimal
    let seq = 0;
    const digits = i;
    for (let c = text[i]; c >= 0x30 && c <= 0x39 && i - digits < 16; c = text[++i]) seq = seq * 10 + (c - 0x30);
    if (i === digits || text[i] !== SPACE || i >= stop || seq <= prev || seq >= start + size) return { kind: 'unframed' };
    prev = seq;
    const nl = text.indexOf(NEWLINE, i + 1);
    const docEnd = nl < 0 || nl >= stop ? stop : nl;
    if (!nonCanonical && seq % job.canonicalEvery === 0) {
      const why = canonicalError(text, i + 1, docEnd);
      if (why) nonCanonical = { seq, why };
    }
    text[i] = 0x00; // the leaf prefix
    words[2 * n] = i;
    words[2 * n + 1] = docEnd - i;
    seqs[n++] = seq;
    if (docEnd === stop) break;
    i = docEnd + 1;
  }
  if (n !== rows) return { kind: 'unframed' };
  hasher.messages(list, n, levels);
  let mine = hasher.view(); // hashing may have grown memory
  if (job.subtree && n === size) {
    for (let src = levels, count = size; count > 1; src += count * HASH_SIZE, count /= 2) hasher.nodes(src, count / 2, src + count * HASH_SIZE);
    mine = hasher.view();
    const order = gather(size);
    const out = new Uint8Array(order.length * HASH_SIZE);
    const from = new Int32Array(mine.buffer, levels, (2 * size - 1) * (HASH_SIZE / 4));
    const to = new Int32Array(out.buffer);
    for (let p = 0; p < order.length; p++) {
      const w = order[p] / 4;
      to.set(from.subarray(w, w + HASH_SIZE / 4), p * (HASH_SIZE / 4));
    }
    return { kind: 'subtree', hashes: out, ...(nonCanonical ? { nonCanonical } : {}) };
  }
  return { kind: 'leaves', seqs, hashes: mine.slice(levels, levels + n * HASH_SIZE), ...(nonCanonical ? { nonCanonical } : {}) };
}

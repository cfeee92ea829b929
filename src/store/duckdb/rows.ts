/**
 * Column layout of the `events` table, and staging: encoded events (see
 * src/model/encoded.ts) copied into DuckDB data chunks (native memory).
 *
 * This is the ingest hot path, so it talks to @duckdb/node-bindings directly
 * instead of through node-api's vector wrappers, which keep every value in a
 * JS array until a final flush: each string's UTF-8 bytes are copied into its
 * vector in one native call (never decoded back into a JS string), and
 * numbers and validity masks are copied a column at a time. The sequence
 * numbers are written at commit time, when they are known.
 */
import duckdb from '@duckdb/node-bindings';
import { BIGINT, DuckDBDataChunk, LIST, UBIGINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import { NULL_SPAN, TEXT_FIELDS, type EncodedEvents } from '../../model/encoded.js';
import type { StagedEvents } from '../store.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

const COLUMN_TYPES: DuckDBType[] = [
  UBIGINT, BIGINT, VARCHAR, LIST(VARCHAR), VARCHAR, VARCHAR,
  VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR,
];
const SEQ = 0;
const TS = 1;
const CATEGORY = 3;
/** The table column of each TEXT_FIELDS entry (doc, dataset, action, …). */
const FIELD_COLUMNS = [12, 2, 4, 5, 6, 7, 8, 9, 10, 11];
const F = TEXT_FIELDS.length;
const VALIDITY_BYTES = CHUNK_ROWS / 8;

/** One data chunk, filled from rows [first, first + rows) of an encoded batch. */
class ChunkBuilder {
  readonly data = DuckDBDataChunk.create(COLUMN_TYPES);

  constructor(enc: EncodedEvents, first: number, readonly rows: number, categoryFrom: number) {
    const chunk = this.data.chunk;
    const vectors = COLUMN_TYPES.map((_, i) => duckdb.data_chunk_get_vector(chunk, i));
    const { text, spans } = enc;
    for (let f = 0; f < F; f++) {
      const valid = new Uint8Array(VALIDITY_BYTES).fill(0xff);
      for (let row = 0; row < rows; row++) {
        if (spans[((first + row) * F + f) * 2] === NULL_SPAN) valid[row >> 3] &= ~(1 << (row & 7));
      }
      const vector = vectors[FIELD_COLUMNS[f]];
      assignStrings(vector, text, spans, (first * F + f) * 2, F * 2, rows);
      setValidity(vector, valid);
    }
    copy(vectors[TS], enc.ts.subarray(first, first + rows));
    // event.category: list entries (offset, length), then the child strings.
    const list = vectors[CATEGORY];
    const entries = new BigUint64Array(rows * 2);
    const valid = new Uint8Array(VALIDITY_BYTES).fill(0xff);
    let total = 0;
    for (let row = 0; row < rows; row++) {
      const n = enc.categoryCounts[first + row];
      if (n === 0) valid[row >> 3] &= ~(1 << (row & 7));
      entries[row * 2] = BigInt(total);
      entries[row * 2 + 1] = BigInt(n);
      total += n;
    }
    copy(list, entries);
    setValidity(list, valid);
    duckdb.list_vector_reserve(list, total);
    duckdb.list_vector_set_size(list, total);
    assignStrings(duckdb.list_vector_get_child(list), text, enc.categorySpans, categoryFrom * 2, 2, total);
    duckdb.data_chunk_set_size(chunk, rows);
  }

  /** Numbers the rows from `first`. */
  setSeq(first: number): void {
    const seq = new BigUint64Array(this.rows);
    for (let i = 0; i < this.rows; i++) seq[i] = BigInt(first + i);
    copy(duckdb.data_chunk_get_vector(this.data.chunk, SEQ), seq);
  }
}

/** Size of DuckDB's string_t, and the longest string it holds inline (duckdb/common/types/string_type.hpp). */
const STRING_T = 16;
const INLINE_LENGTH = 12;

/**
 * Fills `count` string slots of a VARCHAR vector from spans (start, end) in
 * `text`, the i-th at spans[from + i * stride]; NULL_SPAN slots are left
 * empty (the caller marks them invalid). Strings of up to 12 bytes are
 * inline in their string_t (length, then the bytes, zero-padded), so those
 * are built here and copied in one call; only longer strings cost a call each
 * (DuckDB copies them into the vector's string heap).
 */
function assignStrings(vector: duckdb.Vector, text: Uint8Array, spans: Uint32Array, from: number, stride: number, count: number): void {
  const slots = new Uint8Array(count * STRING_T);
  const lengths = new Uint32Array(slots.buffer);
  const long: number[] = [];
  for (let i = 0, at = from; i < count; i++, at += stride) {
    const start = spans[at];
    if (start === NULL_SPAN) continue;
    const len = spans[at + 1] - start;
    if (len > INLINE_LENGTH) {
      long.push(i);
      continue;
    }
    lengths[i * (STRING_T / 4)] = len;
    for (let k = 0, o = i * STRING_T + 4; k < len; k++) slots[o + k] = text[start + k];
  }
  if (long.length < count) duckdb.copy_data_to_vector(vector, 0, slots.buffer, 0, slots.byteLength);
  for (const i of long) {
    const at = from + i * stride;
    duckdb.vector_assign_string_element_len(vector, i, text.subarray(spans[at], spans[at + 1]));
  }
}

function copy(vector: duckdb.Vector, data: BigInt64Array | BigUint64Array): void {
  duckdb.copy_data_to_vector(vector, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}

function setValidity(vector: duckdb.Vector, mask: Uint8Array): void {
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer as ArrayBuffer, mask.byteOffset, VALIDITY_BYTES);
}

/** A request's events as DuckDB chunks, with their leaf hashes when the store seals. */
export class DuckDBStaged implements StagedEvents {
  readonly chunks: ChunkBuilder[] = [];
  readonly count: number;
  readonly bytes: number;
  /** `count` leaf hashes, 32 bytes each; undefined when not sealing. */
  readonly leafHashes: Uint8Array | undefined;

  constructor(enc: EncodedEvents) {
    this.count = enc.count;
    this.bytes = enc.docBytes;
    this.leafHashes = enc.leafHashes;
    let categories = 0;
    for (let first = 0; first < enc.count; first += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, enc.count - first);
      this.chunks.push(new ChunkBuilder(enc, first, rows, categories));
      for (let row = first; row < first + rows; row++) categories += enc.categoryCounts[row];
    }
  }
}

/** Numbers every chunk of the batches from `first`, in order; returns the chunks. */
export function numberChunks(batches: readonly DuckDBStaged[], first: number): DuckDBDataChunk[] {
  const out: DuckDBDataChunk[] = [];
  let seq = first;
  for (const b of batches) {
    for (const c of b.chunks) {
      c.setSeq(seq);
      seq += c.rows;
      out.push(c.data);
    }
  }
  return out;
}

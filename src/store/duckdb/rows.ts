/**
 * Column layout of the `events` table, and staging: prepared events written
 * straight into DuckDB data chunks (native memory) as ingest decodes them.
 *
 * This is the ingest hot path, so it talks to @duckdb/node-bindings directly
 * instead of through node-api's vector wrappers, which keep every value in a
 * JS array until a final flush: here each string is copied into its vector
 * when the event is added (one native call, encoded to UTF-8 once, shared
 * with the leaf hash), and numbers and validity masks are kept in typed
 * arrays copied in one call per column. The sequence numbers are written at
 * commit time, when they are known.
 */
import duckdb from '@duckdb/node-bindings';
import { BIGINT, DuckDBDataChunk, LIST, UBIGINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import { HASH_SIZE, LEAF_PREFIX, hashLeafPrefixed } from '../../integrity/index.js';
import type { PreparedEvent } from '../../model/prepare.js';
import type { EventStager, StagedEvents } from '../store.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

const COLUMN_TYPES: DuckDBType[] = [
  UBIGINT, BIGINT, VARCHAR, LIST(VARCHAR), VARCHAR, VARCHAR,
  VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR,
];
const SEQ = 0;
const TS = 1;
const CATEGORY = 3;
const DOC = 12;
/** The nullable VARCHAR columns, in table order, and the prepared field each holds. */
const TEXT_COLUMNS: [number, keyof PreparedEvent][] = [
  [2, 'dataset'], [4, 'action'], [5, 'outcome'], [6, 'userName'], [7, 'userEmail'],
  [8, 'sourceIp'], [9, 'target'], [10, 'namespace'], [11, 'host'],
];
const VALIDITY_BYTES = CHUNK_ROWS / 8;

/** One data chunk being filled. */
class ChunkBuilder {
  readonly data = DuckDBDataChunk.create(COLUMN_TYPES);
  private readonly chunk = this.data.chunk;
  private readonly vectors = COLUMN_TYPES.map((_, i) => duckdb.data_chunk_get_vector(this.chunk, i));
  private readonly ts = new BigInt64Array(CHUNK_ROWS);
  /** Per TEXT_COLUMNS entry, then the category list: a bit per row, set = valid. */
  private readonly validity = TEXT_COLUMNS.map(() => new Uint8Array(VALIDITY_BYTES).fill(0xff));
  private readonly categoryValidity = new Uint8Array(VALIDITY_BYTES).fill(0xff);
  /** The category lists' (offset, length) entries and their elements. */
  private readonly listEntries = new BigUint64Array(CHUNK_ROWS * 2);
  private readonly categories: string[] = [];
  rows = 0;

  add(e: PreparedEvent, docUtf8: Uint8Array): void {
    const row = this.rows++;
    this.ts[row] = e.ts;
    for (let c = 0; c < TEXT_COLUMNS.length; c++) {
      const [column, field] = TEXT_COLUMNS[c];
      const v = e[field] as string | null;
      if (v === null) this.validity[c][row >> 3] &= ~(1 << (row & 7));
      else duckdb.vector_assign_string_element(this.vectors[column], row, v);
    }
    if (e.category === null) {
      this.categoryValidity[row >> 3] &= ~(1 << (row & 7));
    } else {
      this.listEntries[row * 2] = BigInt(this.categories.length);
      this.listEntries[row * 2 + 1] = BigInt(e.category.length);
      for (const c of e.category) this.categories.push(c);
    }
    duckdb.vector_assign_string_element_len(this.vectors[DOC], row, docUtf8);
  }

  /** Copies the typed arrays into the chunk's vectors; the chunk is then complete but for `seq`. */
  finish(): void {
    const copy = (vector: duckdb.Vector, data: ArrayBufferView, bytes: number) =>
      duckdb.copy_data_to_vector(vector, 0, data.buffer as ArrayBuffer, data.byteOffset, bytes);
    const copyValidity = (vector: duckdb.Vector, mask: Uint8Array) => {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer as ArrayBuffer, mask.byteOffset, VALIDITY_BYTES);
    };
    copy(this.vectors[TS], this.ts, this.rows * 8);
    TEXT_COLUMNS.forEach(([column], c) => copyValidity(this.vectors[column], this.validity[c]));
    const list = this.vectors[CATEGORY];
    copy(list, this.listEntries, this.rows * 16);
    copyValidity(list, this.categoryValidity);
    duckdb.list_vector_reserve(list, this.categories.length);
    duckdb.list_vector_set_size(list, this.categories.length);
    const child = duckdb.list_vector_get_child(list);
    this.categories.forEach((c, i) => duckdb.vector_assign_string_element(child, i, c));
    this.categories.length = 0;
    duckdb.data_chunk_set_size(this.chunk, this.rows);
  }

  /** Numbers the rows from `first`. */
  setSeq(first: number): void {
    const seq = new BigUint64Array(this.rows);
    for (let i = 0; i < this.rows; i++) seq[i] = BigInt(first + i);
    duckdb.copy_data_to_vector(this.vectors[SEQ], 0, seq.buffer, 0, seq.byteLength);
  }
}

/** A request's events as DuckDB chunks, with their leaf hashes when the store seals. */
export class DuckDBStaged implements StagedEvents {
  constructor(
    readonly chunks: readonly ChunkBuilder[],
    readonly count: number,
    readonly bytes: number,
    /** `count` leaf hashes, 32 bytes each; undefined when not sealing. */
    readonly leafHashes: Buffer | undefined,
  ) {}

  /** The leaf hashes one by one (views, no copies). */
  leaves(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.leafHashes!.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    return out;
  }
}

/** Reused buffer holding 0x00 ‖ the document's UTF-8: the leaf-hash input, and (after the prefix) the stored bytes. */
let scratch = Buffer.allocUnsafe(1 << 16);

export class DuckDBStager implements EventStager {
  private readonly chunks: ChunkBuilder[] = [];
  private current: ChunkBuilder | undefined;
  private bytes = 0;
  private leafHashes: Buffer[] = [];
  count = 0;

  constructor(private readonly sealing: boolean) {}

  add(e: PreparedEvent): void {
    const max = 3 * e.doc.length + 1; // UTF-8 needs at most 3 bytes per UTF-16 unit
    if (max > scratch.length) scratch = Buffer.allocUnsafe(Math.max(max, scratch.length * 2));
    scratch[0] = LEAF_PREFIX;
    const n = scratch.write(e.doc, 1, 'utf8');
    if (this.sealing) this.leafHashes.push(hashLeafPrefixed(scratch.subarray(0, n + 1)));
    const doc = scratch.subarray(1, n + 1);
    if (!this.current || this.current.rows === CHUNK_ROWS) {
      this.current?.finish();
      this.current = new ChunkBuilder();
      this.chunks.push(this.current);
    }
    this.current.add(e, doc);
    this.bytes += n;
    this.count++;
  }

  finish(): DuckDBStaged {
    this.current?.finish();
    this.current = undefined;
    const leaves = this.sealing ? Buffer.concat(this.leafHashes) : undefined;
    return new DuckDBStaged(this.chunks, this.count, this.bytes, leaves);
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

/**
 * The Merkle tree's nodes in DuckDB: the stored-hash sequence (see
 * src/integrity/stored.ts) cut into tiles of TILE_HASHES hashes.
 *
 *   tree_hashes(tile UBIGINT, first UBIGINT, hashes BLOB)
 *
 * A row holds the hashes at stored positions [first, first + len/32), never
 * crossing a tile boundary (tile = first / TILE_HASHES). A commit appends its
 * hashes as new rows, so a tile that two commits filled is two rows and
 * nothing is ever updated: the table is append-only like the tree. Writing
 * costs one row per TILE_HASHES hashes (about 32 events); reading any set of
 * nodes — a proof, the leaf hashes of a page of query results — is one query
 * over the tiles they fall in, found through the index on `tile`.
 */
import { BLOB, DuckDBBlobValue, DuckDBDataChunk, UBIGINT, blobValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { type CompactRangeState, HASH_SIZE, type NodeId, storedHashIndex } from '../../integrity/index.js';

/** Hashes per tile: 2 KiB rows, below DuckDB's inline string limit. */
export const TILE_HASHES = 64;
const CHUNK_ROWS = 2048;
const TYPES = [UBIGINT, UBIGINT, BLOB];

/** Raised when stored hashes are missing or malformed (the tree was tampered with or is corrupt). */
export class TreeReadError extends Error {
  override readonly name = 'TreeReadError';
}

/**
 * Appends stored hashes starting at position `first` to `tree_hashes`, inside
 * the caller's transaction on `conn`.
 */
export async function appendTreeHashes(conn: DuckDBConnection, first: number, hashes: Buffer): Promise<void> {
  const count = hashes.length / HASH_SIZE;
  if (count === 0) return;
  const cols: DuckDBValue[][] = [[], [], []];
  for (let pos = first, end = first + count; pos < end; ) {
    const tile = Math.floor(pos / TILE_HASHES);
    const stop = Math.min(end, (tile + 1) * TILE_HASHES);
    cols[0].push(BigInt(tile));
    cols[1].push(BigInt(pos));
    cols[2].push(blobValue(hashes.subarray((pos - first) * HASH_SIZE, (stop - first) * HASH_SIZE)));
    pos = stop;
  }
  const appender = await conn.createAppender('tree_hashes');
  for (let off = 0; off < cols[0].length; off += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, cols[0].length - off);
    const chunk = DuckDBDataChunk.create(TYPES, n);
    chunk.setColumns(cols.map((c) => c.slice(off, off + n)));
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

/** `meta` key of the tree head up to schema version 2 (since 3: table `tree_head`). */
export const HEAD_KEY = 'tree_head';

/** The persisted tree head (a CompactRange state as JSON), as the store at `schemaVersion` keeps it; undefined if none. */
export async function readTreeHead(conn: DuckDBConnection, schemaVersion: number): Promise<string | undefined> {
  const r =
    schemaVersion >= 3
      ? await conn.runAndReadAll('SELECT state FROM tree_head')
      : await conn.runAndReadAll('SELECT value FROM meta WHERE key = $1', [HEAD_KEY]);
  return r.getRows()[0]?.[0] as string | undefined;
}

/** The statement that persists a new tree head, inside the commit that appended its hashes. */
export const saveTreeHeadSql = (state: CompactRangeState): string => `UPDATE tree_head SET state = '${JSON.stringify(state)}';`;

/** Above this many tiles a read scans the tile range instead of listing tiles. */
const MAX_LISTED_TILES = 1000;

/** Hashes at the given stored positions, in order, read in one query; undefined where one is missing. */
export async function tryReadStoredHashes(conn: DuckDBConnection, positions: readonly number[]): Promise<(Buffer | undefined)[]> {
  if (positions.length === 0) return [];
  const wanted = new Set(positions.map((p) => Math.floor(p / TILE_HASHES)));
  const tiles = [...wanted].sort((a, b) => a - b);
  const where =
    tiles.length <= MAX_LISTED_TILES ? `tile IN (${tiles.join(',')})` : `tile BETWEEN ${tiles[0]} AND ${tiles[tiles.length - 1]}`;
  const r = await conn.runAndReadAll(`SELECT tile, first, hashes FROM tree_hashes WHERE ${where}`);
  const byTile = new Map<number, { first: number; bytes: Uint8Array }[]>();
  for (const [tile, first, hashes] of r.getRows()) {
    const t = Number(tile);
    if (!wanted.has(t)) continue;
    const list = byTile.get(t) ?? [];
    list.push({ first: Number(first), bytes: (hashes as DuckDBBlobValue).bytes });
    byTile.set(t, list);
  }
  return positions.map((pos) => {
    const rows = byTile.get(Math.floor(pos / TILE_HASHES)) ?? [];
    const row = rows.find((x) => x.first <= pos && pos < x.first + Math.floor(x.bytes.length / HASH_SIZE));
    if (!row) return undefined;
    const at = (pos - row.first) * HASH_SIZE;
    return Buffer.from(row.bytes.subarray(at, at + HASH_SIZE));
  });
}

/** Hashes at the given stored positions, in order, read in one query. Throws TreeReadError if any is missing. */
export async function readStoredHashes(conn: DuckDBConnection, positions: readonly number[]): Promise<Buffer[]> {
  const hashes = await tryReadStoredHashes(conn, positions);
  return hashes.map((h, i) => {
    if (!h) throw new TreeReadError(`the stored tree hash at position ${positions[i]} is missing`);
    return h;
  });
}

/** Hashes of tree nodes, in order, in one query (the batch reader proofs take). */
export function readNodes(conn: DuckDBConnection, ids: readonly NodeId[]): Promise<Buffer[]> {
  return readStoredHashes(conn, ids.map((id) => storedHashIndex(id.level, id.index)));
}

/** Leaf hashes of the given sequence numbers, in order. */
export function readLeafHashes(conn: DuckDBConnection, seqs: readonly number[]): Promise<Buffer[]> {
  return readStoredHashes(conn, seqs.map((s) => storedHashIndex(0, s)));
}

/** Number of hashes stored (sum over rows), to check against the head. */
export async function storedHashTotal(conn: DuckDBConnection): Promise<number> {
  const r = await conn.runAndReadAll('SELECT coalesce(sum(octet_length(hashes)), 0)::UBIGINT FROM tree_hashes');
  return Number(r.getRows()[0][0]) / HASH_SIZE;
}

/** Leaf hashes of the given sequence numbers, in order; undefined where the tree has none. */
export function tryReadLeafHashes(conn: DuckDBConnection, seqs: readonly number[]): Promise<(Buffer | undefined)[]> {
  return tryReadStoredHashes(conn, seqs.map((s) => storedHashIndex(0, s)));
}

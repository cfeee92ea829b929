/**
 * What the DuckDB verifier (local.ts) reads from the store, and the targeted
 * lookups that name a failure once the pass has found one.
 */
import type { DuckDBBlobValue, DuckDBBlobVector, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { HASH_SIZE, hashEquals, hashLeafUtf8, storedHashCount, storedNodeAt, toHex } from '../../integrity/index.js';
import { RETENTION_DATASET, rangesDigest } from '../retention.js';
import { TILE_HASHES } from './tree.js';
import type { PrunedRun } from '../ledger.js';
import type { NonCanonical } from '../../integrity/verify/hash-block.js';
import { canonicalError } from '../../integrity/verify/jcs-check.js';
import type { VerifyFailure } from '../../integrity/verify/report.js';

export const num = (v: DuckDBValue) => Number(v as bigint);

export async function rows(conn: DuckDBConnection, sql: string, params: DuckDBValue[] = []): Promise<DuckDBValue[][]> {
  return (await conn.runAndReadAll(sql, params)).getRows();
}

/** The stored hashes at positions [from, to), assembled from their tiles; a failure if any is missing or doubled. */
export async function storedRange(conn: DuckDBConnection, from: number, to: number): Promise<{ bytes: Buffer; failure?: VerifyFailure }> {
  const bytes = Buffer.alloc((to - from) * HASH_SIZE);
  if (to === from) return { bytes };
  const got = await rows(
    conn,
    'SELECT first, hashes FROM tree_hashes WHERE tile >= $1 AND tile <= $2 ORDER BY first',
    [BigInt(Math.floor(from / TILE_HASHES)), BigInt(Math.floor((to - 1) / TILE_HASHES))],
  );
  let next = from;
  for (const [firstV, hashesV] of got) {
    const first = num(firstV);
    const h = (hashesV as DuckDBBlobValue).bytes;
    const end = first + Math.floor(h.length / HASH_SIZE);
    if (end <= from || first >= to) continue;
    if (first !== next && !(first < from && next === from)) {
      return { bytes, failure: treeGap(Math.min(first, next)) };
    }
    const a = Math.max(first, from);
    const b = Math.min(end, to);
    bytes.set(h.subarray((a - first) * HASH_SIZE, (b - first) * HASH_SIZE), (a - from) * HASH_SIZE);
    next = b;
  }
  if (next !== to) return { bytes, failure: treeGap(next) };
  return { bytes };
}

function treeGap(pos: number): VerifyFailure {
  // The leaf whose append stored this position: the last leaf under the node there.
  const { level, index } = storedNodeAt(pos);
  const seq = (index + 1) * 2 ** level - 1;
  return { kind: 'tree', seq, message: `the stored tree hashes at position ${pos} (stored with seq ${seq}) are missing or doubled` };
}

/**
 * The events with seq in [from, to), by block of `group` seqs: how many rows
 * the block has, and its rows as `<seq> <doc>` lines in the order DuckDB
 * read them (which hash-block.ts checks). One aggregate per block, without
 * sorting the documents: in a store nobody edited, rows lie in seq order.
 */
export async function readBlocks(conn: DuckDBConnection, from: number, to: number, group: number): Promise<Map<number, { rows: number; bytes: Uint8Array }>> {
  const result = await conn.run(
    `SELECT seq // ${group} AS g, count(*), encode(string_agg(seq::VARCHAR || ' ' || doc, chr(10)))
     FROM events WHERE seq >= $1 AND seq < $2 GROUP BY g`,
    [BigInt(from), BigInt(to)],
  );
  const out = new Map<number, { rows: number; bytes: Uint8Array }>();
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return out;
    const g = chunk.getColumnVector(0);
    const count = chunk.getColumnVector(1);
    const docs = chunk.getColumnVector(2) as DuckDBBlobVector;
    for (let i = 0; i < chunk.rowCount; i++) {
      const bytes = docs.getItemBytes(i);
      if (bytes) out.set(num(g.getItem(i)), { rows: num(count.getItem(i)), bytes });
    }
  }
}

/** The events of [start, end) row by row, in seq order: their leaves, the seqs stored twice, the first non-canonical one. */
export async function readRows(
  conn: DuckDBConnection,
  start: number,
  end: number,
): Promise<{ leaves: Map<number, Buffer>; duplicates: number[]; nonCanonical?: NonCanonical }> {
  const duplicates: number[] = [];
  const leaves = new Map<number, Buffer>();
  let nonCanonical: NonCanonical | undefined;
  for (const [seqV, doc] of await rows(conn, 'SELECT seq, doc FROM events WHERE seq >= $1 AND seq < $2 ORDER BY seq', [BigInt(start), BigInt(end)])) {
    const seq = num(seqV);
    if (leaves.has(seq)) {
      duplicates.push(seq);
      continue;
    }
    leaves.set(seq, hashLeafUtf8(doc as string));
    if (!nonCanonical) {
      const bytes = Buffer.from(doc as string, 'utf8');
      const why = canonicalError(bytes, 0, bytes.length);
      if (why) nonCanonical = { seq, why };
    }
  }
  return { leaves, duplicates, ...(nonCanonical ? { nonCanonical } : {}) };
}

/** Each retention run's ranges must match the digest its sealed record carries. */
export async function checkRuns(conn: DuckDBConnection, runs: PrunedRun[]): Promise<VerifyFailure | undefined> {
  if (runs.length === 0) return undefined;
  const records = new Map<number, { seq: number; digest: string }>();
  for (const [seq, doc] of await rows(conn, 'SELECT seq, doc FROM events WHERE dataset = $1', [RETENTION_DATASET])) {
    const r = (JSON.parse(doc as string) as { retention?: { run?: number; ranges_sha256?: string } }).retention;
    if (r?.run !== undefined && r.ranges_sha256) records.set(r.run, { seq: num(seq), digest: r.ranges_sha256 });
  }
  for (const run of runs) {
    const rec = records.get(run.run);
    const first = run.ranges[0][0];
    if (!rec) {
      return { kind: 'deleted', seq: first, message: `seq ${first}… are recorded as pruned by retention run ${run.run}, but no sealed retention record of that run exists` };
    }
    if (rangesDigest(run.ranges) !== rec.digest) {
      return {
        kind: 'deleted',
        seq: first,
        message: `the pruned ranges of retention run ${run.run} do not match its sealed record (seq ${rec.seq}): events were deleted and passed off as retention`,
      };
    }
  }
  return undefined;
}

/** Names what happened at the first seq whose event does not hash to its stored leaf. */
export async function classify(conn: DuckDBConnection, seq: number, leaf: Buffer, storedLeaf: Buffer, size: number): Promise<VerifyFailure> {
  const sealedAt = await findSealedSeq(conn, leaf, size);
  const docAt = async (s: number) => {
    const r = await rows(conn, 'SELECT doc FROM events WHERE seq = $1', [BigInt(s)]);
    return r.length === 1 ? hashLeafUtf8(r[0][0] as string) : undefined;
  };
  if (sealedAt === undefined) {
    const following = seq + 1 < size ? await docAt(seq + 1) : undefined;
    if (following && hashEquals(following, storedLeaf)) {
      return { kind: 'inserted', seq, message: `an event that was never sealed is stored at seq ${seq}, and the events after it were renumbered` };
    }
    return {
      kind: 'modified',
      seq,
      message: `the event stored at seq ${seq} is not the one sealed there (its leaf hash is ${toHex(leaf)}, the tree holds ${toHex(storedLeaf)})`,
    };
  }
  const back = await docAt(sealedAt);
  if (back && hashEquals(back, storedLeaf)) {
    return { kind: 'reordered', seq: Math.min(seq, sealedAt), message: `the events sealed at seq ${seq} and ${sealedAt} were swapped` };
  }
  if (sealedAt > seq) {
    return {
      kind: 'deleted',
      seq,
      message: `the event sealed at seq ${sealedAt} is stored at seq ${seq}: ${sealedAt - seq === 1 ? `the event at seq ${seq} was` : `the events at seq ${seq}–${sealedAt - 1} were`} deleted and the later ones renumbered`,
    };
  }
  return { kind: 'reordered', seq, message: `the event sealed at seq ${sealedAt} is stored at seq ${seq}` };
}

/** Where a leaf hash sits in the stored tree (a scan; only run after a failure). */
async function findSealedSeq(conn: DuckDBConnection, leaf: Buffer, size: number): Promise<number | undefined> {
  const res = await conn.stream('SELECT first, hashes FROM tree_hashes ORDER BY first');
  let seq = 0;
  let pos = 0; // stored position of leaf `seq`
  for (;;) {
    const chunk = await res.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return undefined;
    const firsts = chunk.getColumnValues(0);
    const blobs = chunk.getColumnValues(1);
    for (let i = 0; i < chunk.rowCount; i++) {
      const first = num(firsts[i]);
      const h = (blobs[i] as DuckDBBlobValue).bytes;
      const end = first + Math.floor(h.length / HASH_SIZE);
      while (seq < size && pos < end) {
        if (pos >= first && hashEquals(h.subarray((pos - first) * HASH_SIZE, (pos - first + 1) * HASH_SIZE), leaf)) return seq;
        seq++;
        pos = storedHashCount(seq);
      }
    }
  }
}

/** A fast `seq in some pruned range` test (ranges sorted and merged). */
export function prunedLookup(ranges: [number, number][]): (seq: number) => boolean {
  return (seq) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid][1] <= seq) lo = mid + 1;
      else if (ranges[mid][0] > seq) hi = mid - 1;
      else return true;
    }
    return false;
  };
}

export function mergeRanges(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of ranges) {
    const last = out[out.length - 1];
    if (last && last[1] >= a) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

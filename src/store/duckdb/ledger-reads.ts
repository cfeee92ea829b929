/** Reads of the signed checkpoints, the retention runs and the log entries (tables of schema version 2). */
import type { DuckDBBlobValue, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { formatNs } from '../../model/time.js';
import type { LogEntry, PrunedRun, StoredCheckpoint } from '../ledger.js';
import { tryReadLeafHashes } from './tree.js';

/** Checkpoints, with `tail` (WHERE / ORDER BY / LIMIT) and its parameters. */
export async function readCheckpoints(conn: DuckDBConnection, tail: string, params: DuckDBValue[] = []): Promise<StoredCheckpoint[]> {
  const r = await conn.runAndReadAll(`SELECT size, root, issued, note FROM checkpoints ${tail}`, params);
  return r.getRows().map(([size, root, issued, note]) => ({
    size: Number(size),
    root: Buffer.from((root as DuckDBBlobValue).bytes),
    issued: formatNs(issued as bigint, 3),
    note: note as string,
  }));
}

/** Every retention run with the sequence ranges it deleted, in run order. */
export async function readPrunedRuns(conn: DuckDBConnection): Promise<PrunedRun[]> {
  const r = await conn.runAndReadAll('SELECT run, seq_from, seq_to FROM pruned ORDER BY run, seq_from');
  const runs = new Map<number, PrunedRun>();
  for (const [run, from, to] of r.getRows()) {
    const n = Number(run);
    if (!runs.has(n)) runs.set(n, { run: n, ranges: [] });
    runs.get(n)!.ranges.push([Number(from), Number(to)]);
  }
  return [...runs.values()];
}

/**
 * The log entries [start, end) for remote verification: each event's leaf
 * hash and document, or, for an event retention deleted, `pruned`.
 */
export async function readEntries(conn: DuckDBConnection, start: number, end: number): Promise<LogEntry[]> {
  const seqs = Array.from({ length: end - start }, (_, i) => start + i);
  const [rows, hashes, runs] = await Promise.all([
    conn.runAndReadAll('SELECT seq, doc FROM events WHERE seq >= $1 AND seq < $2 ORDER BY seq', [BigInt(start), BigInt(end)]),
    tryReadLeafHashes(conn, seqs),
    readPrunedRuns(conn),
  ]);
  const docs = new Map<number, string>();
  for (const [seq, doc] of rows.getRows()) docs.set(Number(seq), doc as string);
  const pruned = runs.flatMap((r) => r.ranges).filter(([from, to]) => from < end && to > start);
  return seqs.map((seq, i) => {
    const doc = docs.get(seq);
    if (doc !== undefined) return { seq, leafHash: hashes[i], doc };
    return { seq, leafHash: hashes[i], ...(pruned.some(([from, to]) => from <= seq && seq < to) ? { pruned: true } : {}) };
  });
}

/** Reads of the signed checkpoints and the retention runs (tables of schema version 2). */
import type { DuckDBBlobValue, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { formatNs } from '../../model/time.js';
import type { PrunedRun, StoredCheckpoint } from '../ledger.js';

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

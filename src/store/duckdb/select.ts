/** A read-only SELECT on its own connection, streamed in chunks (what the query engine pushes scans into). */
import type { DuckDBInstance, DuckDBValue } from '@duckdb/node-api';

/** Aborting `signal` interrupts DuckDB's work on the connection; the pending fetch then rejects with the signal's reason. */
export async function* streamSelect(instance: DuckDBInstance, sql: string, params: readonly unknown[], signal?: AbortSignal): AsyncGenerator<unknown[][]> {
  signal?.throwIfAborted();
  const conn = await instance.connect();
  const interrupt = () => conn.interrupt();
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    const result = await conn.stream(sql, params as DuckDBValue[]);
    for (;;) {
      const chunk = await result.fetchChunk();
      signal?.throwIfAborted();
      if (!chunk || chunk.rowCount === 0) break;
      yield chunk.getRows().map((row) => row.map(fromDuck));
    }
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  } finally {
    signal?.removeEventListener('abort', interrupt);
    conn.closeSync();
  }
}

/** Lists as plain arrays. */
function fromDuck(v: DuckDBValue): unknown {
  if (v && typeof v === 'object' && 'items' in v) return (v as { items: unknown[] }).items;
  return v;
}

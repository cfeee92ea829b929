/** A read-only SELECT on its own connection, streamed in chunks (what the query engine pushes scans into). */
import type { DuckDBInstance, DuckDBValue } from '@duckdb/node-api';

export async function* streamSelect(instance: DuckDBInstance, sql: string, params: readonly unknown[]): AsyncGenerator<unknown[][]> {
  const conn = await instance.connect();
  try {
    const result = await conn.stream(sql, params as DuckDBValue[]);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      yield chunk.getRows().map((row) => row.map(fromDuck));
    }
  } finally {
    conn.closeSync();
  }
}

/** Lists as plain arrays. */
function fromDuck(v: DuckDBValue): unknown {
  if (v && typeof v === 'object' && 'items' in v) return (v as { items: unknown[] }).items;
  return v;
}

/** Column layout of the `events` table and conversion of prepared events into DuckDB data chunks. */
import { BIGINT, DuckDBDataChunk, LIST, UBIGINT, VARCHAR, listValue, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { PreparedEvent } from '../../model/prepare.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

const COLUMN_TYPES: DuckDBType[] = [
  UBIGINT, BIGINT, VARCHAR, LIST(VARCHAR), VARCHAR, VARCHAR,
  VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR,
];

/** Builds data chunks for `events`, numbering rows from `firstSeq`. */
export function toChunks(events: PreparedEvent[], firstSeq: number): DuckDBDataChunk[] {
  const chunks: DuckDBDataChunk[] = [];
  for (let off = 0; off < events.length; off += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, events.length - off);
    const cols: DuckDBValue[][] = COLUMN_TYPES.map(() => new Array<DuckDBValue>(n));
    for (let i = 0; i < n; i++) {
      const e = events[off + i];
      cols[0][i] = BigInt(firstSeq + off + i);
      cols[1][i] = e.ts;
      cols[2][i] = e.dataset;
      cols[3][i] = e.category ? listValue(e.category) : null;
      cols[4][i] = e.action;
      cols[5][i] = e.outcome;
      cols[6][i] = e.userName;
      cols[7][i] = e.userEmail;
      cols[8][i] = e.sourceIp;
      cols[9][i] = e.target;
      cols[10][i] = e.namespace;
      cols[11][i] = e.host;
      cols[12][i] = e.doc;
    }
    const chunk = DuckDBDataChunk.create(COLUMN_TYPES, n);
    chunk.setColumns(cols);
    chunks.push(chunk);
  }
  return chunks;
}

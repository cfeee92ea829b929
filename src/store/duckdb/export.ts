/**
 * Exports from the DuckDB store, each event with its `vigil.seq` and
 * `vigil.leaf_hash` (read from the tree, not recomputed):
 *
 *  - ndjson:  the events as queries return them, one a line, oldest first;
 *  - csv, parquet: DuckDB's own `COPY … TO` with the typed columns, the
 *    @timestamp and the whole event as canonical JSON (`event`);
 *  - a proof bundle (src/export/bundle.ts): ndjson lines with inclusion
 *    proofs against one checkpoint, plus the header to check them.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BUNDLE_VERSION, type BundleHeader } from '../../integrity/bundle.js';
import { duckdbCatalog, duckdbDialect } from '../../query/sql/dialects/duckdb.js';
import { renderScan } from '../../query/sql/render.js';
import type { ExportFormat, ExportProofs, ExportSelection } from '../export.js';
import { withVigil } from '../store.js';
import type { DuckDBStore } from './duckdb-store.js';
import { sqlString } from './sql-literal.js';
import { TILE_HASHES } from './tree.js';

/** Inclusion proofs are read this many events at a time (shared nodes once). */
const PROOF_BATCH = 1024;

/** The selection as SQL: events with their stored leaf hash (hex), oldest first. */
function exportSql(sel: ExportSelection, belowSeq?: number): { sql: string; params: DuckDBValue[] } {
  const scan = renderScan(duckdbDialect, duckdbCatalog, {
    matchers: sel.matchers.map((m) => ({ name: m.label, op: m.op, value: m.value })),
    labelFilters: [],
    lineFilters: sel.lineFilters.map((f) => ({ kind: 'line_filter' as const, op: f.op, values: [f.value] })),
    fromNs: sel.fromNs,
    toNs: sel.toNs,
    direction: 'forward',
  });
  const params = scan.params as DuckDBValue[];
  let below = '';
  if (belowSeq !== undefined) {
    params.push(BigInt(belowSeq));
    below = ` WHERE seq < $${params.length}`;
  }
  // The leaf hash sits in the tile row covering its stored position 2·seq − popcount(seq).
  const sql = `WITH scan AS (${scan.sql}), ev AS (SELECT *, 2 * seq - bit_count(seq) AS pos FROM scan${below})
    SELECT ev.*, lower(substring(hex(t.hashes), (64 * (ev.pos - t.first) + 1)::BIGINT, 64)) AS leaf_hash
    FROM ev LEFT JOIN tree_hashes t ON t.tile = ev.pos // ${TILE_HASHES} AND t.first <= ev.pos AND ev.pos < t.first + octet_length(t.hashes) // 32
    ORDER BY ev.ts, ev.seq`;
  return { sql, params };
}

/** Columns of the csv and parquet exports. */
function tableColumns(format: 'csv' | 'parquet'): string {
  const category = format === 'csv' ? `array_to_string(category, '|')` : 'category';
  return [
    'seq',
    'leaf_hash',
    `json_extract_string(doc, '$."@timestamp"') AS "@timestamp"`,
    'ts AS ts_ns',
    'dataset',
    `${category} AS category`,
    'action',
    'outcome',
    'user_name',
    'user_email',
    'source_ip',
    'target',
    'namespace',
    'host',
    'doc AS event',
  ].join(', ');
}

/** A file stream whose write errors (ENOSPC) reject the next write or the close instead of going unheard. */
function openFile(file: string): WriteStream {
  const out = createWriteStream(file, { mode: 0o600 });
  out.on('error', () => {}); // kept in out.errored, thrown by write() or closeStream()
  return out;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (out.errored) throw out.errored;
  // `drain` never comes once the stream has failed: wait for whichever is first.
  if (!out.write(text)) await Promise.race([once(out, 'drain'), finished(out)]);
  if (out.errored) throw out.errored;
}

async function closeStream(out: WriteStream): Promise<void> {
  out.end();
  await finished(out);
}

/** Streams the selection in chunks on its own connection: [seq, leafHash hex | null, doc]. */
async function* stream(conn: DuckDBConnection, sel: ExportSelection, belowSeq?: number): AsyncGenerator<[number, string | null, string][]> {
  const { sql, params } = exportSql(sel, belowSeq);
  const result = await conn.stream(`SELECT seq, leaf_hash, doc FROM (${sql})`, params);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    const seqs = chunk.getColumnValues(0);
    const leaves = chunk.getColumnValues(1);
    const docs = chunk.getColumnValues(2);
    yield seqs.map((s, i) => [Number(s as bigint), leaves[i] as string | null, docs[i] as string]);
  }
}

/**
 * Writes the selection to `file`; resolves with the number of events. With
 * `proofs`, writes a proof bundle (NDJSON) instead of `format`.
 */
export async function exportEvents(
  store: DuckDBStore,
  sel: ExportSelection,
  format: ExportFormat,
  file: string,
  opts: { proofs?: ExportProofs; onProgress?: (events: number) => void } = {},
): Promise<number> {
  const conn = await store.connect();
  try {
    if (opts.proofs) return await writeBundle(store, conn, sel, file, opts.proofs, opts.onProgress);
    if (format === 'csv' || format === 'parquet') {
      const { sql, params } = exportSql(sel);
      const options = format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet, COMPRESSION zstd';
      const r = await conn.runAndReadAll(`COPY (SELECT ${tableColumns(format)} FROM (${sql})) TO ${sqlString(file)} (${options})`, params);
      const n = Number(r.getRows()[0]?.[0] ?? 0);
      opts.onProgress?.(n);
      return n;
    }
    const out = openFile(file);
    let n = 0;
    try {
      for await (const rows of stream(conn, sel)) {
        let text = '';
        for (const [seq, leaf, doc] of rows) text += `${withVigil({ seq, ts: 0n, doc, leafHash: leaf ? Buffer.from(leaf, 'hex') : undefined })}\n`;
        await write(out, text);
        n += rows.length;
        opts.onProgress?.(n);
      }
    } finally {
      await closeStream(out);
    }
    return n;
  } finally {
    conn.closeSync();
  }
}

async function writeBundle(
  store: DuckDBStore,
  conn: DuckDBConnection,
  sel: ExportSelection,
  file: string,
  p: ExportProofs,
  onProgress?: (events: number) => void,
): Promise<number> {
  const { checkpoint } = p;
  const header: BundleHeader = {
    vigil_bundle: BUNDLE_VERSION,
    origin: p.origin,
    verifier_key: p.verifierKey,
    checkpoint: checkpoint.note,
    tree_size: checkpoint.size,
    root_hash: checkpoint.root.toString('hex'),
    query: p.query,
    exported: new Date().toISOString(),
  };
  const out = openFile(file);
  let n = 0;
  try {
    await write(out, `${JSON.stringify(header)}\n`);
    for await (const rows of stream(conn, sel, checkpoint.size)) {
      for (let off = 0; off < rows.length; off += PROOF_BATCH) {
        const part = rows.slice(off, off + PROOF_BATCH);
        const proofs = await store.inclusionProofs(part.map((r) => r[0]), checkpoint.size);
        let text = '';
        part.forEach(([seq, leaf, doc], i) => {
          const proof = proofs[i].map((h) => `"${h.toString('hex')}"`).join(',');
          text += `{"seq":${seq},"leaf_hash":${leaf ? `"${leaf}"` : 'null'},"proof":[${proof}],"event":${doc}}\n`;
        });
        await write(out, text);
        n += part.length;
      }
      onProgress?.(n);
    }
  } finally {
    await closeStream(out);
  }
  return n;
}

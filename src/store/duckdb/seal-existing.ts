/**
 * Migration step for data dirs from before tamper evidence: rewrites each
 * stored document to its canonical JSON (what sealing hashes) and seals the
 * events, in sequence order, into the tree. Runs inside the migration's
 * transaction, a page of events at a time.
 */
import { DuckDBDataChunk, UBIGINT, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { CompactRange, appendStored, hashLeafUtf8, storedHashCount } from '../../integrity/index.js';
import { canonicalJson } from '../../model/canonical.js';
import { HEAD_KEY, appendTreeHashes } from './tree.js';

const PAGE = 20_000;

export async function sealExisting(conn: DuckDBConnection): Promise<void> {
  const range = CompactRange.empty();
  await conn.run('CREATE TEMP TABLE doc_rewrites (seq UBIGINT, doc VARCHAR)');
  for (let from = 0; ; from += PAGE) {
    const r = await conn.runAndReadAll('SELECT seq, doc FROM events WHERE seq >= $1 AND seq < $2 ORDER BY seq', [BigInt(from), BigInt(from + PAGE)]);
    const rows = r.getRows();
    if (rows.length === 0) break;
    const leaves: Buffer[] = [];
    const rewrites: [bigint, string][] = [];
    rows.forEach(([seq, doc], i) => {
      if (Number(seq) !== from + i) throw new Error(`event seq ${seq} found where ${from + i} was expected; cannot seal events with gaps`);
      const parsed = JSON.parse(doc as string) as Record<string, unknown>;
      delete parsed.vigil;
      const canonical = canonicalJson(parsed);
      if (canonical !== doc) rewrites.push([seq as bigint, canonical]);
      leaves.push(hashLeafUtf8(canonical));
    });
    await appendTreeHashes(conn, storedHashCount(range.size), appendStored(range, leaves));
    if (rewrites.length > 0) {
      const appender = await conn.createAppender('doc_rewrites');
      for (let off = 0; off < rewrites.length; off += 2048) {
        const part = rewrites.slice(off, off + 2048);
        const chunk = DuckDBDataChunk.create([UBIGINT, VARCHAR], part.length);
        chunk.setColumns([part.map((x) => x[0]), part.map((x) => x[1])]);
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
    }
    if (rows.length < PAGE) break;
  }
  const total = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
  if (total !== range.size) throw new Error(`events are not numbered 0..${total - 1} without gaps; cannot seal them`);
  await conn.run('UPDATE events SET doc = r.doc FROM doc_rewrites r WHERE events.seq = r.seq');
  await conn.run('DROP TABLE doc_rewrites');
  await conn.run('INSERT OR REPLACE INTO meta VALUES ($1, $2)', [HEAD_KEY, JSON.stringify(range.state())]);
}

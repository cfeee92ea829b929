/**
 * Retention that keeps proofs working: old events are deleted, their leaf
 * hashes and the tree nodes above them stay, so the tree, its checkpoints and
 * the proofs of the remaining events are unchanged.
 *
 * Each run, in one transaction: the sequence ranges it deletes go into
 * `pruned(run, seq_from, seq_to)`, the events are deleted, and a
 * `vigil.retention` event is appended — sealed like any other — recording the
 * run number, what it deleted and the SHA-256 of its range list. Verify
 * accepts a missing event only inside a range whose run's sealed record
 * matches, so retention cannot be used to hide a deletion after the fact.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { AuditEvent } from '../../model/event.js';
import { ingestedAt, prepareEvent } from '../../model/prepare.js';
import { formatNs } from '../../model/time.js';
import { RETENTION_DATASET, rangesDigest, type PruneResult, type RetentionRules } from '../retention.js';

/** SQL condition (with parameters from `params.length + 1`) selecting the events the rules expire. */
export function expiredCondition(rules: RetentionRules, nowNs: bigint, params: DuckDBValue[]): string | undefined {
  const p = (v: DuckDBValue) => {
    params.push(v);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  for (const [dataset, age] of rules.datasets) {
    if (age !== undefined) parts.push(`(dataset = ${p(dataset)} AND ts < ${p(nowNs - age)})`);
  }
  if (rules.maxAgeNs !== undefined) {
    const own = [...rules.datasets.keys(), RETENTION_DATASET].map((d) => p(d));
    parts.push(`(coalesce(dataset, '') NOT IN (${own.join(', ')}) AND ts < ${p(nowNs - rules.maxAgeNs)})`);
  }
  if (parts.length === 0) return undefined;
  return `coalesce(dataset, '') <> ${p(RETENTION_DATASET)} AND (${parts.join(' OR ')})`;
}

/**
 * Inside an open transaction: records and deletes what the rules expire and
 * builds the run's record (for the caller to seal at seq `nextSeq`).
 */
export async function pruneEvents(conn: DuckDBConnection, rules: RetentionRules, nowNs: bigint, nextSeq: number): Promise<PruneResult | undefined> {
  const params: DuckDBValue[] = [];
  const cond = expiredCondition(rules, nowNs, params);
  if (!cond) return undefined;
  // Gaps and islands: consecutive sequence numbers share seq - row_number().
  const r = await conn.runAndReadAll(
    `SELECT min(seq)::UBIGINT, (max(seq) + 1)::UBIGINT, count(*)::UBIGINT FROM (
       SELECT seq, seq::BIGINT - row_number() OVER (ORDER BY seq) AS island FROM events WHERE ${cond}
     ) GROUP BY island ORDER BY 1`,
    params,
  );
  const rows = r.getRows();
  if (rows.length === 0) return undefined;
  const ranges = rows.map(([from, to]) => [Number(from), Number(to)] as [number, number]);
  const events = rows.reduce((n, row) => n + Number(row[2]), 0);
  const run = Number((await conn.runAndReadAll('SELECT coalesce(max(run), 0)::UBIGINT + 1 FROM pruned')).getRows()[0][0]);
  const values: DuckDBValue[] = [];
  for (let off = 0; off < ranges.length; off += 1000) {
    values.length = 0;
    const tuples = ranges.slice(off, off + 1000).map(([from, to]) => {
      values.push(BigInt(run), BigInt(from), BigInt(to));
      return `($${values.length - 2}, $${values.length - 1}, $${values.length})`;
    });
    await conn.run(`INSERT INTO pruned VALUES ${tuples.join(', ')}`, values);
  }
  await conn.run(`DELETE FROM events WHERE ${cond}`, params);
  const digest = rangesDigest(ranges);
  const record: AuditEvent = {
    '@timestamp': formatNs(nowNs),
    message: `retention run ${run} deleted ${events} events (seq ${ranges[0][0]}–${ranges[ranges.length - 1][1] - 1}, ${ranges.length} ranges); their leaf hashes are kept`,
    event: {
      kind: 'event',
      category: ['database'],
      type: ['deletion'],
      action: 'retention-prune',
      outcome: 'success',
      dataset: RETENTION_DATASET,
      module: 'vigil',
      provider: 'vigil',
    },
    retention: {
      run,
      events,
      ranges: ranges.length,
      seq_from: ranges[0][0],
      seq_to: ranges[ranges.length - 1][1],
      ranges_sha256: digest,
      rules: rules.text,
      next_seq: nextSeq,
    },
  };
  return { run, events, ranges, digest, event: prepareEvent(record, ingestedAt(nowNs)) };
}

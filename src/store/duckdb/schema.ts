/**
 * The DuckDB schema and its migrations. Each migration runs once, in order,
 * inside a transaction; `meta.schema_version` records how far a data dir is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sealExisting } from './seal-existing.js';
import { HEAD_KEY } from './tree.js';

export interface Migration {
  version: number;
  description: string;
  statements: string[];
  /** Runs after the statements, in the same transaction. */
  run?: (conn: DuckDBConnection) => Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'events with shredded filter columns, idempotency keys',
    statements: [
      `CREATE TABLE events (
        seq        UBIGINT NOT NULL,
        ts         BIGINT NOT NULL,
        dataset    VARCHAR,
        category   VARCHAR[],
        action     VARCHAR,
        outcome    VARCHAR,
        user_name  VARCHAR,
        user_email VARCHAR,
        source_ip  VARCHAR,
        target     VARCHAR,
        namespace  VARCHAR,
        host       VARCHAR,
        doc        VARCHAR NOT NULL USING COMPRESSION zstd
      )`,
      `CREATE TABLE idempotency (
        key     VARCHAR PRIMARY KEY,
        created BIGINT NOT NULL,
        status  INTEGER NOT NULL,
        body    VARCHAR NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    description: 'tamper evidence: Merkle tree hashes, signed checkpoints, retention ranges; seal stored events',
    statements: [
      // The stored-hash sequence (src/integrity/stored.ts) in tiles; see tree.ts.
      `CREATE TABLE tree_hashes (
        tile   UBIGINT NOT NULL,
        first  UBIGINT NOT NULL,
        hashes BLOB NOT NULL
      )`,
      'CREATE INDEX tree_hashes_tile ON tree_hashes (tile)',
      `CREATE TABLE checkpoints (
        size   UBIGINT NOT NULL,
        root   BLOB NOT NULL,
        issued BIGINT NOT NULL,
        note   VARCHAR NOT NULL
      )`,
      // Sequence ranges [seq_from, seq_to) whose events retention deleted; the
      // run's sealed vigil.retention event carries a digest of its ranges.
      `CREATE TABLE pruned (
        run      UBIGINT NOT NULL,
        seq_from UBIGINT NOT NULL,
        seq_to   UBIGINT NOT NULL
      )`,
    ],
    run: sealExisting,
  },
  {
    version: 3,
    description: 'the tree head in a one-row table of its own, updated by each commit',
    statements: [
      // A primary-key upsert into `meta` cost about 5 ms of every commit; an
      // UPDATE of a one-row table without an index costs next to nothing.
      'CREATE TABLE tree_head (state VARCHAR NOT NULL)',
      `INSERT INTO tree_head SELECT coalesce((SELECT value FROM meta WHERE key = '${HEAD_KEY}'), '{"size":0,"hashes":[]}')`,
      `DELETE FROM meta WHERE key = '${HEAD_KEY}'`,
    ],
  },
  {
    version: 4,
    description: 'idempotency keys under a plain index instead of a primary key',
    statements: [
      // Checking the unique constraint cost about 3 ms of every commit that
      // records a key (every webhook batch). The ingest service already
      // guarantees one row per key: it looks a key up before storing, and
      // requests with the same key in flight share one job.
      `CREATE TABLE idempotency_v4 (
        key     VARCHAR NOT NULL,
        created BIGINT NOT NULL,
        status  INTEGER NOT NULL,
        body    VARCHAR NOT NULL
      )`,
      'INSERT INTO idempotency_v4 SELECT key, created, status, body FROM idempotency',
      'DROP TABLE idempotency',
      'ALTER TABLE idempotency_v4 RENAME TO idempotency',
      'CREATE INDEX idempotency_key ON idempotency (key)',
    ],
  },
  {
    version: 5,
    description: 'idempotency keys keep the ingest result (src/model/ingest-result.ts) as JSON instead of an HTTP status and body',
    statements: [
      `CREATE TABLE idempotency_v5 (
        key     VARCHAR NOT NULL,
        created BIGINT NOT NULL,
        result  VARCHAR NOT NULL
      )`,
      // Only accepted requests were recorded (status 200); their body's by_format is the result's byFormat.
      `INSERT INTO idempotency_v5 SELECT key, created,
        json_merge_patch(json_merge_patch(body, '{"kind":"accepted"}'), json_object('by_format', NULL, 'byFormat', body->'by_format'))::VARCHAR
        FROM idempotency`,
      'DROP TABLE idempotency',
      'ALTER TABLE idempotency_v5 RENAME TO idempotency',
      'CREATE INDEX idempotency_key_v5 ON idempotency (key)',
    ],
  },
  {
    version: 6,
    description: 'idempotency keys keep the digest of the body they came with, to refuse a key reused with another body (422)',
    statements: [
      `CREATE TABLE idempotency_v6 (
        key     VARCHAR NOT NULL,
        created BIGINT NOT NULL,
        result  VARCHAR NOT NULL,
        digest  VARCHAR
      )`,
      // Keys recorded before have no digest: a resend of one is answered as before, whatever its body.
      'INSERT INTO idempotency_v6 SELECT key, created, result, NULL FROM idempotency',
      'DROP TABLE idempotency',
      'ALTER TABLE idempotency_v6 RENAME TO idempotency',
      'CREATE INDEX idempotency_key_v6 ON idempotency (key)',
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The schema version a data dir is at (0: none, or a read-only file without `meta`). */
export async function schemaVersion(conn: DuckDBConnection): Promise<number> {
  try {
    const r = await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`);
    const v = r.getRows()[0]?.[0];
    return v === undefined ? 0 : Number(v);
  } catch {
    return 0;
  }
}

/** Runs the migrations `file` has not had yet, each in its own transaction. */
export async function migrate(conn: DuckDBConnection, file: string): Promise<void> {
  await conn.run('CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
  const current = await schemaVersion(conn);
  if (current > SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${current}; this Vigil knows up to ${SCHEMA_VERSION}. Upgrade Vigil.`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const s of m.statements) await conn.run(s);
      await m.run?.(conn);
      await conn.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', $1)`, [String(m.version)]);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw new Error(`migration ${m.version} (${m.description}) failed: ${(err as Error).message}`);
    }
  }
}

/**
 * The DuckDB schema and its migrations. Each migration runs once, in order,
 * inside a transaction; `meta.schema_version` records how far a data dir is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sealExisting } from './seal-existing.js';

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
        doc        VARCHAR NOT NULL
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

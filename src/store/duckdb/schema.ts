/**
 * The DuckDB schema and its migrations. Each migration runs once, in order,
 * inside a transaction; `meta.schema_version` records how far a data dir is.
 */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * The embedded store: one DuckDB database file in the data dir. All writes go
 * through one connection, one transaction per group commit, rows appended as
 * data chunks. DuckDB writes the transaction to its WAL and syncs it at
 * COMMIT, so a resolved append survives a crash of the process.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { AppendRequest, EventQuery, IdempotentResult, Store, StoreStats, StoredRow } from '../store.js';
import { toChunks } from './rows.js';
import { LABEL_COLUMNS, duckdbReader, renderQuery } from './query-sql.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface DuckDBStoreConfig {
  /** Directory holding `vigil.duckdb`. */
  dataDir: string;
  /** WAL size that triggers a DuckDB checkpoint, e.g. `256MB`; larger means fewer, bigger checkpoints. */
  checkpointThreshold?: string;
  /** DuckDB memory limit, e.g. `2GB`. */
  memoryLimit?: string;
  /** Open without write access (several readers may share a file no writer holds). */
  readOnly?: boolean;
}

/** Raised when another process (usually a running server) holds the database. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

export const DB_FILE = 'vigil.duckdb';

export class DuckDBStore implements Store {
  readonly labels = ['category', ...Object.keys(LABEL_COLUMNS)];
  readonly sql = duckdbReader(() => this.instance);
  private seq = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly file: string,
  ) {}

  static async open(config: DuckDBStoreConfig): Promise<DuckDBStore> {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const file = join(config.dataDir, DB_FILE);
    const options: Record<string, string> = {};
    if (config.readOnly) options.access_mode = 'READ_ONLY';
    if (config.memoryLimit) options.memory_limit = config.memoryLimit;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, options);
    } catch (err) {
      const msg = (err as Error).message;
      if (/lock/i.test(msg)) throw new StoreLockedError(`${file} is in use by another process: ${msg}`);
      throw err;
    }
    const conn = await instance.connect();
    if (config.checkpointThreshold && !config.readOnly) {
      await conn.run(`SET checkpoint_threshold = '${config.checkpointThreshold.replace(/'/g, '')}'`);
    }
    const store = new DuckDBStore(instance, conn, file);
    if (!config.readOnly) await store.migrate();
    await store.loadSeq();
    return store;
  }

  private async migrate(): Promise<void> {
    await this.conn.run('CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
    const current = await this.schemaVersion();
    if (current > SCHEMA_VERSION) {
      throw new Error(`${this.file} has schema version ${current}; this Vigil knows up to ${SCHEMA_VERSION}. Upgrade Vigil.`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await this.conn.run('BEGIN TRANSACTION');
      try {
        for (const s of m.statements) await this.conn.run(s);
        await this.conn.run(
          `INSERT OR REPLACE INTO meta VALUES ('schema_version', $1)`,
          [String(m.version)],
        );
        await this.conn.run('COMMIT');
      } catch (err) {
        await this.conn.run('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.description}) failed: ${(err as Error).message}`);
      }
    }
  }

  async schemaVersion(): Promise<number> {
    const r = await this.conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`);
    const v = r.getRows()[0]?.[0];
    return v === undefined ? 0 : Number(v);
  }

  private async loadSeq(): Promise<void> {
    const r = await this.conn.runAndReadAll('SELECT max(seq) FROM events');
    const max = r.getRows()[0][0] as bigint | null;
    this.seq = max === null ? 0 : Number(max) + 1;
  }

  nextSeq(): number {
    return this.seq;
  }

  async append(requests: AppendRequest[]): Promise<number[]> {
    const first = this.seq;
    const starts: number[] = [];
    const all = [];
    for (const r of requests) {
      starts.push(first + all.length);
      for (const e of r.events) all.push(e);
    }
    await this.conn.run('BEGIN TRANSACTION');
    try {
      if (all.length > 0) {
        const appender = await this.conn.createAppender('events');
        for (const chunk of toChunks(all, first)) appender.appendDataChunk(chunk);
        appender.closeSync();
      }
      const keyed = requests.filter((r) => r.idempotency);
      if (keyed.length > 0) {
        const now = BigInt(Date.now());
        const values: DuckDBValue[] = [];
        const tuples = keyed.map((r, i) => {
          const { key, result } = r.idempotency!;
          values.push(key, now, result.status, JSON.stringify(result.body));
          return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
        });
        await this.conn.run(`INSERT OR IGNORE INTO idempotency VALUES ${tuples.join(', ')}`, values);
      }
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    this.seq = first + all.length;
    return starts;
  }

  async lookupIdempotency(key: string): Promise<IdempotentResult | undefined> {
    const r = await this.conn.runAndReadAll('SELECT status, body FROM idempotency WHERE key = $1', [key]);
    const row = r.getRows()[0];
    return row ? { status: Number(row[0]), body: JSON.parse(String(row[1])) } : undefined;
  }

  async query(q: EventQuery): Promise<StoredRow[]> {
    const { sql, params } = renderQuery(q);
    const r = await this.conn.runAndReadAll(sql, params as DuckDBValue[]);
    return r.getRows().map(([seq, ts, doc]) => ({ seq: Number(seq), ts: ts as bigint, doc: doc as string }));
  }

  async stats(): Promise<StoreStats> {
    let bytes = 0;
    for (const f of [this.file, `${this.file}.wal`]) {
      try {
        bytes += statSync(f).size;
      } catch {
        // no WAL right after a checkpoint
      }
    }
    return { events: this.seq, bytes };
  }

  async close(): Promise<void> {
    try {
      await this.conn.run('CHECKPOINT');
    } catch {
      // read-only connections cannot checkpoint
    }
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

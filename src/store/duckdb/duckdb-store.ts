/**
 * The embedded store: one DuckDB database file in the data dir. All writes go
 * through one connection, one transaction per group commit, rows appended as
 * data chunks. DuckDB writes the transaction to its WAL and syncs it at
 * COMMIT, so a resolved append survives a crash of the process.
 *
 * Sealing: every append also extends the Merkle tree (RFC 9162) in the same
 * transaction — each event's leaf hash is SHA-256(0x00 || its stored
 * canonical JSON), the leaf and the interior nodes it completes are appended
 * to `tree_hashes`, and the compact range (the tree head) is saved in `meta`.
 * So an event is never committed, nor acknowledged, without its place in the
 * tree, and the tree never holds an event the store does not.
 *
 * Reads (queries, proofs, checkpoints) use a second connection, so they see
 * committed data only and never run inside a write transaction.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, blobValue, type DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { CompactRange, ProofError, consistencyProofBatch, inclusionProofBatch, inclusionProofsBatch } from '../../integrity/index.js';
import { formatNs } from '../../model/time.js';
import { encodeEvents, type EncodedEvents } from '../../model/encoded.js';
import type { PreparedEvent } from '../../model/prepare.js';
import type { CheckpointSigner, LogEntry, PrunedRun, StoredCheckpoint, TreeHead } from '../ledger.js';
import type { AppendRequest, IdempotencyRecord, SqlValue, StagedEvents, StoreStats } from '../store.js';
import { DuckDBStaged, numberChunks } from './rows.js';
import { LABEL_COLUMNS } from '../../query/sql/dialects/duckdb.js';
import { streamSelect } from './select.js';
import { migrate, schemaVersion } from './schema.js';
import { readCheckpoints, readEntries, readPrunedRuns } from './ledger-reads.js';
import { readLeafHashes, readNodes } from './tree.js';
import { loadTreeHead, sealBatches } from './tree-head.js';
import { pruneEvents } from './retention.js';
import type { AuditStore } from '../audit-store.js';
import { StoreLockedError } from '../errors.js';
import type { ExportFormat, ExportProofs, ExportSelection } from '../export.js';
import type { PruneResult, RetentionRules } from '../retention.js';
import type { VerifyOptions } from '../../integrity/verify/options.js';
import type { VerifyReport } from '../../integrity/verify/report.js';
import { exportEvents } from './export.js';
import { sqlString } from './sql-literal.js';
import { verifyStore } from './verify.js';

export interface DuckDBStoreConfig {
  /** Directory holding `vigil.duckdb`. */
  dataDir: string;
  /** WAL size that triggers a DuckDB checkpoint, e.g. `256MB`; larger means fewer, bigger checkpoints. */
  checkpointThreshold?: string;
  /** DuckDB memory limit, e.g. `2GB`. */
  memoryLimit?: string;
  /** Open without write access (several readers may share a file no writer holds). */
  readOnly?: boolean;
  /** Seal new events into the Merkle tree (default true). Off only to measure what sealing costs. */
  sealing?: boolean;
}

export const DB_FILE = 'vigil.duckdb';

export const duckdbStoreExists = (dataDir: string): boolean => existsSync(join(dataDir, DB_FILE));
const STORAGE_VERSION = 'v1.2.0';

type CommitListener = (head: { size: number }) => void;

export class DuckDBStore implements AuditStore {
  readonly labels = ['category', ...Object.keys(LABEL_COLUMNS)];
  readonly engine = 'duckdb';
  private seq = 0;
  private range = CompactRange.empty();
  private rootCache: TreeHead = { size: 0, root: CompactRange.empty().root() };
  private writes: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<CommitListener>();
  private readonly closeHooks: (() => Promise<void>)[] = [];
  private version = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly file: string,
    readonly sealing: boolean,
    readonly readOnly: boolean,
  ) {}

  static async open(config: DuckDBStoreConfig): Promise<DuckDBStore> {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const file = join(config.dataDir, DB_FILE);
    const options: Record<string, string> = {};
    if (config.readOnly) options.access_mode = 'READ_ONLY';
    if (config.memoryLimit) options.memory_limit = config.memoryLimit;
    // The on-disk format of a database file this creates (an existing file
    // keeps its own): v1.2.0 is the first with zstd for strings, which the
    // events table's documents use (schema.ts).
    options.storage_compatibility_version = STORAGE_VERSION;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, options);
    } catch (err) {
      const msg = (err as Error).message;
      if (/lock/i.test(msg)) throw new StoreLockedError(`${file} is in use by another process: ${msg}`);
      throw err;
    }
    const conn = await instance.connect();
    const reader = await instance.connect();
    if (config.checkpointThreshold && !config.readOnly) {
      await conn.run(`SET checkpoint_threshold = '${config.checkpointThreshold.replace(/'/g, '')}'`);
    }
    const store = new DuckDBStore(instance, conn, reader, file, config.sealing ?? true, config.readOnly ?? false);
    try {
      if (!config.readOnly) await migrate(store.conn, file);
      await store.loadHead();
    } catch (err) {
      reader.closeSync();
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
    return store;
  }

  async schemaVersion(): Promise<number> {
    return schemaVersion(this.conn);
  }

  /** Loads the tree head and the next sequence number; a writer also checks the head against the stored tree. */
  private async loadHead(): Promise<void> {
    this.version = await this.schemaVersion();
    const max = (await this.conn.runAndReadAll('SELECT max(seq) FROM events')).getRows()[0][0] as bigint | null;
    const next = max === null ? 0 : Number(max) + 1;
    if (this.version < 2) {
      this.seq = next; // an unsealed store opened read-only
      return;
    }
    this.range = await loadTreeHead(this.conn, this.file, this.version, next, this.readOnly ? undefined : { sealing: this.sealing });
    this.seq = Math.max(next, this.range.size);
  }

  nextSeq(): number {
    return this.seq;
  }

  /** Runs write transactions one at a time (appends, checkpoints, retention). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** Copies encoded events into DuckDB data chunks, ready for `append`. */
  stage(events: EncodedEvents): DuckDBStaged {
    if (this.sealing && !events.leafHashes) throw new Error('DuckDBStore.stage: this store seals, but the events were encoded without leaf hashes');
    return new DuckDBStaged(events);
  }

  private staged(events: PreparedEvent[] | StagedEvents): DuckDBStaged {
    if (events instanceof DuckDBStaged) return events;
    if (!Array.isArray(events)) throw new Error('DuckDBStore.append: events were staged by another store');
    return this.stage(encodeEvents(events, this.sealing));
  }

  /**
   * Inside an open transaction: appends the batches numbered from `this.seq`
   * and, when sealing, their tree hashes. Returns the extended range, which
   * becomes the store's once the caller has committed, and the statement that
   * saves it as the head (run with the COMMIT, in one round trip).
   */
  private async insertEvents(batches: DuckDBStaged[]): Promise<{ range: CompactRange; save: string }> {
    const chunks = numberChunks(batches, this.seq);
    if (chunks.length > 0) await this.appendChunks(chunks);
    if (chunks.length === 0 || !this.sealing) return { range: this.range, save: '' };
    return sealBatches(this.conn, this.range, batches);
  }

  private async appendChunks(chunks: readonly DuckDBDataChunk[]): Promise<void> {
    const appender = await this.conn.createAppender('events');
    for (const chunk of chunks) appender.appendDataChunk(chunk);
    appender.closeSync();
  }

  private committed(range: CompactRange, events: number): void {
    this.range = range;
    this.seq += events;
    if (events > 0) for (const l of this.listeners) l({ size: this.seq });
  }

  append(requests: AppendRequest[]): Promise<number[]> {
    return this.exclusive(async () => {
      const batches = requests.map((r) => this.staged(r.events));
      const starts: number[] = [];
      let total = 0;
      for (const b of batches) {
        starts.push(this.seq + total);
        total += b.count;
      }
      // Two round trips to DuckDB's thread per commit (BEGIN; the rest with
      // COMMIT): each one waits for the event loop, which is busy decoding
      // the next requests, so every extra one adds latency to all clients.
      await this.conn.run('BEGIN TRANSACTION');
      let range: CompactRange;
      try {
        const inserted = await this.insertEvents(batches);
        range = inserted.range;
        const now = Date.now();
        const keys: string[] = [];
        requests.forEach(({ idempotency: i }, n) => {
          // Recorded with the first sequence number this commit gave the request's events.
          const result = batches[n].count > 0 ? { ...i?.result, firstSeq: starts[n] } : i?.result;
          if (i) keys.push(`(${sqlString(i.key)}, ${now}, ${sqlString(JSON.stringify(result))}, ${i.digest === undefined ? 'NULL' : sqlString(i.digest)})`);
        });
        const remember = keys.length > 0 ? `INSERT INTO idempotency VALUES ${keys.join(', ')};` : '';
        await this.conn.run(`${inserted.save}${remember}COMMIT`);
      } catch (err) {
        await this.conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      this.committed(range, total);
      return starts;
    });
  }

  select(sql: string, params: readonly SqlValue[], signal?: AbortSignal): AsyncIterable<unknown[][]> {
    return streamSelect(this.instance, sql, params, signal);
  }

  async lookupIdempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const r = await this.reader.runAndReadAll('SELECT result, digest FROM idempotency WHERE key = $1 LIMIT 1', [key]);
    const row = r.getRows()[0];
    if (!row) return undefined;
    const result = JSON.parse(String(row[0])) as IdempotencyRecord;
    if (row[1] !== null) result.digest = String(row[1]);
    return result;
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

  // ---- Ledger ----

  treeHead(): TreeHead {
    if (this.rootCache.size !== this.range.size) this.rootCache = { size: this.range.size, root: this.range.root() };
    return this.rootCache;
  }

  private checkProvable(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new ProofError('INVALID_ARGUMENT', `tree size must be a non-negative integer, got ${size}`);
    if (size > this.range.size) {
      throw new ProofError('INVALID_ARGUMENT', `tree size ${size} is larger than the current tree (${this.range.size} events)`);
    }
  }

  async inclusionProof(seq: number, size: number): Promise<Buffer[]> {
    this.checkProvable(size);
    return inclusionProofBatch(seq, size, (ids) => readNodes(this.reader, ids));
  }

  async inclusionProofs(seqs: readonly number[], size: number): Promise<Buffer[][]> {
    this.checkProvable(size);
    return inclusionProofsBatch(seqs, size, (ids) => readNodes(this.reader, ids));
  }

  async consistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    this.checkProvable(size2);
    return consistencyProofBatch(size1, size2, (ids) => readNodes(this.reader, ids));
  }

  leafHashes(seqs: readonly number[]): Promise<Buffer[]> {
    for (const s of seqs) this.checkProvable(s + 1);
    return readLeafHashes(this.reader, seqs);
  }

  addCheckpoint(sign: CheckpointSigner): Promise<StoredCheckpoint | undefined> {
    return this.exclusive(async () => {
      const head = this.treeHead();
      if (head.size === 0) return undefined;
      const last = await this.latestCheckpoint();
      if (last && last.size >= head.size) return undefined;
      const note = sign(head);
      const issued = BigInt(Date.now()) * 1_000_000n;
      await this.conn.run('INSERT INTO checkpoints VALUES ($1, $2, $3, $4)', [
        BigInt(head.size),
        blobValue(head.root),
        issued,
        note,
      ]);
      return { size: head.size, root: head.root, issued: formatNs(issued, 3), note };
    });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.version < 2 ? undefined : (await readCheckpoints(this.reader, 'ORDER BY size DESC LIMIT 1'))[0];
  }

  checkpoints(fromSize: number, limit: number): Promise<StoredCheckpoint[]> {
    if (this.version < 2) return Promise.resolve([]);
    return readCheckpoints(this.reader, 'WHERE size >= $1 ORDER BY size, issued LIMIT $2', [BigInt(fromSize), BigInt(limit)]);
  }

  async entries(start: number, end: number): Promise<LogEntry[]> {
    this.checkProvable(end);
    if (!(Number.isSafeInteger(start) && start >= 0 && start <= end)) throw new ProofError('INVALID_ARGUMENT', `bad entry range [${start}, ${end})`);
    if (start === end) return [];
    return readEntries(this.reader, start, end);
  }

  async prunedRuns(): Promise<PrunedRun[]> {
    return this.version < 2 ? [] : readPrunedRuns(this.reader);
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- retention ----

  /**
   * Deletes events older than the retention rules allow, keeping their tree
   * hashes, and records the run as a sealed `vigil.retention` event — all in
   * one transaction. Resolves with what was pruned (nothing: undefined).
   */
  prune(rules: RetentionRules, nowNs: bigint): Promise<PruneResult | undefined> {
    return this.exclusive(async () => {
      if (!this.sealing) return undefined;
      await this.conn.run('BEGIN TRANSACTION');
      let result: PruneResult | undefined;
      let range = this.range;
      let added = 0;
      try {
        result = await pruneEvents(this.conn, rules, nowNs, this.seq);
        if (result) {
          const inserted = await this.insertEvents([this.staged([result.event])]);
          range = inserted.range;
          await this.conn.run(inserted.save);
          added = 1;
        }
        await this.conn.run('COMMIT');
      } catch (err) {
        await this.conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      this.committed(range, added);
      return result;
    });
  }

  // ---- export and verification (each on a connection of its own) ----

  exportEvents(sel: ExportSelection, format: ExportFormat, file: string, opts: { proofs?: ExportProofs; onProgress?: (events: number) => void } = {}): Promise<number> {
    return exportEvents(this, sel, format, file, opts);
  }

  verify(opts: VerifyOptions): Promise<VerifyReport> {
    return verifyStore(this, opts);
  }

  // ---- raw access for this engine's verifier and exporter ----

  /** A new connection for a long scan (verify, export), isolated from other reads; the caller closes it. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Schema version of the open file (2 and up: tamper-evident). */
  get schema(): number {
    return this.version;
  }

  /** The persisted tree head: size and frontier (compact range), as loaded at open or last committed. */
  get head(): CompactRange {
    return this.range;
  }

  /** Runs `hook` when the store closes, before the database does (e.g. a final checkpoint). */
  beforeClose(hook: () => Promise<void>): void {
    this.closeHooks.push(hook);
  }

  async close(): Promise<void> {
    for (const hook of this.closeHooks.splice(0)) await hook();
    await this.exclusive(async () => undefined);
    try {
      await this.conn.run('CHECKPOINT');
    } catch {
      // read-only connections cannot checkpoint
    }
    this.reader.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/**
 * The store's front: `openStore(config)` opens the engine `store.kind`
 * names, and everything outside src/store/ imports from here (or the
 * interface files beside it), never from an engine's folder — a lint rule
 * (eslint.config.js) holds that.
 *
 * May import: src/model, src/integrity (the pure core and verification
 * types), src/config (types only); src/store/duckdb also the pure SQL
 * renderer and DuckDB dialect in src/query/sql (for exports).
 */
import type { Config } from '../config/load.js';
import type { AuditStore } from './audit-store.js';

export type { AuditStore, ExportOptions } from './audit-store.js';
export type { AppendRequest, IdempotencyRecord, IdempotentResult, LabelMatcher, LineFilter, SqlValue, StagedEvents, Store, StoreEngine, StoreStats, StoredRow } from './store.js';
export { withVigil } from './store.js';
export type { CheckpointSigner, Ledger, LogEntry, PrunedRun, StoredCheckpoint, TreeHead } from './ledger.js';
export { EXPORT_FORMATS, type ExportFormat, type ExportProofs, type ExportSelection } from './export.js';
export { RETENTION_DATASET, rangesDigest, type PruneResult, type RetentionRules } from './retention.js';
export { isDiskFull, StoreLockedError, TreeCorruptError } from './errors.js';

export interface OpenOptions {
  /** Open without write access (several readers may share a store no writer holds). */
  readOnly?: boolean;
  /** Overrides `integrity.sealing` (benchmarks measure both). */
  sealing?: boolean;
}

/** Whether the data dir already holds a store of the configured kind (a read-only open needs one). */
export async function storeExists(config: Config): Promise<boolean> {
  switch (config.store.kind) {
    case 'duckdb': {
      const { duckdbStoreExists } = await import('./duckdb/duckdb-store.js');
      return duckdbStoreExists(config.data_dir);
    }
  }
}

/** Opens the configured store (creating it when absent, unless read-only). */
export async function openStore(config: Config, opts: OpenOptions = {}): Promise<AuditStore> {
  switch (config.store.kind) {
    case 'duckdb': {
      const { DuckDBStore } = await import('./duckdb/duckdb-store.js');
      return DuckDBStore.open({
        dataDir: config.data_dir,
        checkpointThreshold: config.store.checkpoint_threshold,
        memoryLimit: config.store.memory_limit || undefined,
        sealing: opts.sealing ?? config.integrity.sealing,
        readOnly: opts.readOnly,
      });
    }
  }
}

/**
 * What the rest of Vigil may ask of an open store: the event log (`Store`),
 * its tamper-evident side (`Ledger`), and the operations around them —
 * retention, export, verification of its own bytes, shutdown hooks. Every
 * engine implements all of it; nothing outside src/store/ sees an engine.
 */
import type { VerifyOptions } from '../integrity/verify/options.js';
import type { VerifyReport } from '../integrity/verify/report.js';
import type { ExportFormat, ExportProofs, ExportSelection } from './export.js';
import type { Ledger } from './ledger.js';
import type { PruneResult, RetentionRules } from './retention.js';
import type { Store } from './store.js';

export interface ExportOptions {
  /** Write a proof bundle (NDJSON with inclusion proofs against this checkpoint) instead of the format. */
  proofs?: ExportProofs;
  onProgress?: (events: number) => void;
}

export interface AuditStore extends Store, Ledger {
  /** Opened for reading only: appends, pruning and checkpoints are refused. */
  readonly readOnly: boolean;
  /**
   * Deletes what the rules expire (keeping the tree hashes, so proofs still
   * work) and seals a record of the run; undefined when nothing expired.
   */
  prune(rules: RetentionRules, nowNs: bigint): Promise<PruneResult | undefined>;
  /** Writes the selected events to `file`, oldest first; resolves with how many. */
  exportEvents(sel: ExportSelection, format: ExportFormat, file: string, opts?: ExportOptions): Promise<number>;
  /** Recomputes every leaf and the tree from the stored bytes and checks every checkpoint (`vigil verify --data`). */
  verify(opts: VerifyOptions): Promise<VerifyReport>;
  /** Runs `hook` when the store closes, before it does (the final checkpoint). */
  beforeClose(hook: () => Promise<void>): void;
}

/**
 * Export, as every store offers it: which events (a selection), in which
 * format, and the checkpoint a proof bundle proves them against.
 */
import type { StoredCheckpoint } from './ledger.js';
import type { LabelMatcher, LineFilter } from './store.js';

export const EXPORT_FORMATS = ['ndjson', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Which events to export: selectors and line filters over a time range, oldest first. */
export interface ExportSelection {
  matchers: LabelMatcher[];
  lineFilters: LineFilter[];
  fromNs: bigint;
  toNs: bigint;
}

export interface ExportProofs {
  /** The checkpoint every exported event is proven against; events after it are left out. */
  checkpoint: StoredCheckpoint;
  origin: string;
  verifierKey: string;
  /** The query text, recorded in the bundle header. */
  query: string;
}

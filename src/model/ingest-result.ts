/**
 * What ingesting one body came to, as the domain sees it (no HTTP here: the
 * server maps it to statuses and bodies in src/server/ingest-answer.ts). Plain
 * JSON, so the idempotency table can keep an accepted result and answer a
 * resend with it.
 */

/** A record that was not stored: where it was (1-based line, byte offset or -1) and why. */
export interface RejectedRecord {
  line: number;
  offset: number;
  /** Field path inside the record (`event.outcome`), empty for the record as a whole. */
  path: string;
  reason: string;
}

/** The batch was stored (its invalid records, when partial acceptance was asked for, were not). */
export interface Accepted {
  kind: 'accepted';
  accepted: number;
  /** Sequence number of the first stored event; absent when nothing was committed. */
  firstSeq?: number;
  /** Dropped by an audit policy (Kubernetes). */
  dropped?: number;
  /** Dropped by category exclusion. */
  excluded?: number;
  rejected?: number;
  /** The first rejected records (the dead-letter file has them all). */
  errors?: RejectedRecord[];
  /** Accepted events per format (`event.module`); `generic` counts lines no format recognised. */
  byFormat?: Record<string, number>;
}

/** Nothing was stored: the batch had invalid records and partial acceptance was not asked for. */
export interface Rejected {
  kind: 'rejected';
  rejected: number;
  errors: RejectedRecord[];
}

/** The idempotency key was committed before: nothing stored again; `of` is what the first request came to. */
export interface DuplicateOf {
  kind: 'duplicate';
  of: Accepted;
}

/** Refused before anything was stored: the decoding or commit queue is full; try again later. */
export interface Backpressure {
  kind: 'backpressure';
  reason: string;
}

/** The idempotency key was committed with another body: nothing stored (a sender's bug, or two senders sharing a key). */
export interface KeyReused {
  kind: 'key-reused';
}

export type IngestOutcome = Accepted | Rejected | DuplicateOf | Backpressure | KeyReused;

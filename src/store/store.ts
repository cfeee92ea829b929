/**
 * The storage contract. The embedded DuckDB store implements it now, the
 * ClickHouse store later; everything above (ingest, query, API) sees only this.
 */
import type { EncodedEvents } from '../model/encoded.js';
import type { Accepted } from '../model/ingest-result.js';
import type { PreparedEvent } from '../model/prepare.js';

/**
 * Events already converted into a store's own write format (for DuckDB: data
 * chunks in native memory, plus leaf hashes). Ingest stages each request's
 * events before queueing them for the group commit, so nothing of them waits
 * in the JS heap; the commit then only numbers and appends them.
 */
export interface StagedEvents {
  readonly count: number;
  /** Document bytes (UTF-8), for the group commit's backlog bound. */
  readonly bytes: number;
}


/** One ingest request's share of a group commit. */
export interface AppendRequest {
  /** Prepared events, or a batch this same store staged with `stage()`. */
  events: PreparedEvent[] | StagedEvents;
  /**
   * Recorded in the same transaction as the events, so a resend is answered
   * without storing twice; the store records the result with `firstSeq`, the
   * first sequence number it gave these events (when there are any).
   */
  idempotency?: { key: string; result: IdempotentResult; digest?: string };
}

/** What a request with an idempotency key came to, kept (as JSON) to answer its resends. */
export type IdempotentResult = Accepted;

/**
 * A recorded idempotency key: the result, and the digest of the body it came
 * with (src/ingest/body-digest.ts), so a key reused with another body is told
 * apart from a resend. Keys recorded before schema 6 have no digest.
 */
export type IdempotencyRecord = IdempotentResult & { digest?: string };

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type LineOp = '|=' | '!=' | '|~' | '!~';

export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface LineFilter {
  op: LineOp;
  value: string;
}

/** A stored event as read back: its sequence number and its ECS document as canonical JSON. */
export interface StoredRow {
  seq: number;
  ts: bigint;
  doc: string;
  /** The event's leaf hash in the Merkle tree, as stored (absent for an unsealed event). */
  leafHash?: Buffer;
}

export interface StoreStats {
  events: number;
  bytes: number;
}

export type StoreEngine = 'duckdb';
export type SqlValue = string | number | bigint;

export interface Store {
  /** The labels queries may match on, each backed by a typed column. */
  readonly labels: readonly string[];
  /** The SQL engine `select` speaks (src/query picks the dialect and catalog for it). */
  readonly engine: StoreEngine;
  /**
   * Streams the rows of a read-only SELECT in chunks (the LogQL engine pushes
   * selectors, filters and counts into it). When `signal` aborts, the engine's
   * work is interrupted and the iteration rejects.
   */
  select(sql: string, params: readonly SqlValue[], signal?: AbortSignal): AsyncIterable<unknown[][]>;
  /** Whether the store seals events (then encoded events must carry their leaf hashes). */
  readonly sealing: boolean;
  /** Copies encoded events into this store's write format, ready for `append`. */
  stage(events: EncodedEvents): StagedEvents;
  /**
   * Sequences every request's events: consecutive `vigil.seq` in request
   * order, each event's leaf hash, all durable. Resolves with the first
   * sequence number of each request once they are (that is when ingest
   * acknowledges); on failure none of them is stored.
   *
   * Integration — the events in the queryable tables and their leaves in the
   * tree (`Ledger.treeHead`, `onCommit`) — may come later, in larger batches
   * and exactly once, for an engine without multi-table transactions (see
   * docs/architecture.md, "The append contract"). DuckDB integrates in the
   * same transaction, so there it is done when this resolves.
   */
  append(requests: AppendRequest[]): Promise<number[]>;
  lookupIdempotency(key: string): Promise<IdempotencyRecord | undefined>;
  stats(): Promise<StoreStats>;
  /** Sequence number the next event will get (= number of events ever stored). */
  nextSeq(): number;
  close(): Promise<void>;
}

/** Adds `vigil.seq` and `vigil.leaf_hash` (hex) to a stored document without re-parsing it. */
export function withVigil(row: StoredRow): string {
  const leaf = row.leafHash ? `,"leaf_hash":"${row.leafHash.toString('hex')}"` : '';
  return `${row.doc.slice(0, -1)}${row.doc.length > 2 ? ',' : ''}"vigil":{"seq":${row.seq}${leaf}}}`;
}

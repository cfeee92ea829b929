/**
 * Outputs ship the sealed log to other systems (Cloud Logging, CloudWatch,
 * Loki, Elasticsearch, syslog, ...). The store is the queue: each output
 * reads it in `vigil.seq` order from its own durable cursor (`cursor.ts`,
 * `follower.ts`), so nothing waits in a second queue on disk. Delivery is at
 * least once; receivers deduplicate on the stable `event.id`.
 *
 * src/outputs may import: the interfaces of src/store/index.ts (and the files
 * it re-exports), src/model, node built-ins. Never src/store/<engine>/, never
 * src/server. retry.ts imports node built-ins only (the SDK uses it).
 */

/** One sealed event as an output receives it. */
export interface OutputEvent {
  seq: number;
  /** The ECS document as canonical JSON, with `vigil.seq` (and `vigil.leaf_hash` when sealed) added. */
  doc: string;
  /** Its leaf hash in the Merkle tree (absent when sealing is off). */
  leafHash: Buffer | undefined;
}

/** Consecutive sealed events, oldest first; events deleted by retention are left out. */
export interface DeliveryBatch {
  events: readonly OutputEvent[];
}

/** An event the receiver will never take (bad mapping, too large...): it goes to a dead letter, not back to the output. */
export interface Rejection {
  seq: number;
  reason: string;
}

export type DeliveryResult =
  /** The receiver has every event of the batch but the rejected ones. */
  | { status: 'delivered'; rejected: readonly Rejection[] }
  /** Nothing may be assumed delivered: send the whole batch again, after `afterMs` if the receiver said so (Retry-After). */
  | { status: 'retry'; reason: string; afterMs?: number };

export interface Output {
  /** Unique per data dir; names its cursor's folder, so [A-Za-z0-9_-] only. */
  readonly name: string;
  /**
   * Sends one batch. Throwing counts as a retry when `isRetriable(err)`
   * (retry.ts) says so, and stops the output otherwise. `signal` aborts when
   * the follower stops and will not wait any longer.
   */
  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<DeliveryResult>;
}

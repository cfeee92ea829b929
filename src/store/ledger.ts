/**
 * The tamper-evident side of a store: its Merkle tree (RFC 9162) over every
 * event in sequence order, proofs from it, and its signed checkpoints. The
 * DuckDB store implements it; the tree maths is src/integrity's, so a later
 * ClickHouse store only has to persist and read nodes its own way.
 */

/** The tree as of the last commit: its size (= events ever stored) and root hash. */
export interface TreeHead {
  size: number;
  root: Buffer;
}

/** A signed checkpoint as stored: the C2SP signed note and what it commits to. */
export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  /** When it was issued, RFC 3339. */
  issued: string;
  /** The signed note (C2SP tlog-checkpoint), exactly as signed. */
  note: string;
}

/** Signs the checkpoint body for a tree head, returning the signed note. */
export type CheckpointSigner = (head: TreeHead) => string;

/** One leaf of the log as served to verifiers: the event, or a marker that it was pruned or is missing. */
export interface LogEntry {
  seq: number;
  /** The stored leaf hash (what the tree holds at this seq). */
  leafHash: Buffer | undefined;
  /** The stored event (canonical JSON), unless pruned or missing. */
  doc?: string;
  /** Deleted by retention (see {@link PrunedRun}). */
  pruned?: boolean;
}

/** One retention run: the sequence ranges [from, to) it deleted. */
export interface PrunedRun {
  run: number;
  ranges: [number, number][];
}

export interface Ledger {
  /** Whether new events are sealed into the tree (off only for benchmarks). */
  readonly sealing: boolean;
  treeHead(): TreeHead;
  /** RFC 9162 inclusion proof of leaf `seq` in the tree of `size` leaves (seq < size <= head size). */
  inclusionProof(seq: number, size: number): Promise<Buffer[]>;
  /** RFC 9162 consistency proof between tree sizes 0 < size1 <= size2 <= head size. */
  consistencyProof(size1: number, size2: number): Promise<Buffer[]>;
  /** Inclusion proofs of several leaves in one tree, read in one query. */
  inclusionProofs(seqs: readonly number[], size: number): Promise<Buffer[][]>;
  /** Stored leaf hashes of the given sequence numbers (pruned events included). */
  leafHashes(seqs: readonly number[]): Promise<Buffer[]>;
  /**
   * Signs and stores a checkpoint of the current head, serialized with
   * commits. Resolves undefined when the head is already checkpointed.
   */
  addCheckpoint(sign: CheckpointSigner): Promise<StoredCheckpoint | undefined>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints with size >= fromSize, oldest first. */
  checkpoints(fromSize: number, limit: number): Promise<StoredCheckpoint[]>;
  /** The log's leaves [start, end) in order (end <= head size). */
  entries(start: number, end: number): Promise<LogEntry[]>;
  /** Every retention run's pruned ranges, by run. */
  prunedRuns(): Promise<PrunedRun[]>;
  /** Calls `listener` after every commit that grew the tree; returns an unsubscribe function. */
  onCommit(listener: (head: { size: number }) => void): () => void;
}

/** What a full verification of a store's own bytes takes (`vigil verify --data`), whatever the engine. */

export interface VerifyOptions {
  /** The log's verifier key, `<name>+<id>+<base64>`. */
  verifierKey: string;
  /** Called as the pass advances (events done, tree size). */
  onProgress?: (done: number, total: number) => void;
  /** Hashing threads (default: one per core). */
  threads?: number;
  /**
   * Check the canonical form (jcs-check.ts) of the documents whose seq is a
   * multiple of this (default 64; 1: every one). Every document's bytes are
   * hashed and compared with its sealed leaf regardless; this is about how
   * they were sealed, and costs about twice as much as hashing them.
   */
  canonicalEvery?: number;
}

/** Default of VerifyOptions.canonicalEvery. */
export const CANONICAL_EVERY = 64;

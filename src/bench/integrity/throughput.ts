/**
 * Micro-benchmark of the integrity hot paths, for `npm run bench`-style
 * harnesses (no assertions on timing anywhere in the tests).
 *
 *  - leafHashesPerSec:    hashLeaf over ~500-byte event-like inputs
 *  - appendsPerSec:       CompactRange.append of those leaf hashes, including
 *                         copying every reported interior node into an
 *                         in-memory node table (what a store persists)
 *  - inclusionProofP50Ms: median time to generate one inclusion proof at the
 *                         full tree size from that node table (sync reader)
 */
import { performance } from 'node:perf_hooks';
import { CompactRange } from '../../integrity/compact-range.js';
import { HASH_SIZE, hashLeaf } from '../../integrity/hash.js';
import { inclusionProof } from '../../integrity/proof.js';
import { verifyInclusion } from '../../integrity/verify.js';

export interface IntegrityBenchResult {
  leafHashesPerSec: number;
  appendsPerSec: number;
  inclusionProofP50Ms: number;
}

export interface IntegrityBenchOptions {
  /** Number of leaves (default 1,000,000). */
  leaves?: number;
  /** Number of inclusion proofs to time (default 1,001). */
  proofs?: number;
  /** Size of each leaf input in bytes (default 500). */
  inputBytes?: number;
}

/** Flat per-level node storage: level l holds node i at bytes [32·i, 32·i+32). */
class NodeTable {
  readonly levels: Buffer[] = [];
  constructor(leaves: number) {
    for (let l = 0, n = leaves; n > 0; l++, n = Math.floor(n / 2)) this.levels.push(Buffer.allocUnsafe(n * HASH_SIZE));
  }
  set(level: number, index: number, hash: Uint8Array): void {
    this.levels[level].set(hash, index * HASH_SIZE);
  }
  get = (level: number, index: number): Buffer => this.levels[level].subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
}

/** A deterministic pseudo-random generator (xorshift32), so runs are comparable. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export function benchIntegrity(options: IntegrityBenchOptions = {}): IntegrityBenchResult {
  const n = options.leaves ?? 1_000_000;
  const proofs = options.proofs ?? 1001;
  const inputBytes = options.inputBytes ?? 500;

  // An event-like canonical JSON document, padded to ~inputBytes; the sequence
  // number is rewritten in place so every leaf input differs.
  const template = JSON.stringify({
    '@timestamp': '2024-01-01T00:00:00.000000000Z',
    event: { action: 'user-login', outcome: 'success', sequence: 0 },
    user: { name: 'alice' },
    source: { ip: '192.0.2.1' },
    message: '',
  });
  const input = Buffer.alloc(inputBytes, 0x20);
  input.write(template.slice(0, inputBytes));
  const seqAt = Math.min(template.indexOf('"sequence":') + 11, Math.max(0, inputBytes - 10));

  const table = new NodeTable(n);
  const leaves = table.levels[0];

  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    input.write(i.toString().padStart(10, '0'), seqAt, 'latin1');
    leaves.set(hashLeaf(input), i * HASH_SIZE);
  }
  const hashMs = performance.now() - t0;

  const range = CompactRange.empty();
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const completed = range.append(leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    for (let k = 0; k < completed.length; k++) {
      const node = completed[k];
      table.set(node.level, node.index, node.hash);
    }
  }
  const appendMs = performance.now() - t0;

  const root = range.root();
  const rand = rng(0x5eed);
  const times: number[] = [];
  let last = { index: 0, proof: [] as Buffer[] };
  for (let k = 0; k < proofs; k++) {
    const index = Math.floor(rand() * n);
    const t = performance.now();
    const proof = inclusionProof(index, n, table.get);
    times.push(performance.now() - t);
    last = { index, proof };
  }
  times.sort((a, b) => a - b);
  if (n > 0 && proofs > 0) {
    const check = verifyInclusion(table.get(0, last.index), last.index, n, last.proof, root);
    if (!check.ok) throw check.error;
  }

  return {
    leafHashesPerSec: Math.round(n / (hashMs / 1000)),
    appendsPerSec: Math.round(n / (appendMs / 1000)),
    inclusionProofP50Ms: times.length ? times[Math.floor(times.length / 2)] : 0,
  };
}

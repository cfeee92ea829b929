/** Checking a log's signed checkpoints: signature by the log key, origin, and agreement with what is stored beside them. */
import { hashEquals, openCheckpoint, parseVerifierKey, toHex } from '../index.js';
import type { TrustedRoot } from './replay.js';
import type { VerifyFailure } from './report.js';

export interface CheckpointRecord {
  /** The signed note. */
  note: string;
  /** Size and root stored beside the note (the database columns), when there are any. */
  size?: number;
  root?: Buffer;
}

/**
 * Opens every checkpoint with the verifier key; returns the signed roots
 * sorted by size, or the first checkpoint that does not hold.
 */
export function checkCheckpoints(records: readonly CheckpointRecord[], verifierKey: string): { trusted: TrustedRoot[]; failure?: VerifyFailure } {
  const verifier = parseVerifierKey(verifierKey);
  const trusted: TrustedRoot[] = [];
  const forged = (size: number, why: string): { trusted: TrustedRoot[]; failure: VerifyFailure } => ({
    trusted,
    failure: { kind: 'forged-checkpoint', seq: size, message: `the checkpoint of tree size ${size} ${why}` },
  });
  const sorted = [...records].sort((a, b) => (a.size ?? 0) - (b.size ?? 0));
  for (const rec of sorted) {
    let cp;
    try {
      cp = openCheckpoint(rec.note, { origin: verifier.name, verifier });
    } catch (err) {
      const size = rec.size ?? Number(/^[^\n]*\n(\d+)\n/.exec(rec.note)?.[1] ?? 0);
      return forged(size, `does not verify with ${verifier.name}+${verifier.keyHash.toString(16).padStart(8, '0')}: ${(err as Error).message}`);
    }
    if (rec.size !== undefined && rec.size !== cp.size) return forged(rec.size, `is stored as size ${rec.size} but its signed note says ${cp.size}`);
    if (rec.root && !hashEquals(rec.root, cp.rootHash)) {
      return forged(cp.size, `is stored with root ${toHex(rec.root)} but its signed note says ${toHex(cp.rootHash)}`);
    }
    const same = trusted.find((t) => t.size === cp.size);
    if (same && !hashEquals(same.root, cp.rootHash)) return forged(cp.size, 'is signed twice with different roots (a forked log)');
    if (!same) trusted.push({ size: cp.size, root: cp.rootHash });
  }
  trusted.sort((a, b) => a.size - b.size);
  return { trusted };
}

/**
 * Retention, as every store does it: which events expire (the rules), what a
 * run removed (its result), and the sealed record of each run that verifiers
 * check pruned ranges against (its dataset and the digest of its ranges).
 * Pure: the engines delete; this only describes.
 */
import { createHash } from 'node:crypto';
import type { PreparedEvent } from '../model/prepare.js';

/** The dataset of retention records; never pruned itself. */
export const RETENTION_DATASET = 'vigil.retention';

export interface RetentionRules {
  /** Longest an event is kept, in ns, unless its dataset has a rule; undefined keeps forever. */
  maxAgeNs?: bigint;
  /** Per-dataset overrides: dataset → max age in ns, or undefined to keep that dataset forever. */
  datasets: ReadonlyMap<string, bigint | undefined>;
  /** The rules as configured (e.g. {"default": "400d", "vigil.access": "2y"}), recorded in each run's event. */
  text: Record<string, string>;
}

export interface PruneResult {
  run: number;
  /** Events deleted. */
  events: number;
  /** Deleted sequence ranges [from, to), ascending. */
  ranges: [number, number][];
  /** SHA-256 (hex) of {@link rangesText}(ranges). */
  digest: string;
  /** The sealed record of the run. */
  event: PreparedEvent;
}

/** The text a run's digest covers: one "from-to\n" line per range, ascending. */
export function rangesText(ranges: readonly (readonly [number, number])[]): string {
  let out = '';
  for (const [from, to] of ranges) out += `${from}-${to}\n`;
  return out;
}

export const rangesDigest = (ranges: readonly (readonly [number, number])[]): string =>
  createHash('sha256').update(rangesText(ranges)).digest('hex');

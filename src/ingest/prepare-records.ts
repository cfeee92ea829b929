/**
 * The CPU-heavy half of ingest, with no I/O: validate each decoded record,
 * complete it (src/model/prepare.ts), drop excluded categories, and encode
 * what remains for the store. It runs on a decoding worker thread (see
 * prepare-pool.ts) or, where there is none, on the main thread; the result is
 * the same bytes either way.
 */
import { EventEncoder, type EncodedEvents } from '../model/encoded.js';
import type { AuditEvent } from '../model/event.js';
import { ingestedAt, prepareEvent } from '../model/prepare.js';
import { shapeError } from '../model/limits.js';
import { reservedDatasetError } from '../model/reserved.js';
import { validateEvent } from '../model/validate.js';
import { excludedBy } from '../policy/categories.js';
import type { RawRecord, RecordError } from './decode.js';

/** Records ready for validation: ECS objects with their origin, and what failed before. */
export interface DecodedRecords {
  /** May be lazy (a generator that fills `errors` and `dropped` as it goes). */
  records: Iterable<RawRecord>;
  errors: RecordError[];
  /** Records a policy dropped on purpose (not errors). */
  dropped?: number;
  /** Report accepted events per `event.module` (which format decoded them). */
  byFormat?: boolean;
}

export interface PrepareOptions {
  /** Keep going past invalid records (otherwise encoding stops at the first; all are still checked). */
  partial?: boolean;
  /** Lines and bytes before this body in its file, so errors name file positions. */
  lineBase?: number;
  offsetBase?: number;
}

export interface PrepareConfig {
  /** ECS categories never stored. */
  excludedCategories: ReadonlySet<string>;
  /** Whether to compute leaf hashes (the store seals). */
  sealing: boolean;
  /** `event.ingested` of the batch, ns since the epoch. */
  ingestedNs: bigint;
}

export interface PreparedBatch {
  events: EncodedEvents;
  /** Every problem, decoding and validation, by line. */
  errors: RecordError[];
  /** Events dropped by category exclusion, per excluded category. */
  excluded: Record<string, number>;
  /** Accepted events per `event.module`, when asked for. */
  byFormat?: Record<string, number>;
  dropped: number;
  /** The body's digest (body-digest.ts), when the caller asked for it. */
  bodyDigest?: string;
}

/** Records encoded between two turns of the event loop, when `pause` is given. */
const PAUSE_EVERY = 256;

/**
 * Prepares every record as the decoder yields it (a lazy decoder's parsed
 * objects thus die young). `pause`, on the main thread, lets the event loop
 * run now and then: a commit in progress waits for it between its steps.
 */
export async function prepareRecords(
  decoded: DecodedRecords,
  opts: PrepareOptions,
  config: PrepareConfig,
  pause?: () => Promise<void>,
): Promise<PreparedBatch> {
  const lineBase = opts.lineBase ?? 0;
  const offsetBase = opts.offsetBase ?? 0;
  const invalid: RecordError[] = [];
  const encoder = new EventEncoder(config.sealing);
  const ingested = ingestedAt(config.ingestedNs);
  const byFormat: Record<string, number> | undefined = decoded.byFormat ? {} : undefined;
  const excluded: Record<string, number> = {};
  let seen = 0;
  for (const r of decoded.records) {
    if (pause && ++seen % PAUSE_EVERY === 0) await pause();
    shift(r, lineBase, offsetBase);
    // Shape first: validation and completion walk the document recursively.
    const shape = shapeError(r.value);
    const problems = shape ? [shape] : validateEvent(r.value);
    const reserved = problems.length === 0 ? reservedDatasetError(r.value as AuditEvent) : undefined;
    if (reserved) problems.push(reserved);
    if (problems.length > 0) {
      for (const p of problems) invalid.push({ line: r.line, offset: r.offset, path: p.path, reason: p.reason, text: r.text });
      continue;
    }
    if (!opts.partial && (invalid.length > 0 || decoded.errors.length > 0)) continue;
    const p = prepareEvent(r.value as AuditEvent, ingested, r.text, r.derivedId);
    const hit = excludedBy(config.excludedCategories, p.category, p.dataset);
    if (hit !== undefined) {
      excluded[hit] = (excluded[hit] ?? 0) + 1;
      continue;
    }
    if (byFormat) byFormat[p.module ?? 'unknown'] = (byFormat[p.module ?? 'unknown'] ?? 0) + 1;
    encoder.add(p);
  }
  for (const e of decoded.errors) shift(e, lineBase, offsetBase);
  const errors = [...decoded.errors, ...invalid].sort((a, b) => a.line - b.line);
  return { events: encoder.finish(), errors, excluded, byFormat, dropped: decoded.dropped ?? 0 };
}

function shift(r: { line: number; offset: number }, lines: number, bytes: number): void {
  r.line += lines;
  if (r.offset >= 0) r.offset += bytes;
}

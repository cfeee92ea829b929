/**
 * The ingest path shared by every route and by `vigil ingest`: decode →
 * validate → complete (ECS defaults, id, summary) → encode → stage into the
 * store → group commit → answer. The CPU-heavy part (prepare-records.ts) runs
 * on decoding threads when there is a pool. A batch is all-or-nothing unless
 * the caller asks for partial acceptance; rejected records always go to the
 * dead-letter file with their original text.
 */
import type { AuditEvent } from '../model/event.js';
import { ingestedAt, prepareEvent } from '../model/prepare.js';
import { nowNs } from '../model/time.js';
import type { Accepted, IngestOutcome, Rejected } from '../model/ingest-result.js';
import type { IdempotencyRecord } from '../store/index.js';
import type { DeadLetter } from './dead-letter.js';
import type { Format } from '../formats/format.js';
import type { CompiledPolicy } from '../policy/k8s/evaluate.js';
import { bodyDigest } from './body-digest.js';
import type { RecordError } from './decode.js';
import { decodeKind } from './decode-kind.js';
import { FormatStream } from './format-decode.js';
import { BackpressureError, type GroupCommitter } from './group-commit.js';
import type { BodyKind, PreparePool } from './prepare-pool.js';
import { prepareRecords, type DecodedRecords, type PreparedBatch } from './prepare-records.js';

export type { DecodedRecords } from './prepare-records.js';
export type { IngestOutcome } from '../model/ingest-result.js';

export interface IngestObserver {
  accepted(n: number, source: string): void;
  rejected(n: number, source: string): void;
  /** Events dropped because their category is excluded. */
  excluded(category: string, n: number): void;
}

export interface IngestOptions {
  /** Where the body came from (route or file), named in errors and the dead-letter file. */
  source: string;
  /** Store the valid records of a batch that also has invalid ones. */
  partial?: boolean;
  idempotencyKey?: string;
  /**
   * The digest of the body the key came with, kept with the key so a reuse
   * with another body is refused (`key-reused`). Bodies the service decodes
   * (`ecs`, `k8s-eventlist`, `formatted`) have theirs taken here; a source
   * that decodes itself (`records`) passes it.
   */
  idempotencyDigest?: string;
  /**
   * Derives the idempotency key from the body instead: this prefix, then the
   * body's digest (body-digest.ts), computed on the decoding thread (bodies of
   * `ecs` and `k8s-eventlist` inputs only).
   */
  bodyKeyPrefix?: string;
  /** Lines and bytes before this body in its file, so errors name file positions. */
  lineBase?: number;
  offsetBase?: number;
}

/** What to ingest: a body the service decodes (ECS, a Kubernetes EventList, a named format), or records a source decoded itself. */
export type IngestInput =
  /** NDJSON or a JSON array of ECS events. */
  | { kind: 'ecs'; body: Buffer }
  /** A Kubernetes webhook body (an audit.k8s.io EventList), through the audit policy. */
  | { kind: 'k8s-eventlist'; body: Buffer }
  /** A body in a named input format (`app`, `auditd`, `auto`, …; `ecs` takes the direct path); `stream` carries multi-line records across the bodies of one file. */
  | { kind: 'formatted'; format: Format; body: Buffer; stream?: { decoder: FormatStream; last: boolean } }
  /** Records a source decoded itself (Loki push); `decode` runs only when the idempotency key is new. */
  | { kind: 'records'; decode: () => DecodedRecords | Promise<DecodedRecords> };

/** What store() comes to; duplicates and backpressure are decided around it. */
type Stored = Accepted | Rejected;

/** Most errors listed in one response; the dead-letter file has them all. */
const MAX_REPORTED_ERRORS = 100;

export interface IngestServiceConfig {
  maxRecordBytes: number;
  keepOriginal: boolean;
  /** Kubernetes audit policy for audit events that arrive as lines. */
  k8sPolicy?: CompiledPolicy;
  /** ECS categories never stored (resolved `exclude_categories`). */
  excludedCategories: ReadonlySet<string>;
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

export class IngestService {
  private readonly inflight = new Map<string, Promise<IngestOutcome>>();

  constructor(
    private readonly committer: GroupCommitter,
    private readonly lookupIdempotency: (key: string) => Promise<IdempotencyRecord | undefined>,
    private readonly deadLetter: DeadLetter,
    private readonly config: IngestServiceConfig,
    private readonly observer?: IngestObserver,
    /** Decoding threads; without them bodies are prepared on the calling thread. */
    private readonly pool?: PreparePool,
  ) {}

  /**
   * The one entry point of every source: decodes, stores and tells what came
   * of it (accepted, rejected, a duplicate of a committed request, or refused
   * for backpressure). A body that cannot be read at all throws IngestError.
   */
  async ingest(input: IngestInput, opts: IngestOptions): Promise<IngestOutcome> {
    try {
      return await this.dispatch(input, opts);
    } catch (err) {
      if (err instanceof BackpressureError) return { kind: 'backpressure', reason: err.message };
      throw err;
    }
  }

  private dispatch(input: IngestInput, opts: IngestOptions): Promise<IngestOutcome> {
    switch (input.kind) {
      case 'ecs':
      case 'k8s-eventlist':
        return this.run(() => this.prepareBody(input.kind, input.body, opts), opts, true);
      case 'formatted':
        if (input.format.name === 'ecs') return this.dispatch({ kind: 'ecs', body: input.body }, opts);
        // The digest on this thread: a keyed body in a named format is the rare case.
        return this.ingestFormatted(input, opts.idempotencyKey && !opts.idempotencyDigest ? { ...opts, idempotencyDigest: bodyDigest(input.body) } : opts);
      case 'records':
        return this.run(async () => prepareRecords(await input.decode(), opts, this.prepareConfig(), pause), opts);
    }
  }

  private ingestFormatted({ body, format, stream }: Extract<IngestInput, { kind: 'formatted' }>, opts: IngestOptions): Promise<IngestOutcome> {
    const decoder = stream?.decoder ?? new FormatStream(format);
    const decode = () => {
      const decoded = decoder.decode(body, {
        maxRecordBytes: this.config.maxRecordBytes,
        keepOriginal: this.config.keepOriginal,
        defaultTimeNs: nowNs(),
        k8sPolicy: this.config.k8sPolicy,
      }, stream?.last ?? true);
      return { ...decoded, byFormat: true };
    };
    return this.dispatch({ kind: 'records', decode }, opts);
  }

  /** Ingests already-parsed events (internal producers such as the access log). */
  async ingestEvents(events: AuditEvent[], source: string): Promise<number> {
    const ingested = ingestedAt(nowNs());
    const prepared = events.map((e) => prepareEvent(e, ingested));
    const first = await this.committer.submit({ events: prepared });
    this.observer?.accepted(prepared.length, source);
    return first;
  }

  private prepareConfig() {
    return { excludedCategories: this.config.excludedCategories, sealing: this.committer.sealing, ingestedNs: nowNs() };
  }

  private async prepareBody(kind: BodyKind, body: Buffer, opts: IngestOptions): Promise<PreparedBatch> {
    const { partial, lineBase, offsetBase } = opts;
    const digest = opts.bodyKeyPrefix !== undefined || opts.idempotencyKey !== undefined;
    if (this.pool) return this.pool.run(kind, body, { partial, lineBase, offsetBase }, nowNs(), digest);
    const batch = await prepareRecords(decodeKind(kind, body, this.config), opts, this.prepareConfig(), pause);
    if (digest) batch.bodyDigest = bodyDigest(body);
    return batch;
  }

  /**
   * Prepares and stores, unless the idempotency key was committed before
   * (then answers as the first time, or `key-reused` when the body differs).
   * `eager` (for stateless decoding only) prepares while the key is looked up.
   */
  private async run(prepare: () => Promise<PreparedBatch>, opts: IngestOptions, eager = false): Promise<IngestOutcome> {
    // Until this request reaches the committer, a commit round may wait a moment for it.
    const coming = this.committer.expect();
    try {
      return await this.runExpected(prepare, { ...opts, coming }, eager);
    } finally {
      coming();
    }
  }

  private async runExpected(prepare: () => Promise<PreparedBatch>, opts: IngestOptions & { coming: () => void }, eager: boolean): Promise<IngestOutcome> {
    if (opts.bodyKeyPrefix !== undefined) {
      // The key is known once the body is decoded (its digest comes back with it).
      const batch = await prepare();
      const key = opts.bodyKeyPrefix + batch.bodyDigest;
      return this.once(key, async () => duplicateOf(await this.lookupIdempotency(key)) ?? this.store(batch, { ...opts, idempotencyKey: key }));
    }
    const key = opts.idempotencyKey;
    if (!key) return this.store(await prepare(), opts);
    return this.once(key, async () => {
      if (!eager) {
        const previous = await this.lookupIdempotency(key);
        return previous ? resendOf(previous, opts.idempotencyDigest) : this.store(await prepare(), opts);
      }
      // The lookup and the decoding run side by side (a new key is the common
      // case); a committed key is answered from its record, the body's digest
      // telling a resend from a reuse.
      const [previous, prepared] = await Promise.allSettled([this.lookupIdempotency(key), prepare()]);
      if (previous.status === 'rejected') throw previous.reason;
      if (previous.value) return resendOf(previous.value, prepared.status === 'fulfilled' ? prepared.value.bodyDigest : undefined);
      if (prepared.status === 'rejected') throw prepared.reason;
      return this.store(prepared.value, opts);
    });
  }

  /**
   * Runs `job` for `key` once no other request with the same key is running:
   * a resend arriving while the first is being stored then finds its key
   * committed (and its digest), instead of storing twice.
   */
  private async once(key: string, job: () => Promise<IngestOutcome>): Promise<IngestOutcome> {
    for (let running = this.inflight.get(key); running; running = this.inflight.get(key)) await running.catch(() => undefined);
    const started = job();
    this.inflight.set(key, started);
    try {
      return await started;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async store(batch: PreparedBatch, opts: IngestOptions & { coming: () => void }): Promise<Stored> {
    const { errors } = batch;
    const rejectedLines = new Set(errors.map((e) => e.line)).size;
    if (rejectedLines > 0) {
      await this.deadLetter.write(errorsForDeadLetter(errors, opts.source));
      this.observer?.rejected(rejectedLines, opts.source);
    }
    const reported = errors.slice(0, MAX_REPORTED_ERRORS).map(({ text: _t, ...rest }) => rest);
    if (rejectedLines > 0 && !opts.partial) {
      return { kind: 'rejected', rejected: rejectedLines, errors: reported };
    }
    // Counted only for a batch that is stored: a rejected one stores nothing, and how far its
    // records got before the first error depends on how far ahead the decoder parsed.
    for (const [category, n] of Object.entries(batch.excluded)) this.observer?.excluded(category, n);
    const count = batch.events.count;
    const result: Accepted = { kind: 'accepted', accepted: count };
    if (batch.dropped) result.dropped = batch.dropped;
    if (batch.byFormat) result.byFormat = batch.byFormat;
    const excluded = Object.values(batch.excluded).reduce((a, b) => a + b, 0);
    if (excluded > 0) result.excluded = excluded;
    if (rejectedLines > 0) Object.assign(result, { rejected: rejectedLines, errors: reported });
    const key = opts.idempotencyKey;
    if (count > 0 || key) {
      const digest = batch.bodyDigest ?? opts.idempotencyDigest;
      const committed = this.committer.submit({ events: this.committer.stage(batch.events), idempotency: key ? { key, result: { ...result }, digest } : undefined });
      opts.coming();
      const first = await committed;
      if (count > 0) result.firstSeq = first;
    }
    this.observer?.accepted(count, opts.source);
    return result;
  }
}

const duplicateOf = (previous: IdempotencyRecord | undefined): IngestOutcome | undefined => previous && resendOf(previous, undefined);

/** A committed key's answer: the first result, unless this body's digest differs from the one recorded with it. */
function resendOf({ digest: recorded, ...of }: IdempotencyRecord, digest: string | undefined): IngestOutcome {
  if (recorded !== undefined && digest !== undefined && recorded !== digest) return { kind: 'key-reused' };
  return { kind: 'duplicate', of };
}

/** One dead-letter entry per rejected record, its reasons joined. */
function errorsForDeadLetter(errors: RecordError[], source: string) {
  const byLine = new Map<number, RecordError & { source: string }>();
  for (const e of errors) {
    const seen = byLine.get(e.line);
    const reason = e.path ? `${e.path}: ${e.reason}` : e.reason;
    if (seen) seen.reason += `; ${reason}`;
    else byLine.set(e.line, { ...e, path: e.path, reason, source });
  }
  return [...byLine.values()];
}

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
import type { IdempotentResult } from '../store/store.js';
import type { DeadLetter } from './dead-letter.js';
import type { Format } from '../formats/format.js';
import type { CompiledPolicy } from '../policy/k8s/evaluate.js';
import { bodyDigest } from './body-digest.js';
import type { RecordError } from './decode.js';
import { decodeKind } from './decode-kind.js';
import { FormatStream } from './format-decode.js';
import type { GroupCommitter } from './group-commit.js';
import type { BodyKind, PreparePool } from './prepare-pool.js';
import { prepareRecords, type DecodedRecords, type PreparedBatch } from './prepare-records.js';

export type { DecodedRecords } from './prepare-records.js';

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
   * Derives the idempotency key from the body instead: this prefix, then the
   * body's digest (body-digest.ts), computed on the decoding thread (bodies of
   * ingestBody and ingestEventList only).
   */
  bodyKeyPrefix?: string;
  /** Lines and bytes before this body in its file, so errors name file positions. */
  lineBase?: number;
  offsetBase?: number;
}

export interface IngestResult extends IdempotentResult {
  body: {
    accepted: number;
    /** Dropped by an audit policy (Kubernetes). */
    dropped?: number;
    /** Dropped by category exclusion. */
    excluded?: number;
    rejected?: number;
    errors?: Omit<RecordError, 'text'>[];
    /** Accepted events per format (`event.module`); `generic` counts lines no format recognised. */
    by_format?: Record<string, number>;
  };
}

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
  private readonly inflight = new Map<string, Promise<IngestResult>>();

  constructor(
    private readonly committer: GroupCommitter,
    private readonly lookupIdempotency: (key: string) => Promise<IdempotentResult | undefined>,
    private readonly deadLetter: DeadLetter,
    private readonly config: IngestServiceConfig,
    private readonly observer?: IngestObserver,
    /** Decoding threads; without them bodies are prepared on the calling thread. */
    private readonly pool?: PreparePool,
  ) {}

  /** Ingests an NDJSON or JSON-array body of ECS events. */
  ingestBody(body: Buffer, opts: IngestOptions): Promise<IngestResult> {
    return this.run(() => this.prepareBody('ecs', body, opts), opts, true);
  }

  /** Ingests a Kubernetes webhook body (an audit.k8s.io EventList), through the audit policy. */
  ingestEventList(body: Buffer, opts: IngestOptions): Promise<IngestResult> {
    return this.run(() => this.prepareBody('k8s-eventlist', body, opts), opts, true);
  }

  /**
   * Ingests a body in a named input format (`app`, `auditd`, `auto`, …);
   * `ecs` takes the direct path (NDJSON or a JSON array of ECS events).
   */
  ingestFormatted(body: Buffer, format: Format, opts: IngestOptions, stream?: { decoder: FormatStream; last: boolean }): Promise<IngestResult> {
    if (format.name === 'ecs') return this.ingestBody(body, opts);
    const decoder = stream?.decoder ?? new FormatStream(format);
    return this.ingest(() => {
      const decoded = decoder.decode(body, {
        maxRecordBytes: this.config.maxRecordBytes,
        keepOriginal: this.config.keepOriginal,
        defaultTimeNs: nowNs(),
        k8sPolicy: this.config.k8sPolicy,
      }, stream?.last ?? true);
      return { ...decoded, byFormat: true };
    }, opts);
  }

  /**
   * Ingests records a source decoded itself (a format decoder, Loki push).
   * `decode` runs only when the idempotency key is new.
   */
  ingest(decode: () => DecodedRecords | Promise<DecodedRecords>, opts: IngestOptions): Promise<IngestResult> {
    return this.run(async () => prepareRecords(await decode(), opts, this.prepareConfig(), pause), opts);
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
    const digest = opts.bodyKeyPrefix !== undefined;
    if (this.pool) return this.pool.run(kind, body, { partial, lineBase, offsetBase }, nowNs(), digest);
    const batch = await prepareRecords(decodeKind(kind, body, this.config), opts, this.prepareConfig(), pause);
    if (digest) batch.bodyDigest = bodyDigest(body);
    return batch;
  }

  /**
   * Prepares and stores, unless the idempotency key was committed before
   * (then answers as the first time). `eager` (for stateless decoding only)
   * prepares while the key is looked up.
   */
  private async run(prepare: () => Promise<PreparedBatch>, opts: IngestOptions, eager = false): Promise<IngestResult> {
    // Until this request reaches the committer, a commit round may wait a moment for it.
    const coming = this.committer.expect();
    try {
      return await this.runExpected(prepare, { ...opts, coming }, eager);
    } finally {
      coming();
    }
  }

  private async runExpected(prepare: () => Promise<PreparedBatch>, opts: IngestOptions & { coming: () => void }, eager: boolean): Promise<IngestResult> {
    if (opts.bodyKeyPrefix !== undefined) {
      // The key is known once the body is decoded (its digest comes back with it).
      const batch = await prepare();
      const key = opts.bodyKeyPrefix + batch.bodyDigest;
      return this.once(key, async () => ((await this.lookupIdempotency(key)) as IngestResult | undefined) ?? this.store(batch, { ...opts, idempotencyKey: key }));
    }
    const key = opts.idempotencyKey;
    if (!key) return this.store(await prepare(), opts);
    return this.once(key, async () => {
      if (!eager) {
        const previous = await this.lookupIdempotency(key);
        return previous ? (previous as IngestResult) : this.store(await prepare(), opts);
      }
      // The lookup and the decoding run side by side (a new key is the common
      // case); a key already committed wins, whatever its body decodes to.
      const [previous, prepared] = await Promise.allSettled([this.lookupIdempotency(key), prepare()]);
      if (previous.status === 'rejected') throw previous.reason;
      if (previous.value) return previous.value as IngestResult;
      if (prepared.status === 'rejected') throw prepared.reason;
      return this.store(prepared.value, opts);
    });
  }

  /** Runs `job` for `key` unless a request with the same key is running: then answers as that one does. */
  private async once(key: string, job: () => Promise<IngestResult>): Promise<IngestResult> {
    const running = this.inflight.get(key);
    if (running) return running;
    const started = job();
    this.inflight.set(key, started);
    try {
      return await started;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async store(batch: PreparedBatch, opts: IngestOptions & { coming: () => void }): Promise<IngestResult> {
    const { errors } = batch;
    const rejectedLines = new Set(errors.map((e) => e.line)).size;
    if (rejectedLines > 0) {
      await this.deadLetter.write(errorsForDeadLetter(errors, opts.source));
      this.observer?.rejected(rejectedLines, opts.source);
    }
    const reported = errors.slice(0, MAX_REPORTED_ERRORS).map(({ text: _t, ...rest }) => rest);
    if (rejectedLines > 0 && !opts.partial) {
      return { status: 400, body: { accepted: 0, rejected: rejectedLines, errors: reported } };
    }
    // Counted only for a batch that is stored: a rejected one stores nothing, and how far its
    // records got before the first error depends on how far ahead the decoder parsed.
    for (const [category, n] of Object.entries(batch.excluded)) this.observer?.excluded(category, n);
    const count = batch.events.count;
    const result: IngestResult = { status: 200, body: { accepted: count } };
    if (batch.dropped) result.body.dropped = batch.dropped;
    if (batch.byFormat) result.body.by_format = batch.byFormat;
    const excluded = Object.values(batch.excluded).reduce((a, b) => a + b, 0);
    if (excluded > 0) result.body.excluded = excluded;
    if (rejectedLines > 0) Object.assign(result.body, { rejected: rejectedLines, errors: reported });
    const idempotency = opts.idempotencyKey ? { key: opts.idempotencyKey, result } : undefined;
    if (count > 0 || idempotency) {
      const committed = this.committer.submit({ events: this.committer.stage(batch.events), idempotency });
      opts.coming();
      await committed;
    }
    this.observer?.accepted(count, opts.source);
    return result;
  }
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

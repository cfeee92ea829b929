/**
 * The ingest path shared by every route and by `vigil ingest`: decode →
 * validate → complete (ECS defaults, id, summary) → group commit → answer.
 * A batch is all-or-nothing unless the caller asks for partial acceptance;
 * rejected records always go to the dead-letter file with their original text.
 */
import type { AuditEvent } from '../model/event.js';
import { ingestedAt, prepareEvent, type PreparedEvent } from '../model/prepare.js';
import { nowNs } from '../model/time.js';
import { validateEvent } from '../model/validate.js';
import { isExcluded } from '../policy/categories.js';
import type { IdempotentResult } from '../store/store.js';
import type { DeadLetter } from './dead-letter.js';
import type { Format } from '../formats/format.js';
import type { CompiledPolicy } from '../policy/k8s/evaluate.js';
import { decodeBody, type RawRecord, type RecordError } from './decode.js';
import { FormatStream } from './format-decode.js';
import type { GroupCommitter } from './group-commit.js';

export interface IngestObserver {
  accepted(n: number, source: string): void;
  rejected(n: number, source: string): void;
  /** Events dropped because their category is excluded. */
  excluded(category: string): void;
}

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

export interface IngestOptions {
  /** Where the body came from (route or file), named in errors and the dead-letter file. */
  source: string;
  /** Store the valid records of a batch that also has invalid ones. */
  partial?: boolean;
  idempotencyKey?: string;
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

/** Records staged between two turns of the event loop. */
const YIELD_EVERY = 256;

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

export class IngestService {
  private readonly inflight = new Map<string, Promise<IngestResult>>();

  constructor(
    private readonly committer: GroupCommitter,
    private readonly lookupIdempotency: (key: string) => Promise<IdempotentResult | undefined>,
    private readonly deadLetter: DeadLetter,
    private readonly config: IngestServiceConfig,
    private readonly observer?: IngestObserver,
  ) {}

  /** Ingests an NDJSON or JSON-array body of ECS events. */
  ingestBody(body: Buffer, opts: IngestOptions): Promise<IngestResult> {
    return this.ingest(() => decodeBody(body, this.config.maxRecordBytes), opts);
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
   * Ingests records a source decoded itself (a format decoder, the Kubernetes
   * webhook). `decode` runs only when the idempotency key is new.
   */
  async ingest(decode: () => DecodedRecords | Promise<DecodedRecords>, opts: IngestOptions): Promise<IngestResult> {
    const key = opts.idempotencyKey;
    if (!key) return this.store(await decode(), opts);
    const running = this.inflight.get(key);
    if (running) return running;
    const job = (async () => {
      const previous = await this.lookupIdempotency(key);
      return previous ? (previous as IngestResult) : this.store(await decode(), opts);
    })();
    this.inflight.set(key, job);
    try {
      return await job;
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Whether an event is dropped by category exclusion (and counts it if so). */
  private isExcluded(p: PreparedEvent): boolean {
    if (!isExcluded(this.config.excludedCategories, p.category, p.dataset)) return false;
    const hit = p.category!.find((c) => this.config.excludedCategories.has(c)) ?? p.category![0];
    this.observer?.excluded(hit);
    return true;
  }

  /** Ingests already-parsed events (internal producers such as the access log). */
  async ingestEvents(events: AuditEvent[], source: string): Promise<number> {
    const ingested = ingestedAt(nowNs());
    const prepared = events.map((e) => prepareEvent(e, ingested));
    const first = await this.committer.submit({ events: prepared });
    this.observer?.accepted(prepared.length, source);
    return first;
  }

  /**
   * Validates, completes and stages each record as the decoder yields it (so
   * parsed objects die young), then commits the batch. With `partial` off,
   * staging stops at the first error, but every record is still checked so
   * the answer lists all errors.
   */
  private async store(decoded: DecodedRecords, opts: IngestOptions): Promise<IngestResult> {
    const lineBase = opts.lineBase ?? 0;
    const offsetBase = opts.offsetBase ?? 0;
    const invalid: RecordError[] = [];
    const stager = this.committer.stager();
    const ingested = ingestedAt(nowNs());
    const byFormat: Record<string, number> | undefined = decoded.byFormat ? {} : undefined;
    let excluded = 0;
    let seen = 0;
    for (const r of decoded.records) {
      // Let the event loop run now and then: a commit in progress waits for
      // it between its steps, so a long body must not hold it up.
      if (++seen % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      shift(r, lineBase, offsetBase);
      const problems = validateEvent(r.value);
      if (problems.length > 0) {
        for (const p of problems) invalid.push({ line: r.line, offset: r.offset, path: p.path, reason: p.reason, text: r.text });
        continue;
      }
      if (!opts.partial && (invalid.length > 0 || decoded.errors.length > 0)) continue;
      const p = prepareEvent(r.value as AuditEvent, ingested, r.text);
      if (this.isExcluded(p)) {
        excluded++;
        continue;
      }
      if (byFormat) byFormat[p.module ?? 'unknown'] = (byFormat[p.module ?? 'unknown'] ?? 0) + 1;
      stager.add(p);
    }
    for (const e of decoded.errors) shift(e, lineBase, offsetBase);
    const errors = [...decoded.errors, ...invalid].sort((a, b) => a.line - b.line);
    const rejectedLines = new Set(errors.map((e) => e.line)).size;
    if (rejectedLines > 0) {
      await this.deadLetter.write(errorsForDeadLetter(errors, opts.source));
      this.observer?.rejected(rejectedLines, opts.source);
    }
    const reported = errors.slice(0, MAX_REPORTED_ERRORS).map(({ text: _t, ...rest }) => rest);
    if (rejectedLines > 0 && !opts.partial) {
      return { status: 400, body: { accepted: 0, rejected: rejectedLines, errors: reported } };
    }
    const staged = stager.finish();
    const result: IngestResult = { status: 200, body: { accepted: staged.count } };
    if (decoded.dropped) result.body.dropped = decoded.dropped;
    if (byFormat) result.body.by_format = byFormat;
    if (excluded > 0) result.body.excluded = excluded;
    if (rejectedLines > 0) Object.assign(result.body, { rejected: rejectedLines, errors: reported });
    const idempotency = opts.idempotencyKey ? { key: opts.idempotencyKey, result } : undefined;
    if (staged.count > 0 || idempotency) {
      await this.committer.submit({ events: staged, idempotency });
    }
    this.observer?.accepted(staged.count, opts.source);
    return result;
  }
}

function shift(r: { line: number; offset: number }, lines: number, bytes: number): void {
  r.line += lines;
  if (r.offset >= 0) r.offset += bytes;
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

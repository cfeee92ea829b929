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
  records: RawRecord[];
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
    return this.ingest(() => {
      const decoded = decodeBody(body, this.config.maxRecordBytes);
      shift(decoded.records, decoded.errors, opts.lineBase ?? 0, opts.offsetBase ?? 0);
      return decoded;
    }, opts);
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
      shift(decoded.records, decoded.errors, opts.lineBase ?? 0, opts.offsetBase ?? 0);
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

  private async store({ records, errors, dropped = 0, byFormat }: DecodedRecords, opts: IngestOptions): Promise<IngestResult> {
    const prepared: PreparedEvent[] = [];
    const ingested = ingestedAt(nowNs());
    let excluded = 0;
    for (const r of records) {
      const problems = validateEvent(r.value);
      if (problems.length === 0) {
        const p = prepareEvent(r.value as AuditEvent, ingested, r.text);
        if (this.isExcluded(p)) excluded++;
        else prepared.push(p);
      } else {
        for (const p of problems) errors.push({ line: r.line, offset: r.offset, path: p.path, reason: p.reason, text: r.text });
      }
    }
    errors.sort((a, b) => a.line - b.line);
    const rejectedLines = new Set(errors.map((e) => e.line)).size;
    if (rejectedLines > 0) {
      await this.deadLetter.write(errorsForDeadLetter(errors, opts.source));
      this.observer?.rejected(rejectedLines, opts.source);
    }
    const reported = errors.slice(0, MAX_REPORTED_ERRORS).map(({ text: _t, ...rest }) => rest);
    if (rejectedLines > 0 && !opts.partial) {
      return { status: 400, body: { accepted: 0, rejected: rejectedLines, errors: reported } };
    }
    const result: IngestResult = { status: 200, body: { accepted: prepared.length } };
    if (dropped > 0) result.body.dropped = dropped;
    if (byFormat) {
      const counts: Record<string, number> = {};
      for (const p of prepared) {
        const m = p.event.event?.module ?? 'unknown';
        counts[m] = (counts[m] ?? 0) + 1;
      }
      result.body.by_format = counts;
    }
    if (excluded > 0) result.body.excluded = excluded;
    if (rejectedLines > 0) Object.assign(result.body, { rejected: rejectedLines, errors: reported });
    const idempotency = opts.idempotencyKey ? { key: opts.idempotencyKey, result } : undefined;
    if (prepared.length > 0 || idempotency) {
      await this.committer.submit({ events: prepared, idempotency });
    }
    this.observer?.accepted(prepared.length, opts.source);
    return result;
  }
}

function shift(records: { line: number; offset: number }[], errors: RecordError[], lines: number, bytes: number): void {
  if (lines === 0 && bytes === 0) return;
  for (const r of [...records, ...errors]) {
    r.line += lines;
    if (r.offset >= 0) r.offset += bytes;
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

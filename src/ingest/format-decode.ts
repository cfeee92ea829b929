/**
 * Decodes a body with a named input format (`app`, `auditd`, `auto`, …) into
 * ECS records for the ingest service: every line goes through the format's
 * decoder; a line it cannot decode becomes a positioned error. Each record's
 * text is its original input (for auditd, the event's lines).
 */
import type { DecodeOptions, Format, LineDecoder } from '../formats/format.js';
import { FormatError } from '../formats/format.js';
import type { AuditEvent } from '../model/event.js';
import type { CompiledPolicy } from '../policy/k8s/evaluate.js';
import { filterAuditLine } from '../policy/k8s/line-filter.js';
import { bodyLines, type RawRecord, type RecordError } from './decode.js';
import type { DecodedRecords } from './prepare-records.js';

export interface FormatDecodeOptions {
  maxRecordBytes: number;
  keepOriginal: boolean;
  /** Time for lines that carry none (the `generic` fallback): the transport's, else ingestion's. */
  defaultTimeNs: bigint;
  /** Kubernetes audit policy, applied to audit-event lines before they are decoded. */
  k8sPolicy?: CompiledPolicy;
}

/** A format's records are decoded eagerly (multi-line events complete out of order, so they are sorted). */
export interface FormatDecoded extends DecodedRecords {
  records: RawRecord[];
}

/**
 * A decoder kept across the bodies of one stream (a file read in batches),
 * so a multi-line record (an auditd event) cut by a batch boundary is still
 * assembled whole. Events still open stay in the decoder until the last body.
 */
export class FormatStream {
  private decoder: LineDecoder | undefined;

  constructor(readonly format: Format) {}

  decode(body: Buffer, opts: FormatDecodeOptions, last: boolean): FormatDecoded {
    this.decoder ??= this.format.createDecoder({ keepOriginal: opts.keepOriginal, defaultTimeNs: opts.defaultTimeNs } as DecodeOptions);
    return decodeLines(this.decoder, body, opts, last);
  }
}

/** Decodes one whole body with a fresh decoder. */
export function decodeWithFormat(format: Format, body: Buffer, opts: FormatDecodeOptions): FormatDecoded {
  return new FormatStream(format).decode(body, opts, true);
}

function decodeLines(decoder: LineDecoder, body: Buffer, opts: FormatDecodeOptions, last: boolean): FormatDecoded {
  const records: RawRecord[] = [];
  const errors: RecordError[] = [];
  let dropped = 0;
  const take = (events: ReturnType<typeof decoder.push>) => {
    for (const d of events) {
      const original = (d.event as AuditEvent).event?.original;
      records.push({ line: d.position.line, offset: d.position.offset, text: original ?? JSON.stringify(d.event), value: d.event });
    }
  };
  for (const l of bodyLines(body, opts.maxRecordBytes)) {
    if (l.error !== undefined) {
      errors.push({ line: l.line, offset: l.offset, path: '', reason: l.error, text: l.text });
      continue;
    }
    let text: string | null = l.text;
    if (opts.k8sPolicy) {
      const filtered = filterAuditLine(opts.k8sPolicy, l.text);
      dropped += filtered.dropped;
      text = filtered.text;
      if (text === null) continue;
    }
    try {
      take(decoder.push(text, { line: l.line, offset: l.offset }));
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      errors.push({ line: l.line, offset: l.offset, path: err.path, reason: err.reason, text: l.text });
    }
  }
  if (last) {
    try {
      take(decoder.flush());
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      errors.push({ line: 0, offset: -1, path: err.path, reason: err.reason, text: '' });
    }
  }
  records.sort((a, b) => a.line - b.line);
  return { records, errors, dropped };
}

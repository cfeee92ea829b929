/**
 * The contract every input format implements. A format is a pure decoder +
 * normalizer: text in, ECS events out, no I/O and no clock (the caller passes
 * the ingest time). Formats are line-oriented so they can stream; a format
 * whose records span lines (auditd) keeps state in its decoder and hands back
 * events as they complete.
 */
import type { AuditEvent } from '../model/event.js';

/** Where a record came from, for error messages and the dead-letter file. */
export interface RecordPosition {
  /** 1-based line number in its source. */
  line: number;
  /** Byte offset of the line's first byte in its source. */
  offset: number;
}

/** Bad input: the decoder's only error type. `path` is a field path inside the record when known. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly reason: string,
    readonly path = '',
  ) {
    super(path ? `${path}: ${reason}` : reason);
  }
}

export interface DecodeOptions {
  /** Keep the input record in `event.original` (default true). */
  keepOriginal: boolean;
}

/** A decoded event and the input lines it came from (several for auditd). */
export interface Decoded {
  event: AuditEvent;
  /** Position of the first line of the record. */
  position: RecordPosition;
}

export interface LineDecoder {
  /**
   * Feeds one line (without its line terminator). Returns the events this
   * line completed, possibly none (a multi-line record still open) or several
   * (an EventList). Throws FormatError for a line that cannot be decoded;
   * the decoder stays usable for the next line.
   */
  push(line: string, pos: RecordPosition): Decoded[];
  /**
   * Returns the events still open, as they are. Called at the end of input,
   * and by streaming sources when `pendingSince()` is older than their timeout.
   */
  flush(): Decoded[];
}

export interface Format {
  /** Registered name: `app`, `gdch-proxy`, `kubernetes-audit`, `auditd`, `ecs`, `generic`. */
  readonly name: string;
  /** Cheap check whether a line looks like this format (used by `auto`, per line). */
  detect(line: string): boolean;
  createDecoder(opts: DecodeOptions): LineDecoder;
}

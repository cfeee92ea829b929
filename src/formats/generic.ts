/**
 * `generic`: the fallback for lines of no known format. Each non-blank line
 * becomes one event that keeps the line whole, as `message` and (unless
 * `keepOriginal` is off) `event.original`; nothing is parsed out of it.
 *
 * Such a line has no time of its own that Vigil can trust, and a format has no
 * clock, so the caller says which time to use (see GenericOptions):
 * the transport's receive time when it knows one, else its ingest time.
 */
import type { AuditEvent } from '../model/event.js';
import { formatNs } from '../model/time.js';
import { cleanLine, ECS_VERSION } from './common.js';
import { FormatError, type DecodeOptions, type Decoded, type Format, type LineDecoder, type RecordPosition } from './format.js';

/** Decode options of formats that may need a time from outside the record (`generic`, `auto`). */
export interface TimeOptions {
  /**
   * When the transport received the input, in nanoseconds since the Unix
   * epoch (the HTTP request, the syslog datagram, the file's read time). Used
   * first when set.
   */
  transportTimeNs?: bigint;
  /**
   * The caller's ingest time ("now"), in nanoseconds since the Unix epoch,
   * used when no transport time is set. A function is called once per record:
   * a long-running stream passes its clock here, so formats stay clock-free.
   */
  defaultTimeNs?: bigint | (() => bigint);
}

export type GenericOptions = DecodeOptions & TimeOptions;

/** Whether `opts` can time a record (either time option set). */
export function hasTime(opts: DecodeOptions): boolean {
  const o = opts as GenericOptions;
  return o.transportTimeNs !== undefined || o.defaultTimeNs !== undefined;
}

function timeOf(opts: GenericOptions): string {
  const d = opts.defaultTimeNs;
  const ns = opts.transportTimeNs ?? (typeof d === 'function' ? d() : d);
  if (ns === undefined) throw new FormatError('a line of no known format needs transportTimeNs or defaultTimeNs to be timed');
  if (ns < 0n || ns > 253402300799999999999n) throw new FormatError(`time ${ns} ns is outside 1970–9999`);
  return formatNs(ns, 9);
}

/** The generic event for one line (`line` without its terminator, not blank). */
export function genericEvent(line: string, opts: GenericOptions, error?: { format: string; reason: string }): AuditEvent {
  const ev: Record<string, unknown> = { kind: 'event', module: 'generic', dataset: 'generic.log', outcome: 'unknown' };
  if (opts.keepOriginal) ev.original = line;
  const e: Record<string, unknown> = { '@timestamp': timeOf(opts), message: line, ecs: { version: ECS_VERSION }, event: ev };
  // Under `auto`: the line looked like `format` but was rejected; it is kept whole, with the reason.
  if (error) e.error = { type: 'FormatError', message: `${error.format}: ${error.reason}` };
  return e as AuditEvent;
}

/** A generic LineDecoder; `auto` uses it for its fallback lines. */
export function genericDecoder(opts: GenericOptions): LineDecoder {
  return {
    push(raw: string, pos: RecordPosition): Decoded[] {
      const line = cleanLine(raw);
      if (line === undefined) return [];
      return [{ event: genericEvent(line, opts), position: pos }];
    },
    flush: () => [],
  };
}

export const genericFormat: Format = {
  name: 'generic',
  detect: () => true,
  /** Throws a TypeError when neither time option is given: every line would need one. */
  createDecoder(opts: DecodeOptions): LineDecoder {
    if (!hasTime(opts)) {
      throw new TypeError('the generic format needs a time for its lines: pass transportTimeNs or defaultTimeNs in the decode options');
    }
    return genericDecoder(opts as GenericOptions);
  },
};

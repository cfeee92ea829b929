/**
 * Splits an ingest body into JSON records: NDJSON (one object a line) or one
 * JSON array of objects. Each record keeps where it came from (1-based line,
 * byte offset) and its original bytes, so errors can name the place and the
 * dead-letter file can keep the input exactly.
 */
import { contentIds } from '../model/event-id.js';
import { shapeError } from '../model/limits.js';
import { bodyUtf8Error, invalidUtf8At, invalidUtf8Reason } from './utf8.js';

export interface RawRecord {
  /** 1-based line number (NDJSON) or 1-based position in the array. */
  line: number;
  /** Byte offset of the record in the (decompressed) body; -1 inside a JSON array. */
  offset: number;
  /** The record's original text. */
  text: string;
  value: unknown;
  /** The id derived from `text` (see contentId), when the decoder computed it for a record without `event.id`. */
  derivedId?: string;
}

export interface RecordError {
  line: number;
  offset: number;
  /** Field path inside the record (`event.outcome`), empty for the record as a whole. */
  path: string;
  reason: string;
  /** Original text of the record, for the dead-letter file. */
  text: string;
  /** The original bytes, when the text cannot hold them exactly (not UTF-8): the dead-letter file keeps them in base64. */
  bytes?: Uint8Array;
}

export interface DecodedBody {
  /** For NDJSON, read lazily, a block of lines at a time: a block is parsed as the consumer reaches it, and its errors are added to `errors` then. */
  records: Iterable<RawRecord>;
  errors: RecordError[];
}

/** Reads a body that is NDJSON or a JSON array (told apart by its first non-blank character). */
export function decodeBody(body: Buffer, maxRecordBytes: number): DecodedBody {
  let start = 0;
  while (start < body.length && (body[start] === 0x20 || body[start] === 0x0a || body[start] === 0x0d || body[start] === 0x09)) start++;
  if (body[start] === 0x5b /* [ */) return decodeArray(body);
  return decodeNdjson(body, maxRecordBytes);
}

function decodeArray(body: Buffer): DecodedBody {
  const text = body.toString('utf8');
  const notUtf8 = bodyUtf8Error(body, text);
  if (notUtf8) return { records: [], errors: [notUtf8] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { records: [], errors: [{ line: 1, offset: 0, path: '', reason: `invalid JSON: ${(err as Error).message}`, text }] };
  }
  if (!Array.isArray(parsed)) {
    return { records: [], errors: [{ line: 1, offset: 0, path: '', reason: 'expected a JSON array of events', text }] };
  }
  return {
    // An element that cannot be written back as it came (too deep, a number past a double's range) keeps the whole body as its text.
    records: parsed.map((value, i) => ({ line: i + 1, offset: -1, text: shapeError(value) ? text : JSON.stringify(value), value })),
    errors: [],
  };
}

/** One non-blank line of a body, or why it cannot be read as text (with its bytes when they are not UTF-8). */
export type BodyLine =
  | { line: number; offset: number; end: number; text: string; error?: undefined }
  | { line: number; offset: number; end: number; text: string; error: string; bytes?: Uint8Array };

/**
 * Splits a body into its non-blank lines (LF or CRLF), with 1-based line
 * numbers and byte offsets, flagging lines over the size limit or not UTF-8.
 */
export function* bodyLines(body: Buffer, maxRecordBytes: number): Generator<BodyLine> {
  let line = 0;
  let pos = 0;
  while (pos < body.length) {
    let end = body.indexOf(0x0a, pos);
    if (end === -1) end = body.length;
    line++;
    let stop = end;
    if (stop > pos && body[stop - 1] === 0x0d) stop--;
    const bytes = stop - pos;
    if (bytes > 0 && !isBlank(body, pos, stop)) {
      if (bytes > maxRecordBytes) {
        // Kept whole: the dead-letter file keeps the original bytes.
        const text = body.subarray(pos, stop).toString('utf8');
        yield { line, offset: pos, end: stop, text, error: `record of ${bytes} bytes exceeds the limit of ${maxRecordBytes} bytes` };
      } else {
        const slice = body.subarray(pos, stop);
        const text = slice.toString('utf8');
        const bad = text.includes('\ufffd') ? invalidUtf8At(body, pos, stop) : -1;
        if (bad >= 0) yield { line, offset: pos, end: stop, text, error: invalidUtf8Reason(bad), bytes: Uint8Array.from(slice) };
        else yield { line, offset: pos, end: stop, text };
      }
    }
    pos = end + 1;
  }
}

/** Lines parsed ahead of the consumer, so the ids of those without one are hashed together. */
const BLOCK = 64;

/**
 * Lazy, a block of lines at a time, so that the ingest service validates,
 * completes and stages each record soon after it is parsed, and the parsed
 * objects die young.
 */
function decodeNdjson(body: Buffer, maxRecordBytes: number): DecodedBody {
  const errors: RecordError[] = [];
  function* records(): Generator<RawRecord> {
    const block: RawRecord[] = [];
    const starts = new Uint32Array(BLOCK);
    const ends = new Uint32Array(BLOCK);
    const unnamed: RawRecord[] = [];
    for (const l of bodyLines(body, maxRecordBytes)) {
      if (l.error !== undefined) {
        errors.push({ line: l.line, offset: l.offset, path: '', reason: l.error, text: l.text, ...(l.bytes ? { bytes: l.bytes } : {}) });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(l.text);
      } catch (err) {
        errors.push({ line: l.line, offset: l.offset, path: '', reason: `invalid JSON: ${(err as Error).message}`, text: l.text });
        continue;
      }
      const r: RawRecord = { line: l.line, offset: l.offset, text: l.text, value };
      if (lacksId(value)) {
        starts[unnamed.length] = l.offset;
        ends[unnamed.length] = l.end;
        unnamed.push(r);
      }
      block.push(r);
      if (block.length === BLOCK) {
        yield* withDerivedIds(block, unnamed, starts, ends);
      }
    }
    yield* withDerivedIds(block, unnamed, starts, ends);
  }
  // Hashes the ids of the block's records that lack one, then hands the block on.
  function* withDerivedIds(block: RawRecord[], unnamed: RawRecord[], starts: Uint32Array, ends: Uint32Array): Generator<RawRecord> {
    const ids = contentIds(body, starts, ends, unnamed.length);
    unnamed.forEach((r, i) => (r.derivedId = ids[i]));
    yield* block;
    block.length = 0;
    unnamed.length = 0;
  }
  return { records: records(), errors };
}

/** Whether a parsed record is an object without `event.id` (others either have one or fail validation). */
function lacksId(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const ev = (v as { event?: unknown }).event;
  return ev === undefined || (typeof ev === 'object' && ev !== null && (ev as { id?: unknown }).id === undefined);
}

function isBlank(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * Loki push bodies (src/sources/loki-push.ts): JSON or a raw-block snappy
 * `logproto.PushRequest`, parsed into streams, and the streams decoded into
 * records for the ingest service (each entry through the `auto` format, one
 * decoder per stream; the stream labels and structured metadata into the
 * event's ECS `labels`).
 */
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { FormatError, type DecodeOptions, type Decoded } from '../formats/format.js';
import { autoFormat } from '../formats/registry.js';
import type { RawRecord, RecordError } from '../ingest/decode.js';
import { IngestError } from '../ingest/errors.js';
import { invalidUtf8At, invalidUtf8Reason } from '../ingest/utf8.js';
import type { DecodedRecords } from '../ingest/service.js';
import type { AuditEvent } from '../model/event.js';
import { nsRangeError } from '../model/time.js';
import type { CompiledPolicy } from '../policy/k8s/index.js';
import { filterAuditLine } from '../policy/k8s/line-filter.js';

/** Loki's `pkg/push/push.proto` (package logproto), with Timestamp inlined (wire-compatible with google.protobuf.Timestamp). */
const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter {
  Timestamp timestamp = 1;
  bytes line = 2; // a string on the wire; read as bytes so that invalid UTF-8 is refused, not replaced
  repeated LabelPairAdapter structuredMetadata = 3;
  repeated LabelPairAdapter parsed = 4;
}
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message PushRequest { repeated StreamAdapter streams = 1; string format = 2; }
`;

export const PushRequestType = protobuf.parse(PUSH_PROTO, { keepCase: true }).root.lookupType('logproto.PushRequest');

export interface PushEntry {
  ts: bigint;
  line: string;
  /** Where the line is not UTF-8 (a protobuf body): the byte of the line, and its bytes for the dead-letter file. */
  badUtf8?: { at: number; bytes: Uint8Array };
  metadata?: Record<string, string>;
}

export interface PushStream {
  labels: Record<string, string>;
  entries: PushEntry[];
}

/** A bad push body: answered 400 with this text, as Loki does. */
export class PushError extends IngestError {
  constructor(message: string) {
    super('bad-body', message);
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses Prometheus label text, `{a="b", c="d\\"e"}` (Go string escapes), as Loki's push does. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw new PushError(`parse error at line 1, col ${i + 1}: ${what} in labels ${text}`);
  };
  ws();
  if (text[i] !== '{') fail('expected {');
  i++;
  ws();
  while (text[i] !== '}') {
    const start = i;
    while (i < text.length && /[a-zA-Z0-9_]/.test(text[i])) i++;
    const name = text.slice(start, i);
    if (!LABEL_NAME.test(name)) fail('expected a label name');
    ws();
    if (text[i] !== '=') fail('expected =');
    i++;
    ws();
    if (text[i] !== '"') fail('expected a quoted value');
    i++;
    let value = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i++];
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = text[i++];
      const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
      if (e in esc) value += esc[e];
      else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = text.slice(i, i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail('invalid escape');
        value += String.fromCodePoint(parseInt(hex, 16));
        i += len;
      } else fail(`invalid escape \\${e ?? ''}`);
    }
    if (name in out) fail(`duplicate label ${name}`);
    out[name] = value;
    ws();
    if (text[i] === ',') {
      i++;
      ws();
    } else if (text[i] !== '}') fail('expected , or }');
  }
  i++;
  ws();
  if (i !== text.length) fail('unexpected text after }');
  return out;
}

/** Prometheus label text of a label set, names sorted (the stream's identity). */
export function labelsText(labels: Record<string, string>): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkLabels(labels: Record<string, unknown>, where: string): Record<string, string> {
  const names = Object.keys(labels);
  if (names.length === 0) throw new PushError(`error at least one label pair is required per stream (${where})`);
  for (const k of names) {
    if (!LABEL_NAME.test(k)) throw new PushError(`${where}: invalid label name ${JSON.stringify(k)}`);
    if (typeof labels[k] !== 'string') throw new PushError(`${where}: label ${k} must be a string`);
  }
  return labels as Record<string, string>;
}

/** A JSON push body: `{"streams":[{"stream":{…},"values":[["<ns>","line",{metadata}?]]}]}`. */
export function parsePushJson(body: Buffer): PushStream[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PushError(`invalid JSON push body: ${(err as Error).message}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.streams)) throw new PushError('invalid push body: expected {"streams":[…]}');
  return doc.streams.map((s, si) => {
    const where = `streams[${si}]`;
    if (!isObject(s)) throw new PushError(`${where}: expected an object`);
    if (!isObject(s.stream)) throw new PushError(`${where}.stream: expected an object of labels`);
    const labels = checkLabels(s.stream, `${where}.stream`);
    if (!Array.isArray(s.values)) throw new PushError(`${where}.values: expected an array of ["<unix ns>", "line"]`);
    const entries = s.values.map((v, vi): PushEntry => {
      const at = `${where}.values[${vi}]`;
      if (!Array.isArray(v) || v.length < 2 || v.length > 3) throw new PushError(`${at}: expected ["<unix ns>", "line"] or ["<unix ns>", "line", {metadata}]`);
      const [ts, line, meta] = v as unknown[];
      if (typeof ts !== 'string' || !/^\d{1,19}$/.test(ts)) throw new PushError(`${at}: the timestamp must be a string of Unix nanoseconds, got ${JSON.stringify(ts)}`);
      if (typeof line !== 'string') throw new PushError(`${at}: the line must be a string`);
      if (meta !== undefined && !isObject(meta)) throw new PushError(`${at}: structured metadata must be an object of strings`);
      const metadata: Record<string, string> = {};
      for (const [k, mv] of Object.entries(meta ?? {})) {
        if (typeof mv !== 'string') throw new PushError(`${at}: structured metadata ${k} must be a string`);
        metadata[k] = mv;
      }
      return { ts: BigInt(ts), line, ...(Object.keys(metadata).length ? { metadata } : {}) };
    });
    return { labels, entries };
  });
}

/** The uncompressed length a snappy block announces (its varint header), to refuse oversized bodies before inflating. */
export function snappyLength(buf: Buffer): number {
  let n = 0;
  let shift = 0;
  for (let i = 0; i < Math.min(buf.length, 5); i++) {
    n += (buf[i] & 0x7f) * 2 ** shift;
    if (!(buf[i] & 0x80)) return n;
    shift += 7;
  }
  throw new PushError('snappy: corrupt input');
}

type ProtoPair = { name?: string; value?: string };
type ProtoEntry = { timestamp?: { seconds?: string; nanos?: number }; line?: Uint8Array; structuredMetadata?: ProtoPair[] };

/** A protobuf push body: a raw snappy block of logproto.PushRequest. */
export function parsePushProto(body: Buffer, limit: number): PushStream[] {
  if (snappyLength(body) > limit) throw new IngestError('too-large', `decompressed body exceeds the limit of ${limit} bytes`);
  let raw: Buffer;
  try {
    raw = snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new PushError(`snappy: corrupt input (${(err as Error).message}); a protobuf push body is a raw snappy block of logproto.PushRequest`);
  }
  let msg: { streams?: { labels?: string; entries?: ProtoEntry[] }[] };
  try {
    msg = PushRequestType.toObject(PushRequestType.decode(raw), { longs: String, defaults: false, arrays: true }) as typeof msg;
  } catch (err) {
    throw new PushError(`invalid logproto.PushRequest: ${(err as Error).message}`);
  }
  return (msg.streams ?? []).map((s, si) => {
    const labels = checkLabels(parseLabels(s.labels ?? ''), `streams[${si}].labels`);
    const entries = (s.entries ?? []).map((e): PushEntry => {
      const ts = BigInt(e.timestamp?.seconds ?? '0') * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0);
      const metadata: Record<string, string> = {};
      for (const p of e.structuredMetadata ?? []) if (p.name) metadata[p.name] = p.value ?? '';
      const bytes = e.line ?? new Uint8Array(0);
      const line = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
      const at = line.includes('\ufffd') ? invalidUtf8At(bytes) : -1;
      return { ts, line, ...(at >= 0 ? { badUtf8: { at, bytes: Uint8Array.from(bytes) } } : {}), ...(Object.keys(metadata).length ? { metadata } : {}) };
    });
    return { labels, entries };
  });
}

export interface PushDecodeOptions {
  maxRecordBytes: number;
  keepOriginal: boolean;
  k8sPolicy?: CompiledPolicy;
}

/**
 * Turns pushed streams into records for the ingest service: each entry through
 * the `auto` format (entries numbered 1… across the request, as `line`), the
 * stream labels and structured metadata put into the event's `labels`.
 */
export function decodePush(streams: PushStream[], opts: PushDecodeOptions): DecodedRecords {
  const records: RawRecord[] = [];
  const errors: RecordError[] = [];
  let dropped = 0;
  let n = 0;
  for (const stream of streams) {
    let current = 0n;
    const decoder = autoFormat.createDecoder({ keepOriginal: opts.keepOriginal, defaultTimeNs: () => current } as DecodeOptions);
    const first = n + 1;
    const streamText = labelsText(stream.labels);
    const take = (ds: Decoded[]) => {
      for (const d of ds) {
        const entry = stream.entries[d.position.line - first];
        const ev = d.event as AuditEvent & { labels?: Record<string, unknown> };
        ev.labels = { ...(isObject(ev.labels) ? ev.labels : {}), ...entry?.metadata, ...stream.labels };
        const e = (ev.event ??= {});
        // A resend of the same entry to the same stream gets the same id (Loki dedupes those too).
        e.id ??= createHash('sha256').update(`${streamText}\n${entry?.ts ?? ''}\n${entry?.line ?? ''}`).digest('hex').slice(0, 32);
        records.push({ line: d.position.line, offset: -1, text: e.original ?? entry?.line ?? JSON.stringify(ev), value: ev });
      }
    };
    for (const entry of stream.entries) {
      const pos = { line: ++n, offset: -1 };
      const bytes = Buffer.byteLength(entry.line);
      if (bytes > opts.maxRecordBytes) {
        errors.push({ ...pos, path: '', reason: `line too long: ${bytes} bytes, the limit is ${opts.maxRecordBytes} (ingest.max_record_bytes)`, text: entry.line });
        continue;
      }
      if (entry.badUtf8) {
        errors.push({ ...pos, path: 'line', reason: invalidUtf8Reason(entry.badUtf8.at), text: entry.line, bytes: entry.badUtf8.bytes });
        continue;
      }
      // Loki timestamps are nanoseconds in an int64: one beyond it is refused, not wrapped around.
      const tsError = nsRangeError(entry.ts);
      if (tsError) {
        errors.push({ ...pos, path: 'timestamp', reason: `${entry.ts} ns ${tsError}`, text: entry.line });
        continue;
      }
      let line: string | null = entry.line;
      if (opts.k8sPolicy) {
        const filtered = filterAuditLine(opts.k8sPolicy, line);
        dropped += filtered.dropped;
        line = filtered.text;
        if (line === null) continue;
      }
      current = entry.ts;
      try {
        take(decoder.push(line, pos));
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        errors.push({ ...pos, path: err.path, reason: err.reason, text: entry.line });
      }
    }
    try {
      take(decoder.flush());
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      errors.push({ line: first, offset: -1, path: err.path, reason: err.reason, text: '' });
    }
  }
  records.sort((a, b) => a.line - b.line);
  return { records, errors, dropped };
}

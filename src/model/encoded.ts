/**
 * Prepared events in a flat, columnar byte form: every string as UTF-8 in one
 * buffer, numbers and leaf hashes in typed arrays. It is what a decoding
 * worker thread hands to the main thread (the buffers are moved, not
 * copied), and what a store stages from: the store copies each string's
 * bytes into its columns without ever decoding them back into JS strings.
 */
import { LEAF_PREFIX } from '../integrity/index.js';
import { hashRanges } from '../integrity/leaf-hashes.js';
import { CanonicalWriter } from './canonical.js';
import type { PreparedEvent } from './prepare.js';

/** The string fields of a prepared event, in their order in `spans`. */
export const TEXT_FIELDS = ['doc', 'dataset', 'action', 'outcome', 'userName', 'userEmail', 'sourceIp', 'target', 'namespace', 'host'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
const F = TEXT_FIELDS.length;

/** `spans` value of a null string. */
export const NULL_SPAN = 0xffffffff;

export interface EncodedEvents {
  count: number;
  /** UTF-8 of all strings. Each document is preceded by a 0x00 byte (the leaf-hash prefix). */
  text: Uint8Array;
  /** Per event and TEXT_FIELDS entry: start and end in `text` (start NULL_SPAN: null). */
  spans: Uint32Array;
  /** Per event: how many `event.category` strings it has (0: none). */
  categoryCounts: Uint16Array;
  /** Start and end in `text` of every category string, event after event. */
  categorySpans: Uint32Array;
  ts: BigInt64Array;
  /** `count` leaf hashes of 32 bytes; absent when the store does not seal. */
  leafHashes?: Uint8Array;
  /** Bytes of the documents alone. */
  docBytes: number;
}

/** The buffers of an EncodedEvents, for a worker's transfer list. */
export function transferList(e: EncodedEvents): ArrayBuffer[] {
  const views = [e.text, e.spans, e.categoryCounts, e.categorySpans, e.ts, ...(e.leafHashes ? [e.leafHashes] : [])];
  return views.map((v) => v.buffer as ArrayBuffer);
}

/**
 * One text buffer per thread, kept between batches: a batch's text grows to
 * about a megabyte, and allocating that afresh each time (by doubling) makes
 * V8 collect garbage for the external memory far more often.
 */
let spare: CanonicalWriter | undefined;
const KEEP_BYTES = 1 << 24;

function takeWriter(): CanonicalWriter {
  const w = spare ?? new CanonicalWriter(1 << 16);
  spare = undefined;
  w.pos = 0;
  return w;
}

function releaseWriter(w: CanonicalWriter): void {
  if (w.buf.length <= KEEP_BYTES) spare = w;
}

/**
 * Builds EncodedEvents an event at a time: each document is written as
 * canonical JSON straight into the text buffer and, when sealing, all the
 * documents are hashed together when the batch is finished.
 */
export class EventEncoder {
  private readonly text = takeWriter();
  private spans = new Uint32Array(64 * F * 2);
  private categoryCounts = new Uint16Array(64);
  private categorySpans = new Uint32Array(128);
  private categoryUsed = 0;
  private ts = new BigInt64Array(64);
  private docBytes = 0;
  count = 0;

  constructor(private readonly sealing: boolean) {}

  add(e: PreparedEvent): void {
    const row = this.count++;
    if (row === this.ts.length) this.growRows();
    this.ts[row] = e.ts;
    const at = row * F * 2;
    // The document: 0x00 (the leaf prefix, hashed with it) then its UTF-8.
    const text = this.text;
    text.reserve(1);
    text.buf[text.pos++] = LEAF_PREFIX;
    const start = text.pos;
    if (e.doc === undefined) text.value(e.event);
    else this.writeString(e.doc);
    this.spans[at] = start;
    this.spans[at + 1] = text.pos;
    this.docBytes += text.pos - start;
    for (let f = 1; f < F; f++) {
      const v = e[TEXT_FIELDS[f] as Exclude<TextField, 'doc'>];
      if (v === null) {
        this.spans[at + 2 * f] = NULL_SPAN;
      } else {
        this.spans[at + 2 * f] = this.writeString(v);
        this.spans[at + 2 * f + 1] = text.pos;
      }
    }
    const cats = e.category ?? [];
    this.categoryCounts[row] = cats.length;
    for (const c of cats) {
      if (this.categoryUsed + 2 > this.categorySpans.length) this.categorySpans = grow(this.categorySpans);
      this.categorySpans[this.categoryUsed++] = this.writeString(c);
      this.categorySpans[this.categoryUsed++] = text.pos;
    }
  }

  finish(): EncodedEvents {
    const n = this.count;
    const text = new Uint8Array(this.text.buf.subarray(0, this.text.pos));
    releaseWriter(this.text);
    return {
      count: n,
      text,
      spans: this.spans.slice(0, n * F * 2),
      categoryCounts: this.categoryCounts.slice(0, n),
      categorySpans: this.categorySpans.slice(0, this.categoryUsed),
      ts: this.ts.slice(0, n),
      leafHashes: this.sealing ? this.leafHashes(text) : undefined,
      docBytes: this.docBytes,
    };
  }

  /** Every document's leaf hash, SHA-256(0x00 || doc): the prefix sits right before each. */
  private leafHashes(text: Uint8Array): Uint8Array {
    const n = this.count;
    const starts = new Uint32Array(n);
    const ends = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = this.spans[i * F * 2] - 1;
      ends[i] = this.spans[i * F * 2 + 1];
    }
    return hashRanges(text, starts, ends, n);
  }

  /** Writes a string's UTF-8 and returns where it starts. */
  private writeString(v: string): number {
    const start = this.text.pos;
    this.text.raw(v);
    return start;
  }

  private growRows(): void {
    this.spans = grow(this.spans);
    this.categoryCounts = grow(this.categoryCounts);
    this.ts = grow(this.ts);
  }
}

function grow<T extends Uint32Array | Uint16Array | BigInt64Array>(a: T): T {
  const next = new (a.constructor as new (n: number) => T)(a.length * 2);
  (next as Uint32Array).set(a as Uint32Array);
  return next;
}

/** Encodes prepared events in one go (internal producers, tests). */
export function encodeEvents(events: readonly PreparedEvent[], sealing: boolean): EncodedEvents {
  const enc = new EventEncoder(sealing);
  for (const e of events) enc.add(e);
  return enc.finish();
}

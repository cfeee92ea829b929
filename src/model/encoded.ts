/**
 * Prepared events in a flat, columnar byte form: every string as UTF-8 in one
 * buffer, numbers and leaf hashes in typed arrays. It is what a decoding
 * worker thread hands to the main thread (the buffers are moved, not
 * copied), and what a store stages from: the store copies each string's
 * bytes into its columns without ever decoding them back into JS strings.
 */
import { HASH_SIZE, LEAF_PREFIX, hashLeafPrefixed } from '../integrity/index.js';
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

/** Builds EncodedEvents an event at a time, hashing each document as it is written when sealing. */
export class EventEncoder {
  private text = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private spans = new Uint32Array(64 * F * 2);
  private categoryCounts = new Uint16Array(64);
  private categorySpans = new Uint32Array(128);
  private categoryUsed = 0;
  private ts = new BigInt64Array(64);
  private readonly leaves: Buffer[] = [];
  private docBytes = 0;
  count = 0;

  constructor(private readonly sealing: boolean) {}

  add(e: PreparedEvent): void {
    const row = this.count++;
    if (row === this.ts.length) this.growRows();
    this.ts[row] = e.ts;
    const at = row * F * 2;
    // The document: 0x00 then its UTF-8, hashed in place for the leaf.
    this.reserve(1 + 3 * e.doc.length);
    const prefix = this.used;
    this.text[this.used++] = LEAF_PREFIX;
    this.used += this.text.write(e.doc, this.used, 'utf8');
    if (this.sealing) this.leaves.push(hashLeafPrefixed(this.text.subarray(prefix, this.used)));
    this.spans[at] = prefix + 1;
    this.spans[at + 1] = this.used;
    this.docBytes += this.used - prefix - 1;
    for (let f = 1; f < F; f++) {
      const v = e[TEXT_FIELDS[f]] as string | null;
      if (v === null) {
        this.spans[at + 2 * f] = NULL_SPAN;
      } else {
        this.spans[at + 2 * f] = this.writeString(v);
        this.spans[at + 2 * f + 1] = this.used;
      }
    }
    const cats = e.category ?? [];
    this.categoryCounts[row] = cats.length;
    for (const c of cats) {
      if (this.categoryUsed + 2 > this.categorySpans.length) this.categorySpans = grow(this.categorySpans);
      this.categorySpans[this.categoryUsed++] = this.writeString(c);
      this.categorySpans[this.categoryUsed++] = this.used;
    }
  }

  finish(): EncodedEvents {
    const n = this.count;
    const leafHashes = this.sealing ? new Uint8Array(n * HASH_SIZE) : undefined;
    this.leaves.forEach((h, i) => leafHashes!.set(h, i * HASH_SIZE));
    return {
      count: n,
      text: new Uint8Array(this.text.subarray(0, this.used)),
      spans: this.spans.slice(0, n * F * 2),
      categoryCounts: this.categoryCounts.slice(0, n),
      categorySpans: this.categorySpans.slice(0, this.categoryUsed),
      ts: this.ts.slice(0, n),
      leafHashes,
      docBytes: this.docBytes,
    };
  }

  private writeString(v: string): number {
    this.reserve(3 * v.length);
    const start = this.used;
    this.used += this.text.write(v, this.used, 'utf8');
    return start;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.text.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.used + bytes, this.text.length * 2));
    this.text.copy(next, 0, 0, this.used);
    this.text = next;
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

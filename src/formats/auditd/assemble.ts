/**
 * Event assembly: records of one (node, time, serial) are collected across interleaved
 * lines and handed to the ECS mapper when the event is complete.
 *
 * An event is complete
 * - at its `EOE` record;
 * - at a record whose type is always last (libauparse `audit_is_last_record`, HEAD):
 *   user-space and daemon messages 1100–1299 and 1007–1099, `USER` (1005), ≥ 1700
 *   (ANOM_*, integrity, KERNEL, 2100+ user messages), MAC unlabeled/CALIPSO 1414–1419;
 * - at `PROCTITLE` when the record came from the kernel log (printk never prints EOE);
 *   from auditd's own log the decoder waits for the EOE that follows, so that
 *   `event.original` keeps it;
 * - when a later accepted line's seconds are ≥ the event's seconds + `eoeTimeoutSec`
 *   (auditd's `end_of_event_timeout`, default 2) — source time, so the decoder needs no clock;
 * - when more than `maxOpenEvents` are open (the oldest is closed), or the event has
 *   10,000 records;
 * - at `flush()` / `flushOpenedUpTo()`.
 * An `EOE` for an event that is not open is dropped (libauparse does the same). A record for
 * an event that was already closed starts a new event marked `auditd.partial: true`.
 */
import type { Decoded, LineDecoder, RecordPosition } from '../format.js';
import { toEcs } from './ecs.js';
import { parseLine, type AuditRecord } from './tokenize.js';

export interface AuditdDecoderOptions {
  keepOriginal: boolean;
  /** Source-time seconds after which an event without EOE is closed (default 2). */
  eoeTimeoutSec?: number;
  /** Bound on simultaneously open events (default 4096). */
  maxOpenEvents?: number;
}

export interface OpenEvent {
  node: string | undefined;
  sec: number;
  ms: number;
  serial: number;
  records: AuditRecord[];
  /** The event's lines joined with `\n` (when keeping the original). */
  original: string | undefined;
  position: RecordPosition;
  /** Number of the push() call that opened the event. */
  firstPush: number;
  partial: boolean;
  /** Another open event with the same serial (other node or time), rare. */
  next: OpenEvent | undefined;
  closed: boolean;
}

const EOE = 1320;
const PROCTITLE = 1327;
const RECENT = 1024;
/** Records per event before it is closed anyway (a real event has at most a few hundred). */
const MAX_RECORDS = 10_000;

export function isLastRecordType(t: number): boolean {
  return (
    (t > 1006 && t < 1300) ||
    t === 1005 ||
    t >= 1700 ||
    (t >= 1414 && t <= 1419)
  );
}

function sameEvent(ev: OpenEvent, rec: AuditRecord): boolean {
  return ev.sec === rec.secNum && ev.ms === rec.msNum && ev.node === rec.node;
}

export class AuditdDecoder implements LineDecoder {
  /**
   * Open events by serial (a number key hashes far cheaper than a string key); events that
   * share a serial but not node/time hang off `next`. Insertion order = age.
   */
  private readonly open = new Map<number, OpenEvent>();
  private openCount = 0;
  /** Number of open events hanging off another one's `next`. */
  private chained = 0;
  private readonly keep: boolean;
  private readonly timeout: number;
  private readonly maxOpen: number;
  private pushes = 0;
  private highWater = -Infinity;
  /**
   * Identities of the last RECENT closed events, to flag late records as partial. Kept in
   * typed arrays, not as objects: a ring of long-lived objects pointing at fresh ones would
   * make the young-generation GC promote every event (measured: 8× the GC time).
   */
  private readonly recentIndex = new Map<number, number>();
  private readonly ringSerial = new Float64Array(RECENT).fill(-1);
  private readonly ringSec = new Float64Array(RECENT);
  private readonly ringMs = new Int16Array(RECENT);
  private readonly ringNode = new Int32Array(RECENT);
  private recentAt = 0;
  private readonly nodeIds = new Map<string, number>();

  constructor(opts: AuditdDecoderOptions) {
    this.keep = opts.keepOriginal;
    this.timeout = opts.eoeTimeoutSec ?? 2;
    this.maxOpen = Math.max(1, opts.maxOpenEvents ?? 4096);
  }

  push(line: string, pos: RecordPosition): Decoded[] {
    this.pushes++;
    const rec = parseLine(line); // throws FormatError before any state changes
    const out: Decoded[] = [];
    if (rec.secNum > this.highWater) {
      this.highWater = rec.secNum;
      if (this.openCount > 0) this.sweep(out);
    }
    let ev = this.open.get(rec.serial);
    while (ev !== undefined && !sameEvent(ev, rec)) ev = ev.next;
    if (rec.typeNum === EOE) {
      if (ev) {
        if (this.keep) ev.original += '\n' + line;
        this.close(ev, out);
      }
      return out;
    }
    if (!ev) {
      ev = {
        node: rec.node,
        sec: rec.secNum,
        ms: rec.msNum,
        serial: rec.serial,
        records: [],
        original: undefined,
        position: { line: pos.line, offset: pos.offset },
        firstPush: this.pushes,
        partial: this.wasClosed(rec),
        next: undefined,
        closed: false,
      };
      const head = this.open.get(rec.serial);
      if (head) {
        let tail = head;
        while (tail.next) tail = tail.next;
        tail.next = ev;
        this.chained++;
      } else this.open.set(rec.serial, ev);
      if (++this.openCount > this.maxOpen) this.close(this.oldest(), out);
    }
    ev.records.push(rec);
    if (this.keep) ev.original = ev.original === undefined ? line : ev.original + '\n' + line;
    if (
      isLastRecordType(rec.typeNum) ||
      (rec.typeNum === PROCTITLE && rec.carrier === 'printk') ||
      ev.records.length >= MAX_RECORDS
    ) {
      this.close(ev, out);
    }
    return out;
  }

  flush(): Decoded[] {
    return this.closeWhere(() => true);
  }

  /**
   * For streaming sources: the number of the push() call (1-based, counting every call of
   * this decoder, rejected lines included) that opened the oldest event still open, or
   * undefined when none is open. A source that notes the wall time of its pushes calls
   * `flushOpenedUpTo(n)` (or `flush()`) once push n is older than its timeout.
   */
  pendingSince(): number | undefined {
    if (this.openCount === 0) return undefined;
    if (this.chained === 0) return this.open.values().next().value!.firstPush;
    return this.all()[0].firstPush;
  }

  /** Number of push() calls so far. */
  pushed(): number {
    return this.pushes;
  }

  /** Closes the open events that were opened by push number ≤ `n`, oldest first. */
  flushOpenedUpTo(n: number): Decoded[] {
    return this.closeWhere((ev) => ev.firstPush <= n);
  }

  private all(): OpenEvent[] {
    const list: OpenEvent[] = [];
    for (let ev of this.open.values()) for (; ev; ev = ev.next!) list.push(ev);
    return list.sort((a, b) => a.firstPush - b.firstPush);
  }

  /** The oldest open event (exact unless serials are shared, then the oldest serial's head). */
  private oldest(): OpenEvent {
    return this.open.values().next().value!;
  }

  private closeWhere(pred: (ev: OpenEvent) => boolean): Decoded[] {
    const out: Decoded[] = [];
    for (const ev of this.all()) if (pred(ev)) this.close(ev, out);
    return out;
  }

  private sweep(out: Decoded[]): void {
    const limit = this.highWater - this.timeout;
    let stale: OpenEvent[] | undefined;
    for (let ev of this.open.values()) for (; ev; ev = ev.next!) if (ev.sec <= limit) (stale ??= []).push(ev);
    if (stale) for (const ev of stale.sort((a, b) => a.firstPush - b.firstPush)) this.close(ev, out);
  }

  private nodeId(node: string | undefined): number {
    if (node === undefined) return -1;
    let id = this.nodeIds.get(node);
    if (id === undefined) {
      if (this.nodeIds.size >= 65536) return -2;
      id = this.nodeIds.size;
      this.nodeIds.set(node, id);
    }
    return id;
  }

  private remember(ev: OpenEvent): void {
    const at = this.recentAt;
    const old = this.ringSerial[at];
    if (old >= 0 && this.recentIndex.get(old) === at) this.recentIndex.delete(old);
    this.ringSerial[at] = ev.serial;
    this.ringSec[at] = ev.sec;
    this.ringMs[at] = ev.ms;
    this.ringNode[at] = this.nodeId(ev.node);
    this.recentIndex.set(ev.serial, at);
    this.recentAt = (at + 1) % RECENT;
  }

  private wasClosed(rec: AuditRecord): boolean {
    const at = this.recentIndex.get(rec.serial);
    if (at === undefined) return false;
    const node = this.ringNode[at];
    return this.ringSec[at] === rec.secNum && this.ringMs[at] === rec.msNum && node !== -2 && node === this.nodeId(rec.node);
  }

  private unlink(ev: OpenEvent): void {
    const head = this.open.get(ev.serial)!;
    if (ev.next || head !== ev) this.chained--;
    if (head === ev) {
      if (ev.next) this.open.set(ev.serial, ev.next);
      else this.open.delete(ev.serial);
    } else {
      let p = head;
      while (p.next !== ev) p = p.next!;
      p.next = ev.next;
    }
    ev.next = undefined;
    this.openCount--;
  }

  private close(ev: OpenEvent, out: Decoded[]): void {
    if (ev.closed) return;
    ev.closed = true;
    this.unlink(ev);
    this.remember(ev);
    const records = ev.records;
    const original = ev.original;
    ev.records = [];
    ev.original = undefined;
    if (records.length === 0) return;
    out.push({ event: toEcs(records, original, ev.partial), position: ev.position });
  }
}

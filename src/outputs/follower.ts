/**
 * Follows the sealed log for one output: reads consecutive events by
 * `vigil.seq` (one `entries` read per batch), hands them to the output,
 * retries until it acknowledges, then moves the durable cursor past them.
 * Woken by the store's commit hook, as the Loki tail is. An event is sent
 * again only when the process stops between an acknowledgement and the
 * cursor write (at least once; receivers deduplicate on `event.id`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withVigil, type Ledger } from '../store/index.js';
import { Cursor } from './cursor.js';
import type { DeliveryBatch, Output, OutputEvent, Rejection } from './output.js';
import { backoffMs, isRetriable, type Backoff } from './retry.js';

/** Where an output without a saved cursor starts: after what is stored now, at seq 0, or at a seq. */
export type StartAt = 'end' | 'beginning' | number;

export interface FollowerOptions {
  ledger: Pick<Ledger, 'entries' | 'treeHead' | 'onCommit'>;
  output: Output;
  dataDir: string;
  /** Used only when the output has no saved cursor (default 'end'). */
  startAt?: StartAt;
  /** Most events per batch (default 500). */
  maxBatch?: number;
  /** Delays between attempts when the output gives no Retry-After (default 200 ms doubling to 30 s). */
  backoff?: Backoff;
  /** How long stop() lets a delivery in flight run before aborting its signal (default 10 s). */
  stopTimeoutMs?: number;
  /** Each event the receiver rejected for good; the cursor moves past it. */
  onRejected?(r: Rejection): void;
  /** Called once if following stops on its own: a non-retriable delivery error, a failed read or cursor write. */
  onError?(err: Error): void;
}

export class Follower {
  readonly counts = { delivered: 0, rejected: 0, retries: 0 };
  private stopped = false;
  private wake: (() => void) | undefined;
  /** Aborted by stop(): ends idle and backoff waits. */
  private readonly waits = new AbortController();
  /** Aborted when stop() gives up waiting for the output. */
  private readonly inFlight = new AbortController();
  private readonly unsubscribe: () => void;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly o: FollowerOptions,
    private readonly cursor: Cursor,
    private next: number,
  ) {
    this.unsubscribe = o.ledger.onCommit(() => this.wake?.());
    this.loop = this.run().catch((err: Error) => this.fail(err));
  }

  /** Opens the output's cursor (saving the start position if it had none) and starts following. */
  static async start(o: FollowerOptions): Promise<Follower> {
    const cursor = await Cursor.open(o.dataDir, o.output.name);
    const head = o.ledger.treeHead().size;
    if (cursor.next !== undefined) {
      if (cursor.next > head) throw new Error(`output ${o.output.name}: its cursor is at seq ${cursor.next} but the log has ${head} events`);
      return new Follower(o, cursor, cursor.next);
    }
    const at = o.startAt ?? 'end';
    const next = at === 'end' ? head : at === 'beginning' ? 0 : at;
    if (!Number.isSafeInteger(next) || next < 0) throw new Error(`output ${o.output.name}: start seq must be a non-negative integer, got ${next}`);
    await cursor.save(next);
    return new Follower(o, cursor, next);
  }

  /** The next seq to deliver, as saved. */
  get position(): number {
    return this.next;
  }

  /** Stops following and waits for a batch in flight to finish (and move the cursor); past stopTimeoutMs its signal is aborted. */
  async stop(): Promise<void> {
    this.halt();
    const timer = setTimeout(() => this.inFlight.abort(), this.o.stopTimeoutMs ?? 10_000);
    try {
      await this.loop;
    } finally {
      clearTimeout(timer);
    }
  }

  private halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    this.wake?.();
    this.waits.abort();
  }

  private async run(): Promise<void> {
    const maxBatch = this.o.maxBatch ?? 500;
    while (!this.stopped) {
      const head = this.o.ledger.treeHead().size;
      if (head > this.next) await this.deliverRange(this.next, Math.min(head, this.next + maxBatch));
      else await new Promise<void>((resolve) => (this.wake = resolve)); // a commit or stop()
      this.wake = undefined;
    }
  }

  private async deliverRange(start: number, end: number): Promise<void> {
    const events: OutputEvent[] = [];
    for (const e of await this.o.ledger.entries(start, end)) {
      if (e.pruned) continue; // deleted by retention: nothing left to ship
      if (e.doc === undefined) throw new Error(`seq ${e.seq} is missing from the store`);
      events.push({ seq: e.seq, doc: withVigil({ seq: e.seq, ts: 0n, doc: e.doc, leafHash: e.leafHash }), leafHash: e.leafHash });
    }
    if (this.stopped) return;
    if (events.length > 0 && !(await this.send({ events }))) return;
    await this.cursor.save(end);
    this.next = end;
  }

  /** Delivers until the output acknowledges; false when stopped first. */
  private async send(batch: DeliveryBatch): Promise<boolean> {
    const backoff = this.o.backoff ?? { baseMs: 200, capMs: 30_000 };
    for (let retry = 0; ; retry++) {
      let delay: number;
      try {
        const r = await this.o.output.deliver(batch, this.inFlight.signal);
        if (r.status === 'delivered') {
          for (const x of r.rejected) this.o.onRejected?.(x);
          this.counts.rejected += r.rejected.length;
          this.counts.delivered += batch.events.length - r.rejected.length;
          return true;
        }
        delay = r.afterMs ?? backoffMs(retry, backoff);
      } catch (err) {
        if (this.stopped && this.inFlight.signal.aborted) return false;
        if (!isRetriable(err)) throw err;
        delay = backoffMs(retry, backoff);
      }
      if (this.stopped) return false;
      this.counts.retries++;
      try {
        await sleep(delay, undefined, { signal: this.waits.signal });
      } catch {
        return false; // stop() during the wait
      }
    }
  }

  private fail(err: Error): void {
    this.halt();
    this.o.onError?.(err);
  }
}

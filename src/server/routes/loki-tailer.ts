/**
 * What GET /loki/api/v1/tail sends, apart from the socket: first the newest
 * `limit` entries since `start` (oldest first), then every entry committed
 * later that the query keeps. It follows by `vigil.seq` — woken by the
 * store's commit hook, or by a short poll without one — so nothing is missed
 * or sent twice whatever the entries' timestamps. Memory is bounded as in
 * Loki's tailer (pkg/querier/tail): messages of at most 100 entries, at most
 * 10 waiting for the socket; a client that does not keep up loses entries,
 * reported in the next message's `dropped_entries` (at most 1000 listed).
 */
import { execute, type ExecResult } from '../../query/engine.js';
import type { LogSelector } from '../../query/logql/ast.js';
import type { LineView } from '../../query/plan/plan.js';
import { nowNs } from '../../model/time.js';
import type { Store } from '../../store/store.js';
import { wakeableSleep } from '../../wakeable-sleep.js';
import { lokiTailMessage, type TailEntry } from './loki-marshal.js';

export const MAX_ENTRIES_PER_MESSAGE = 100;
export const MAX_QUEUED_MESSAGES = 10;
export const MAX_DROPPED_ENTRIES = 1000;
/** Sequence numbers one follow query reads: at most a full queue of entries. */
const PAGE_SEQS = MAX_ENTRIES_PER_MESSAGE * MAX_QUEUED_MESSAGES;
/** Entries held back by delay_for; past this the earliest due are released early. */
const MAX_HELD = 5000;
/** Once caught up, at most one follow query this often, however often commits come. */
const FOLLOW_MIN_MS = 100;
const MIN_TS = -(2n ** 63n);
const MAX_TS = 2n ** 63n - 1n;

export interface TailerOptions {
  store: Store;
  query: string;
  expr: LogSelector;
  view: LineView;
  limit: number;
  startNs: bigint;
  /** delay_for: an entry is sent once its timestamp (or the time it was read, if earlier) is this old. */
  delayNs: bigint;
  /** Writes one message; resolves once the transport has taken it. */
  send(message: string): Promise<void>;
  /** Calls the listener after every commit; returns an unsubscribe function. Without it the tailer polls. */
  onCommit?: (listener: () => void) => () => void;
  pollMs?: number;
  /** How long a full queue may stay full before entries are dropped. */
  slowClientMs?: number;
  /** Called once when following fails (a query or a send). */
  onError?(err: Error): void;
}

interface Held extends TailEntry {
  seq: number;
  dueNs: bigint;
}

type Dropped = Omit<TailEntry, 'line'>;

const byTime = (a: Held, b: Held) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.seq - b.seq);

export class LokiTailer {
  /** Entries handed to the transport and dropped, backlog included. */
  readonly counts = { sent: 0, dropped: 0 };
  private nextSeq = 0;
  private caughtUpAt = 0;
  private held: Held[] = [];
  private readonly queue: string[] = [];
  private dropped: Dropped[] = [];
  private slow = false;
  private writing = false;
  private stopped = false;
  private failed = false;
  private poke: (() => void) | undefined;
  private roomFreed: (() => void) | undefined;
  private reading: Promise<unknown> | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: TailerOptions) {}

  /** Reads the backlog and returns how many entries it has; `follow()` sends them and what comes after. */
  async backlog(): Promise<number> {
    this.unsubscribe = this.o.onCommit?.(() => this.poke?.());
    this.nextSeq = this.o.store.nextSeq();
    const { query, startNs, limit, view, expr, store } = this.o;
    this.reading = execute(store, { query, startNs, endNs: nowNs(), limit, direction: 'backward', view, seqTo: this.nextSeq }, expr);
    return this.hold((await this.reading) as ExecResult);
  }

  follow(): void {
    this.loop ??= this.run().catch((err: Error) => this.fail(err));
  }

  /** Stops following and waits for a running query; queued messages are not sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.poke?.();
    this.roomFreed?.();
    await Promise.allSettled([this.reading, this.loop]);
  }

  private async run(): Promise<void> {
    const poll = this.o.onCommit ? undefined : setInterval(() => this.poke?.(), this.o.pollMs ?? 250);
    try {
      while (!this.stopped) {
        await this.release();
        if (this.stopped) break;
        const head = this.o.store.nextSeq();
        if (head <= this.nextSeq) {
          await this.sleep();
          continue;
        }
        const wait = this.caughtUpAt + FOLLOW_MIN_MS - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!this.stopped) await this.readPage(this.o.store.nextSeq());
      }
    } finally {
      clearInterval(poll);
    }
  }

  private async readPage(head: number): Promise<void> {
    const seqTo = Math.min(head, this.nextSeq + PAGE_SEQS);
    const { query, view, expr, store } = this.o;
    this.reading = execute(store, { query, startNs: MIN_TS, endNs: MAX_TS, limit: PAGE_SEQS, direction: 'forward', view, seqFrom: this.nextSeq, seqTo }, expr);
    const r = (await this.reading) as ExecResult;
    this.nextSeq = seqTo;
    if (seqTo === head) this.caughtUpAt = Date.now();
    this.hold(r);
  }

  private hold(r: ExecResult): number {
    if (r.type !== 'streams') throw new Error(`tail: expected streams, got ${r.type}`);
    const now = nowNs();
    let n = 0;
    for (const s of r.streams) {
      for (const e of s.entries) {
        this.held.push({ labels: s.labels, ts: e.ts, line: e.line, seq: e.seq, dueNs: (e.ts < now ? e.ts : now) + this.o.delayNs });
        n++;
      }
    }
    return n;
  }

  /** Sends (or drops) the held entries that are due, oldest first. */
  private async release(): Promise<void> {
    const now = nowNs();
    const due = this.held.filter((h) => h.dueNs <= now);
    const rest = this.held.filter((h) => h.dueNs > now);
    if (rest.length > MAX_HELD) {
      rest.sort((a, b) => (a.dueNs < b.dueNs ? -1 : a.dueNs > b.dueNs ? 1 : 0));
      due.push(...rest.splice(0, rest.length - MAX_HELD));
    }
    this.held = rest;
    due.sort(byTime);
    for (let i = 0; i < due.length && !this.stopped; i += MAX_ENTRIES_PER_MESSAGE) {
      const chunk = due.slice(i, i + MAX_ENTRIES_PER_MESSAGE);
      if (await this.room()) {
        this.queue.push(lokiTailMessage(chunk, this.dropped));
        this.dropped = [];
        this.counts.sent += chunk.length;
        void this.write();
      } else {
        for (const e of chunk) if (this.dropped.length < MAX_DROPPED_ENTRIES) this.dropped.push({ labels: e.labels, ts: e.ts });
        this.counts.dropped += chunk.length;
      }
    }
  }

  /** Whether the queue has room, waiting up to slowClientMs; once that ran out, no more waiting until a send completes. */
  private async room(): Promise<boolean> {
    if (this.queue.length < MAX_QUEUED_MESSAGES) return true;
    if (this.slow) return false;
    const deadline = Date.now() + (this.o.slowClientMs ?? 2000);
    while (this.queue.length >= MAX_QUEUED_MESSAGES && !this.stopped) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.slow = true;
        return false;
      }
      await wakeableSleep(left, (wake) => (this.roomFreed = wake));
      this.roomFreed = undefined;
    }
    return !this.stopped;
  }

  private async write(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        await this.o.send(this.queue[0]);
        this.queue.shift();
        this.slow = false;
        this.roomFreed?.();
      }
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.writing = false;
    }
  }

  /** Until a commit, the next held entry falls due, or stop(). */
  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.poke = undefined;
        resolve();
      };
      let next: bigint | undefined;
      for (const h of this.held) if (next === undefined || h.dueNs < next) next = h.dueNs;
      if (next !== undefined) timer = setTimeout(done, Number((next - nowNs()) / 1_000_000n) + 1);
      this.poke = done;
    });
  }

  private fail(err: Error): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    this.o.onError?.(err);
  }
}

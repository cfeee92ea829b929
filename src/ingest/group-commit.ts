/**
 * Group commit: requests that arrive while a commit is running wait together
 * and go into the next transaction, so many concurrent clients cost one
 * durable commit per round instead of one each. Memory is bounded: past
 * `maxQueuedBytes` new work is refused with BackpressureError (HTTP 503).
 */
import { encodeEvents, type EncodedEvents } from '../model/encoded.js';
import type { AppendRequest, StagedEvents, Store } from '../store/store.js';
import { wakeableSleep } from '../wakeable-sleep.js';

export interface GroupCommitConfig {
  /** Most events one transaction takes (the rest waits for the next round). */
  maxBatchEvents: number;
  /** Most document bytes waiting to be committed before new work is refused. */
  maxQueuedBytes: number;
  /** Longest a round waits for requests still being prepared (0: never waits). */
  maxWaitMs?: number;
}

export interface CommitObserver {
  committed(events: number, requests: number, seconds: number): void;
}

export class BackpressureError extends Error {
  override readonly name = 'BackpressureError';
}

interface Pending {
  request: AppendRequest;
  events: number;
  bytes: number;
  resolve: (firstSeq: number) => void;
  reject: (err: Error) => void;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private queuedEvents = 0;
  private running: Promise<void> | undefined;
  private closed = false;

  /** Requests being prepared that have not reached `submit` yet (see `expect`). */
  private expected = 0;
  /** Wakes a round that waits for expected requests. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly config: GroupCommitConfig,
    private readonly observer?: CommitObserver,
  ) {}

  /** Whether the store seals (encoded events then carry leaf hashes). */
  get sealing(): boolean {
    return this.store.sealing;
  }

  /** Copies encoded events into the store's write format (see Store.stage). */
  stage(events: EncodedEvents): StagedEvents {
    return this.store.stage(events);
  }

  /** Bytes waiting for a commit. */
  get backlogBytes(): number {
    return this.queuedBytes;
  }

  /**
   * Announces a request that is being prepared and will be submitted soon;
   * call the returned function once it is submitted (or has failed). A round
   * about to start waits up to `maxWaitMs` for announced requests, so that a
   * commit's fixed cost (milliseconds of DuckDB's time) is shared by more of them.
   */
  expect(): () => void {
    this.expected++;
    let pending = true;
    return () => {
      if (!pending) return;
      pending = false;
      this.expected--;
      this.wake?.();
    };
  }

  /** Queues a request; resolves with its first sequence number once durably committed. */
  submit(submitted: AppendRequest): Promise<number> {
    if (this.closed) return Promise.reject(new Error('store is shutting down'));
    // Prepared events (internal producers) are staged here, so their documents are written once and sized exactly.
    const staged = Array.isArray(submitted.events) ? this.stage(encodeEvents(submitted.events, this.sealing)) : submitted.events;
    const request = { ...submitted, events: staged };
    const { count: events, bytes } = staged;
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.config.maxQueuedBytes) {
      return Promise.reject(new BackpressureError(`ingest queue full (${this.queuedBytes} bytes waiting)`));
    }
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ request, events, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.queuedEvents += events;
      this.wake?.();
      this.running ??= this.run();
    });
  }

  private async run(): Promise<void> {
    // Let the current tick's submissions join the first round.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      await this.awaitExpected();
      const round: Pending[] = [];
      let events = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0];
        if (round.length > 0 && events + next.events > this.config.maxBatchEvents) break;
        round.push(this.queue.shift()!);
        this.queuedEvents -= next.events;
        events += next.events;
      }
      const started = performance.now();
      try {
        const starts = await this.store.append(round.map((p) => p.request));
        this.observer?.committed(events, round.length, (performance.now() - started) / 1000);
        round.forEach((p, i) => p.resolve(starts[i]));
      } catch (err) {
        for (const p of round) p.reject(err as Error);
      } finally {
        for (const p of round) this.queuedBytes -= p.bytes;
      }
    }
    this.running = undefined;
  }

  private async awaitExpected(): Promise<void> {
    const wait = this.config.maxWaitMs ?? 0;
    const deadline = performance.now() + wait;
    while (this.expected > 0 && !this.closed && this.queuedEvents < this.config.maxBatchEvents) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await wakeableSleep(left, (wake) => (this.wake = wake));
      this.wake = undefined;
    }
  }

  /** Stops taking work and waits until everything queued is committed. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }
}

/**
 * What one query may spend: time (cancelled at its deadline, the store's scan
 * interrupted through `signal`), the event loop (evaluation loops call
 * `tick()` per row and yield when it says so, so no stretch of synchronous
 * work runs longer than a few milliseconds) and memory (samples held).
 */
import { QueryLimitError, QueryTimeoutError } from './errors.js';

/** Longest stretch of evaluation between two yields to the event loop. */
const SLICE_MS = 4;
/** Units of work (rows, samples) between two looks at the clock. */
const CHECK_EVERY = 128;

export interface BudgetLimits {
  /** Milliseconds the query may run (Infinity: no deadline). */
  timeoutMs?: number;
  /** Most samples (or rows) a query may hold at once (Infinity: no bound). */
  maxSamples?: number;
}

export class QueryBudget {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly deadline: number;
  private readonly maxSamples: number;
  private sliceStart = performance.now();
  private count = 0;
  private held = 0;

  constructor(limits: BudgetLimits = {}) {
    const timeoutMs = limits.timeoutMs ?? Infinity;
    this.deadline = performance.now() + timeoutMs;
    this.maxSamples = limits.maxSamples ?? Infinity;
    if (Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => this.controller.abort(new QueryTimeoutError()), timeoutMs);
      this.timer.unref();
    }
  }

  /** Aborted at the deadline (the store interrupts its scan on it). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ends the budget's timer (the gate calls it when the query is done). */
  finish(): void {
    clearTimeout(this.timer);
  }

  /** Throws the query's timeout error once its deadline has passed. */
  check(): void {
    if (this.signal.aborted) throw this.signal.reason as Error;
    if (performance.now() >= this.deadline) {
      this.controller.abort(new QueryTimeoutError());
      throw this.signal.reason as Error;
    }
  }

  /** Counts `work` units (rows, samples); true when the caller should `await pause()` (its slice of the event loop is used up). */
  tick(work = 1): boolean {
    if ((this.count += work) < CHECK_EVERY) return false;
    this.count = 0;
    return performance.now() - this.sliceStart >= SLICE_MS || this.signal.aborted;
  }

  /** Lets the event loop run (timers, I/O, other requests), then checks the deadline. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
    this.check();
  }

  /** `tick()`, and `pause()` when due. */
  async step(): Promise<void> {
    if (this.tick()) await this.pause();
  }

  /** Records `n` more samples held (negative: released); throws past the limit. */
  hold(n: number): void {
    this.held += n;
    if (this.held > this.maxSamples) {
      throw new QueryLimitError(`query would hold more than ${this.maxSamples} samples in memory (query.max_samples): narrow the time range or the selector, or aggregate with sum by (…)`);
    }
  }

  /** If the store failed because this budget aborted the scan, the budget's own error instead. */
  reason(err: unknown): unknown {
    return this.signal.aborted ? this.signal.reason : err;
  }
}

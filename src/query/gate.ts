/**
 * The query front door's admission: at most `maxConcurrent` queries run at
 * once; the next ones wait in arrival order up to `maxWaitMs` (and at most
 * MAX_QUEUED of them), after which they are refused (QueryRejectedError, 429).
 * Each admitted query runs with its own budget (deadline, samples held).
 * Routes and CLI commands run every LogQL evaluation through one of these.
 */
import { QueryBudget } from './budget.js';
import { QueryRejectedError } from './errors.js';

/** Waiting queries beyond this are refused at once, whatever the wait limit. */
export const MAX_QUEUED = 1000;

export interface GateLimits {
  maxConcurrent: number;
  /** Longest a query waits for a free slot before it is refused. */
  maxWaitMs: number;
  /** Each query's deadline (Infinity: none). */
  timeoutMs: number;
  /** Most samples one query may hold (Infinity: no bound). */
  maxSamples: number;
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

export class QueryGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limits: GateLimits) {}

  /** A gate that admits everything at once, without deadline or sample bound (tests, tools). */
  static unbounded(): QueryGate {
    return new QueryGate({ maxConcurrent: Infinity, maxWaitMs: 0, timeoutMs: Infinity, maxSamples: Infinity });
  }

  /** Queries running now, and waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `query` once a slot is free, with a fresh budget; refuses it when none frees up in time. */
  async run<T>(query: (budget: QueryBudget) => Promise<T>): Promise<T> {
    await this.admit();
    const budget = new QueryBudget({ timeoutMs: this.limits.timeoutMs, maxSamples: this.limits.maxSamples });
    try {
      return await query(budget);
    } finally {
      budget.finish();
      this.release();
    }
  }

  private admit(): Promise<void> {
    if (this.running < this.limits.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    const retryAfter = Math.max(1, Math.ceil(this.limits.maxWaitMs / 1000));
    if (this.limits.maxWaitMs <= 0 || this.waiting.length >= MAX_QUEUED) return Promise.reject(new QueryRejectedError(retryAfter));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new QueryRejectedError(retryAfter));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.admit(); // the slot passes on: `running` stays
    else this.running--;
  }
}

/**
 * Vigil's audit SDK for applications: typed helpers for authentication, IAM
 * and file events, batched in a bounded in-memory queue and sent to
 * `POST /api/v1/events?format=app` with retries. A batch keeps its
 * Idempotency-Key across retries, so a retry after a lost response never
 * stores it twice.
 *
 * @example
 * const audit = createAuditClient({ url: 'http://127.0.0.1:7080', token: process.env.VIGIL_TOKEN! });
 * audit.auth.signIn({ user: { email: 'alice@example.com', roles: ['admin'] }, ip: '203.0.113.7', userAgent: req.headers['user-agent'] });
 * await audit.close(); // on shutdown: sends what is queued
 */
import { randomUUID } from 'node:crypto';
import { isRetriable, retryDelayMs } from '../outputs/retry.js';
import { buildEvent, type Actor, type AppEvent, type Common } from './events.js';

export interface AuditClientOptions {
  /** Vigil server, e.g. `https://vigil.example.org:7080`. */
  url: string;
  /** API token with scope `ingest`. */
  token: string;
  /** Events per request (default 500). */
  batchSize?: number;
  /** Longest an event waits before its batch is sent (default 1000 ms). */
  flushIntervalMs?: number;
  /** Most events held in memory; beyond it new events are dropped and counted (default 10,000). */
  maxQueue?: number;
  /** Attempts per batch for retriable failures: connection errors, timeouts, 429, 5xx (default 8). */
  maxAttempts?: number;
  /** Bounds the first retry delay, doubled each attempt up to 30 s, jittered; a Retry-After answer wins (default 200 ms). */
  retryBaseMs?: number;
  /** Told about batches that could not be delivered and events dropped for a full queue. */
  onError?: (err: Error) => void;
}

export interface AuditClientStats {
  sent: number;
  dropped: number;
  failed: number;
  queued: number;
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly events: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface AuditClient {
  auth: {
    signIn(c: Common): boolean;
    signOut(c: Common): boolean;
  };
  iam: {
    userCreated(c: Common & { target: Actor }): boolean;
    userUpdated(c: Common & { target: Actor }): boolean;
    userDeleted(c: Common & { target: Actor }): boolean;
  };
  file: {
    /** Reads of the action cache or CAS; `action` defaults to `cas-read`. */
    read(c: Common & { action?: string; path?: string; digest?: string }): boolean;
    write(c: Common & { action?: string; path?: string; digest?: string }): boolean;
    delete(c: Common & { action?: string; path?: string; digest?: string }): boolean;
  };
  /** Queues any app event; false when the queue was full and it was dropped. */
  record(event: AppEvent): boolean;
  /** Sends everything queued now; resolves when it is delivered or given up. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
  stats(): AuditClientStats;
}

export function createAuditClient(options: AuditClientOptions): AuditClient {
  const o = { batchSize: 500, flushIntervalMs: 1000, maxQueue: 10_000, maxAttempts: 8, retryBaseMs: 200, ...options };
  const endpoint = new URL('api/v1/events?format=app', o.url.endsWith('/') ? o.url : `${o.url}/`);
  const queue: string[] = [];
  const counts = { sent: 0, dropped: 0, failed: 0 };
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  /** Events accepted but not yet delivered or given up: the queue plus batches waiting to be sent. */
  let pending = 0;
  const report = (err: Error) => o.onError?.(err);

  async function send(lines: string[]): Promise<void> {
    const key = randomUUID();
    const body = lines.join('\n') + '\n';
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let detail: string;
      let failure: unknown;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/x-ndjson', 'idempotency-key': key },
          body,
        });
        detail = await res.text();
        if (res.ok) {
          counts.sent += lines.length;
          return;
        }
        status = res.status;
        failure = res;
      } catch (err) {
        detail = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
        failure = err;
      }
      if (!isRetriable(failure) || attempt >= o.maxAttempts) {
        counts.failed += lines.length;
        report(new DeliveryError(`audit batch of ${lines.length} events not delivered${status ? ` (HTTP ${status})` : ''}: ${detail}`, lines.length, status));
        return;
      }
      const answer = failure instanceof Response ? failure : undefined;
      await new Promise((r) => setTimeout(r, retryDelayMs(attempt - 1, { baseMs: o.retryBaseMs, capMs: 30_000 }, answer)));
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    // Batches go out one after another, in order.
    while (queue.length > 0) {
      const lines = queue.splice(0, o.batchSize);
      sending = sending.then(() => send(lines)).finally(() => {
        pending -= lines.length;
      });
    }
    return sending;
  }

  function record(event: AppEvent): boolean {
    if (pending >= o.maxQueue) {
      counts.dropped++;
      report(new DeliveryError(`audit queue full (${o.maxQueue} events): event dropped`, 1));
      return false;
    }
    queue.push(JSON.stringify(event));
    pending++;
    if (queue.length >= o.batchSize) void flush();
    else timer ??= setTimeout(() => void flush(), o.flushIntervalMs);
    return true;
  }

  const fileEvent = (type: string, fallback: string) => (c: Common & { action?: string; path?: string; digest?: string }) =>
    record(buildEvent('file', type, c.action ?? fallback, { ...c, extra: { ...c.extra, ...(c.path ? { file: { path: c.path } } : {}), ...(c.digest ? { digest: c.digest } : {}) } }));

  return {
    auth: {
      signIn: (c) => record(buildEvent('authentication', undefined, 'sign-in', c)),
      signOut: (c) => record(buildEvent('authentication', undefined, 'sign-out', c)),
    },
    iam: {
      userCreated: (c) => record(buildEvent('iam', 'creation', 'user-create', c, c.target)),
      userUpdated: (c) => record(buildEvent('iam', 'change', 'user-update', c, c.target)),
      userDeleted: (c) => record(buildEvent('iam', 'deletion', 'user-delete', c, c.target)),
    },
    file: {
      read: fileEvent('access', 'cas-read'),
      write: fileEvent('creation', 'cas-write'),
      delete: fileEvent('deletion', 'cas-delete'),
    },
    record,
    flush,
    async close() {
      await flush();
    },
    stats: () => ({ ...counts, queued: pending }),
  };
}

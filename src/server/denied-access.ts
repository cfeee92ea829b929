/**
 * Rejected credentials (401, 403) are audited (PCI DSS 10.2.1.4: invalid
 * logical access attempts), but an attacker must not be able to flood the
 * store through them: attempts are counted per source IP, status and token,
 * and written as one `vigil.access` record (action `auth-denied`, with the
 * count) per key and window. At most MAX_KEYS keys are kept per window; the
 * attempts of any further sources go into one record without a source.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AccessRecord } from './access-audit.js';

export const DENIED_WINDOW_MS = 10_000;
export const MAX_KEYS = 100;

export interface Denial {
  status: 401 | 403;
  reason: string;
  sourceIp?: string;
  route: string;
  actor: AccessRecord['actor'];
}

interface Tally {
  first: Denial;
  count: number;
  routes: Set<string>;
}

const OVERFLOW = 'overflow';
/** Routes named in one record, at most. */
const MAX_ROUTES = 10;

export class DeniedAccess {
  private tallies = new Map<string, Tally>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (r: AccessRecord) => Promise<void>,
    private readonly log: FastifyBaseLogger,
    windowMs = DENIED_WINDOW_MS,
  ) {
    this.timer = setInterval(() => void this.flush(), windowMs);
    this.timer.unref();
  }

  /** Counts one rejected attempt; it is written with the next flush. */
  note(d: Denial): void {
    let key = `${d.sourceIp ?? ''}|${d.status}|${d.actor.id ?? ''}`;
    if (!this.tallies.has(key) && this.tallies.size >= MAX_KEYS) key = OVERFLOW;
    const t = this.tallies.get(key);
    if (!t) {
      const first = key === OVERFLOW ? { ...d, sourceIp: undefined, reason: `attempts from more than ${MAX_KEYS} sources in one window` } : d;
      this.tallies.set(key, { first, count: 1, routes: new Set([d.route]) });
      return;
    }
    t.count++;
    if (t.routes.size < MAX_ROUTES) t.routes.add(d.route);
  }

  /** Writes one record per key counted since the last flush. */
  flush(): Promise<void> {
    const tallies = [...this.tallies.values()];
    this.tallies = new Map();
    this.flushing = this.flushing.then(async () => {
      for (const { first, count, routes } of tallies) {
        await this.write({
          action: 'auth-denied',
          outcome: 'failure',
          actor: first.actor,
          sourceIp: first.sourceIp,
          route: [...routes].join(','),
          reason: first.reason,
          status: first.status,
          count,
        }).catch((err: Error) => this.log.error({ err }, 'could not record denied access attempts'));
      }
    });
    return this.flushing;
  }

  /** Writes what is counted and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** Runs a LogQL log query against a store: parse, bound, push down, return rows. */
import { nowNs, parseDurationNs, parseTimeArg } from '../model/time.js';
import type { Store, StoredRow } from '../store/store.js';
import { QueryArgumentError } from './errors.js';
import { parseLogQuery } from './log-query.js';

export interface QueryRequest {
  query: string;
  /** RFC 3339, Unix epoch (s/ms/ns) or `now-1h`. */
  from?: string;
  to?: string;
  /** Look-back from `to` when `from` is not given (default 1h, as Loki). */
  since?: string;
  limit?: number;
  direction?: 'forward' | 'backward';
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100_000;

export function resolveRange(req: Pick<QueryRequest, 'from' | 'to' | 'since'>, now = nowNs()): { fromNs: bigint; toNs: bigint } {
  const time = (name: string, v: string) => {
    const t = parseTimeArg(v, now);
    if (t === undefined) throw new QueryArgumentError(`${name}: not a time: ${JSON.stringify(v)} (use RFC 3339, a Unix epoch, or now-1h)`);
    return t;
  };
  const toNs = req.to ? time('to', req.to) : now + 1n;
  let fromNs: bigint;
  if (req.from) fromNs = time('from', req.from);
  else {
    const since = parseDurationNs(req.since ?? '1h');
    if (since === undefined) throw new QueryArgumentError(`since: not a duration: ${JSON.stringify(req.since)} (e.g. 15m, 24h, 7d)`);
    fromNs = toNs - since;
  }
  if (fromNs > toNs) throw new QueryArgumentError('from must not be after to');
  return { fromNs, toNs };
}

export async function runQuery(store: Store, req: QueryRequest): Promise<StoredRow[]> {
  const parsed = parseLogQuery(req.query, store.labels);
  const limit = req.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new QueryArgumentError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  const direction = req.direction ?? 'backward';
  if (direction !== 'forward' && direction !== 'backward') throw new QueryArgumentError('direction must be forward or backward');
  return store.query({ ...parsed, ...resolveRange(req), limit, direction });
}

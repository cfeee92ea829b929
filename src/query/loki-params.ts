/**
 * Loki's HTTP query parameters (pkg/loghttp) as the engine takes them: times,
 * steps, limit, direction, and the query frontend's step alignment. Routes
 * parse with these, so every Loki endpoint reads a parameter the same way.
 */
import { nowNs } from '../model/time.js';
import { QueryArgumentError } from './errors.js';
import { parseDuration } from './logql/literals.js';

export type Params = Record<string, string | string[] | undefined>;

export const MAX_ENTRIES_LIMIT = 5000;
const MAX_POINTS = 11_000;

/** The first value of a repeated parameter, as Go's url.Values.Get (which Loki reads parameters with) takes it. */
export const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Loki's parseTimestamp: a float is seconds (ms precision), ≤10 digits seconds, longer ns, else RFC 3339. */
export function parseLokiTime(v: string, name: string): bigint {
  if (v.includes('.')) {
    const f = Number(v);
    if (Number.isNaN(f)) throw new QueryArgumentError(`invalid ${name}: ${v}`);
    return BigInt(Math.round(f * 1000)) * 1_000_000n;
  }
  if (/^-?\d+$/.test(v)) return v.replace('-', '').length <= 10 ? BigInt(v) * 1_000_000_000n : BigInt(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new QueryArgumentError(`cannot parse "${v}" to a valid timestamp`);
  const frac = /\.(\d+)/.exec(v)?.[1] ?? '';
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

/** `step`/`interval`: float seconds or a Prometheus duration. */
export function parseStep(v: string): bigint {
  if (/^-?\d+(\.\d+)?$/.test(v)) return BigInt(Math.round(Number(v) * 1e9));
  const d = parseDuration(v);
  if (d === undefined) throw new QueryArgumentError(`cannot parse "${v}" to a valid duration`);
  return d;
}

/** `start`/`end`/`since`: end defaults to now, start to an hour (or `since`) before the earlier of end and now. */
export function range(p: Params): { startNs: bigint; endNs: bigint } {
  const now = nowNs();
  const endNs = p.end ? parseLokiTime(one(p.end)!, 'end') : now;
  const since = p.since ? parseStep(one(p.since)!) : 3600n * 1_000_000_000n;
  const startNs = p.start ? parseLokiTime(one(p.start)!, 'start') : (endNs > now ? now : endNs) - since;
  return { startNs, endNs };
}

/** `step` (default max(1s, range/250)), positive and at most 11,000 points over the range, as Loki checks it. */
export function stepOf(p: Params, startNs: bigint, endNs: bigint): bigint {
  const stepNs = p.step ? parseStep(one(p.step)!) : defaultStepNs(startNs, endNs);
  if (stepNs <= 0n) throw new QueryArgumentError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  if ((endNs - startNs) / stepNs > BigInt(MAX_POINTS)) {
    throw new QueryArgumentError('exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter');
  }
  return stepNs;
}

export function limitOf(p: Params): number {
  const limit = p.limit === undefined ? 100 : Number(one(p.limit));
  if (!Number.isFinite(limit) || limit <= 0) throw new QueryArgumentError('limit must be a positive value');
  if (limit > MAX_ENTRIES_LIMIT) throw new QueryArgumentError(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${MAX_ENTRIES_LIMIT})`);
  return Math.floor(limit);
}

export function directionOf(p: Params): 'forward' | 'backward' {
  const d = (one(p.direction) ?? 'backward').toLowerCase();
  if (d !== 'forward' && d !== 'backward') throw new QueryArgumentError(`invalid direction '${one(p.direction)}'`);
  return d;
}

/** Loki's query frontend: start rounded down, end rounded up, to a multiple of the step since the epoch. */
export function alignToStep(startNs: bigint, endNs: bigint, stepNs: bigint): { startNs: bigint; endNs: bigint } {
  const floor = (t: bigint) => t - (((t % stepNs) + stepNs) % stepNs);
  const s = floor(startNs);
  const e = floor(endNs) === endNs ? endNs : floor(endNs) + stepNs;
  return { startNs: s, endNs: e };
}

export function defaultStepNs(startNs: bigint, endNs: bigint): bigint {
  const s = (endNs - startNs) / 1_000_000_000n / 250n;
  return (s < 1n ? 1n : s) * 1_000_000_000n;
}

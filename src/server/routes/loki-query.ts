/**
 * Loki's read API (pkg/loghttp, pkg/util/marshal): query, query_range, labels,
 * label values, series, index stats and volume, build info. Same paths,
 * parameters and JSON; errors are 400 text/plain as Loki sends them. Every
 * read is audited like /api/v1/query.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { alignToStep, defaultStepNs, execute, type ExecResult } from '../../query/engine.js';
import { isClientError, QueryArgumentError } from '../../query/errors.js';
import type { LogSelector } from '../../query/logql/ast.js';
import { parseLogQL } from '../../query/logql/build.js';
import { parseDuration } from '../../query/logql/literals.js';
import type { LineView } from '../../query/plan/plan.js';
import { scanEntries } from '../../query/eval/logs.js';
import { planLog } from '../../query/plan/plan.js';
import { nowNs } from '../../model/time.js';
import type { Store } from '../../store/store.js';
import type { AccessLog } from '../access-log.js';
import { formatSampleValue, formatSeconds, lokiResult } from './loki-marshal.js';

export type Params = Record<string, string | string[] | undefined>;

export interface LokiDeps {
  store: Store;
  access: AccessLog;
  /** `loki.line`: the record as received (default) or the ECS JSON. */
  line?: LineView;
  version?: string;
  /** Why the server cannot take work now (GET /ready answers 503 with it). */
  notReady?: () => string | undefined;
}

export const MAX_ENTRIES_LIMIT = 5000;
const MAX_POINTS = 11_000;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);

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

function range(p: Params): { startNs: bigint; endNs: bigint } {
  const now = nowNs();
  const endNs = p.end ? parseLokiTime(one(p.end)!, 'end') : now;
  const since = p.since ? parseStep(one(p.since)!) : 3600n * 1_000_000_000n;
  const startNs = p.start ? parseLokiTime(one(p.start)!, 'start') : (endNs > now ? now : endNs) - since;
  return { startNs, endNs };
}

export function limitOf(p: Params): number {
  const limit = p.limit === undefined ? 100 : Number(one(p.limit));
  if (!Number.isFinite(limit) || limit <= 0) throw new QueryArgumentError('limit must be a positive value');
  if (limit > MAX_ENTRIES_LIMIT) throw new QueryArgumentError(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${MAX_ENTRIES_LIMIT})`);
  return Math.floor(limit);
}

function directionOf(p: Params): 'forward' | 'backward' {
  const d = (one(p.direction) ?? 'backward').toLowerCase();
  if (d !== 'forward' && d !== 'backward') throw new QueryArgumentError(`invalid direction '${one(p.direction)}'`);
  return d;
}

/** Query params from the query string and, for POST, a form body. */
function paramsOf(req: FastifyRequest): Params {
  const q = { ...(req.query as Params) };
  const body = req.body;
  if (body && (typeof body === 'string' || Buffer.isBuffer(body))) {
    for (const [k, v] of new URLSearchParams(body.toString())) {
      const prev = q[k];
      q[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  }
  return q;
}

async function answer(reply: FastifyReply, fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await fn();
  } catch (err) {
    if (isClientError(err)) return reply.code(400).type('text/plain; charset=utf-8').send((err as Error).message);
    throw err;
  }
}

export function lokiQueryRoutes(app: FastifyInstance, deps: LokiDeps): void {
  const view = deps.line ?? 'original';
  // Vigil's own extension (Loki ignores unknown parameters): `line=ecs|original` overrides `loki.line` for one query (vigil query --server uses ecs).
  const viewOf = (p: Params): LineView => {
    const v = one(p.line);
    return v === 'ecs' || v === 'original' ? v : view;
  };
  const audited = async (req: FastifyRequest, query: string, run: () => Promise<ExecResult>): Promise<ExecResult> => {
    let result: ExecResult | undefined;
    await deps.access.audited(req, 'query', query, async () => {
      result = await run();
      return new Array<never>(result.stats.returned);
    });
    return result!;
  };
  // The categorize-labels encoding is not served yet: answering in the plain shape (no encodingFlags) is valid for every client.
  const categorize = (_req: FastifyRequest) => false;
  const read = { config: { scope: 'read' as const } };

  const queryRange = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const query = one(p.query) ?? '';
      let { startNs, endNs } = range(p);
      if (endNs < startNs) throw new QueryArgumentError('end timestamp must not be before or equal to start time');
      const limit = limitOf(p);
      const direction = directionOf(p);
      const expr = parseLogQL(query);
      let stepNs = p.step ? parseStep(one(p.step)!) : defaultStepNs(startNs, endNs);
      if (stepNs <= 0n) throw new QueryArgumentError('zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((endNs - startNs) / stepNs > BigInt(MAX_POINTS)) {
        throw new QueryArgumentError('exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter');
      }
      const intervalNs = p.interval ? parseStep(one(p.interval)!) : undefined;
      if (intervalNs !== undefined && intervalNs < 0n) throw new QueryArgumentError('interval must be >= 0');
      // Loki's query frontend aligns metric ranges to the step.
      if (expr.kind !== 'log') ({ startNs, endNs } = alignToStep(startNs, endNs, stepNs));
      else stepNs = stepNs || 1n;
      const result = await audited(req, query, () =>
        execute(deps.store, { query, startNs, endNs, stepNs, limit, direction, view: viewOf(p), intervalNs: intervalNs || undefined }, expr),
      );
      reply.type('application/json');
      return lokiResult(result, categorize(req));
    });

  const instant = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const query = one(p.query) ?? '';
      const time = p.time ? parseLokiTime(one(p.time)!, 'time') : nowNs();
      const limit = limitOf(p);
      const direction = directionOf(p);
      const expr = parseLogQL(query);
      const result = await audited(req, query, () =>
        execute(deps.store, { query, startNs: time, endNs: time, instant: true, limit, direction, view: viewOf(p) }, expr),
      );
      reply.type('application/json');
      return lokiResult(result, categorize(req));
    });

  for (const method of ['GET', 'POST'] as const) {
    app.route({ method, url: '/loki/api/v1/query_range', ...read, handler: queryRange });
    app.route({ method, url: '/loki/api/v1/query', ...read, handler: instant });
  }

  /** Label names and values seen on the entries a selector matches (all entries without one). */
  const labelSets = async (req: FastifyRequest, p: Params, selector: string | undefined, each: (labels: Map<string, string>) => void) => {
    const { startNs, endNs } = range(p);
    const expr = parseLogQL(selector && selector !== '{}' ? selector : '{dataset=~".+"}');
    const log: LogSelector = expr.kind === 'log' ? expr : (() => { throw new QueryArgumentError('expected a stream selector'); })();
    const plan = planLog(log, deps.store.sql!.catalog, { fromNs: startNs, toNs: endNs, direction: 'backward', view });
    let n = 0;
    await deps.access.audited(req, 'query', selector ?? '{}', async () => {
      for await (const e of scanEntries(deps.store.sql!, plan)) {
        each(e.labels);
        n++;
      }
      return new Array<never>(n);
    });
  };

  app.get('/loki/api/v1/labels', read, async (req, reply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const names = new Set<string>();
      await labelSets(req, p, one(p.query), (l) => l.forEach((_v, k) => names.add(k)));
      return names.size ? { status: 'success', data: [...names].sort() } : { status: 'success' };
    }),
  );

  app.get<{ Params: { name: string } }>('/loki/api/v1/label/:name/values', read, async (req, reply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const values = new Set<string>();
      await labelSets(req, p, one(p.query), (l) => {
        const v = l.get(req.params.name);
        if (v !== undefined) values.add(v);
      });
      return values.size ? { status: 'success', data: [...values].sort() } : { status: 'success' };
    }),
  );

  const series = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const matches = [p['match[]'], p.match].flat().filter((m): m is string => !!m);
      const seen = new Map<string, Record<string, string>>();
      for (const m of matches.length ? matches : [undefined]) {
        await labelSets(req, p, m, (l) => {
          const obj = Object.fromEntries([...l].sort(([a], [b]) => (a < b ? -1 : 1)));
          seen.set(JSON.stringify(obj), obj);
        });
      }
      return { status: 'success', data: [...seen.values()] };
    });
  app.get('/loki/api/v1/series', read, series);
  app.post('/loki/api/v1/series', read, series);

  const stats = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const streams = new Set<string>();
      let entries = 0;
      let bytes = 0;
      await labelSets(req, p, one(p.query), (l) => {
        streams.add(JSON.stringify([...l].sort()));
        entries++;
      });
      void bytes;
      // Bytes are approximated by the scan (the line view's length).
      const { startNs, endNs } = range(p);
      const sel = one(p.query);
      if (entries) {
        const expr = parseLogQL(sel && sel !== '{}' ? sel : '{dataset=~".+"}');
        if (expr.kind === 'log') {
          const plan = planLog(expr, deps.store.sql!.catalog, { fromNs: startNs, toNs: endNs, direction: 'backward', view });
          for await (const e of scanEntries(deps.store.sql!, plan)) bytes += Buffer.byteLength(e.line);
        }
      }
      return { streams: streams.size, chunks: streams.size, bytes, entries };
    });
  app.get('/loki/api/v1/index/stats', read, stats);
  app.post('/loki/api/v1/index/stats', read, stats);

  const volume = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const { endNs } = range(p);
      const target = one(p.targetLabels)?.split(',').filter(Boolean);
      const sums = new Map<string, { metric: Record<string, string>; bytes: number }>();
      const expr = parseLogQL(one(p.query) ?? '{dataset=~".+"}');
      if (expr.kind !== 'log') throw new QueryArgumentError('expected a stream selector');
      const names = target ?? expr.matchers.map((m) => m.name);
      const { startNs } = range(p);
      const plan = planLog(expr, deps.store.sql!.catalog, { fromNs: startNs, toNs: endNs, direction: 'backward', view });
      await deps.access.audited(req, 'query', one(p.query) ?? '', async () => {
        for await (const e of scanEntries(deps.store.sql!, plan)) {
          const metric = Object.fromEntries(names.filter((n) => e.labels.has(n)).map((n) => [n, e.labels.get(n)!]));
          const k = JSON.stringify(metric);
          const s = sums.get(k) ?? { metric, bytes: 0 };
          s.bytes += Buffer.byteLength(e.line);
          sums.set(k, s);
        }
        return new Array<never>(sums.size);
      });
      const limit = p.limit ? Number(one(p.limit)) : 100;
      const result = [...sums.values()].sort((a, b) => b.bytes - a.bytes).slice(0, limit)
        .map((s) => ({ metric: s.metric, value: [formatSeconds(endNs), formatSampleValue(s.bytes)] }));
      return { status: 'success', data: { resultType: 'vector', result } };
    });
  app.get('/loki/api/v1/index/volume', read, volume);
  app.post('/loki/api/v1/index/volume', read, volume);

  app.get('/ready', { config: { scope: 'public' } }, async (_req, reply) => {
    const reason = deps.notReady?.();
    reply.type('text/plain; charset=utf-8');
    return reason ? reply.code(503).send(reason) : 'ready';
  });

  app.get('/loki/api/v1/status/buildinfo', read, async () => ({
    version: deps.version ?? '3.0.0',
    revision: 'vigil',
    branch: 'main',
    buildUser: 'vigil',
    buildDate: '',
    goVersion: '',
  }));
}

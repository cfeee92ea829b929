/**
 * Loki's read API (pkg/loghttp, pkg/util/marshal): query, query_range, labels,
 * label values, series, index stats and volume, build info. Same paths,
 * parameters and JSON; errors are text/plain as Loki sends them (400, 504
 * past query.timeout, 429 when query.max_concurrent are busy). Every
 * read is audited like /api/v1/query.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { execute, type ExecResult } from '../../query/engine.js';
import { isClientError, QueryArgumentError, QueryRejectedError, QueryTimeoutError } from '../../query/errors.js';
import type { QueryGate } from '../../query/gate.js';
import { indexStats, indexVolume, labelNames, labelValues, seriesOf, type IndexResult } from '../../query/index-queries.js';
import { parseLogQL } from '../../query/logql/build.js';
import { alignToStep, stepOf, directionOf, limitOf, one, parseLokiTime, parseStep, range, type Params } from '../../query/loki-params.js';
import type { LineView } from '../../query/plan/plan.js';
import type { QueryBudget } from '../../query/budget.js';
import { nowNs } from '../../model/time.js';
import type { Store } from '../../store/store.js';
import type { AccessLog } from '../access-log.js';
import { formatSampleValue, formatSeconds, lokiResult } from './loki-marshal.js';

export interface LokiDeps {
  store: Store;
  access: AccessLog;
  /** Admits and budgets every query (query.max_concurrent, query.timeout). */
  queries: QueryGate;
  /** `loki.line`: the record as received (default) or the ECS JSON. */
  line?: LineView;
  version?: string;
  /** Why the server cannot take work now (GET /ready answers 503 with it). */
  notReady?: () => string | undefined;
}


/**
 * Query params from a POST's form body and the query string, body first, as
 * Go's Request.ParseForm orders them (so the first value, which Loki takes, is the body's).
 */
function paramsOf(req: FastifyRequest): Params {
  const q: Params = {};
  const add = (k: string, v: string | string[] | undefined) => {
    if (v === undefined) return;
    const prev = q[k];
    q[k] = prev === undefined ? v : [prev, v].flat();
  };
  const body = req.body;
  if (body && (typeof body === 'string' || Buffer.isBuffer(body))) {
    for (const [k, v] of new URLSearchParams(body.toString())) add(k, v);
  }
  for (const [k, v] of Object.entries((req.query ?? {}) as Params)) add(k, v);
  return q;
}

/**
 * Loki's answer to a query error, as its pkg/util/server does: 400 for the
 * client's errors, 504 past the deadline, 429 when the queue is full (with
 * Retry-After, which Loki clients ignore); undefined for a fault of the server.
 */
export function lokiErrorReply(reply: FastifyReply, err: unknown): FastifyReply | undefined {
  const text = (status: number) => reply.code(status).type('text/plain; charset=utf-8').send((err as Error).message);
  if (isClientError(err)) return text(400);
  if (err instanceof QueryTimeoutError) return text(504);
  if (err instanceof QueryRejectedError) {
    reply.header('retry-after', String(err.retryAfterSeconds));
    return text(429);
  }
  return undefined;
}

async function answer(reply: FastifyReply, fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await fn();
  } catch (err) {
    const sent = lokiErrorReply(reply, err);
    if (sent) return sent;
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
  const audited = (req: FastifyRequest, query: string, run: (budget: QueryBudget) => Promise<ExecResult>): Promise<ExecResult> =>
    deps.access.audited(req, 'query', query, () => deps.queries.run(run), (r) => r.stats.returned);
  // The categorize-labels encoding is not served yet: answering in the plain shape (no encodingFlags) is valid for every client.
  const categorize = (_req: FastifyRequest) => false;
  const read = { config: { scope: 'read' as const } };

  // Parameters are parsed inside the audited read, so a refused query is recorded as a failed read.
  const queryRange = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const query = one(p.query) ?? '';
      const result = await audited(req, query, (budget) => {
        let { startNs, endNs } = range(p);
        if (endNs < startNs) throw new QueryArgumentError('end timestamp must not be before or equal to start time');
        const limit = limitOf(p);
        const direction = directionOf(p);
        const expr = parseLogQL(query);
        let stepNs = stepOf(p, startNs, endNs);
        const intervalNs = p.interval ? parseStep(one(p.interval)!) : undefined;
        if (intervalNs !== undefined && intervalNs < 0n) throw new QueryArgumentError('interval must be >= 0');
        // Loki's query frontend aligns metric ranges to the step.
        if (expr.kind !== 'log') ({ startNs, endNs } = alignToStep(startNs, endNs, stepNs));
        else stepNs = stepNs || 1n;
        return execute(deps.store, { query, startNs, endNs, stepNs, limit, direction, view: viewOf(p), intervalNs: intervalNs || undefined }, expr, budget);
      });
      reply.type('application/json');
      return lokiResult(result, categorize(req));
    });

  const instant = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const query = one(p.query) ?? '';
      const result = await audited(req, query, (budget) => {
        const time = p.time ? parseLokiTime(one(p.time)!, 'time') : nowNs();
        const limit = limitOf(p);
        const direction = directionOf(p);
        const expr = parseLogQL(query);
        return execute(deps.store, { query, startNs: time, endNs: time, instant: true, limit, direction, view: viewOf(p) }, expr, budget);
      });
      reply.type('application/json');
      return lokiResult(result, categorize(req));
    });

  for (const method of ['GET', 'POST'] as const) {
    app.route({ method, url: '/loki/api/v1/query_range', ...read, handler: queryRange });
    app.route({ method, url: '/loki/api/v1/query', ...read, handler: instant });
  }

  const index = <T>(req: FastifyRequest, query: string, run: () => Promise<IndexResult<T>>): Promise<IndexResult<T>> =>
    deps.access.audited(req, 'query', query, () => deps.queries.run(run), (r) => r.matched);
  const success = (data: string[]) => (data.length ? { status: 'success', data } : { status: 'success' });

  app.get('/loki/api/v1/labels', read, async (req, reply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const selector = one(p.query);
      const r = await index(req, selector ?? '{}', () => labelNames(deps.store, { selector, ...range(p), view }));
      return success(r.data);
    }),
  );

  app.get<{ Params: { name: string } }>('/loki/api/v1/label/:name/values', read, async (req, reply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const selector = one(p.query);
      const r = await index(req, selector ?? '{}', () => labelValues(deps.store, req.params.name, { selector, ...range(p), view }));
      return success(r.data);
    }),
  );

  const series = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const matches = [p['match[]'], p.match].flat().filter((m): m is string => !!m);
      const r = await index(req, matches.join(', ') || '{}', () => seriesOf(deps.store, matches, { ...range(p), view }));
      return { status: 'success', data: r.data };
    });
  app.get('/loki/api/v1/series', read, series);
  app.post('/loki/api/v1/series', read, series);

  const stats = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const selector = one(p.query);
      return (await index(req, selector ?? '{}', () => indexStats(deps.store, { selector, ...range(p), view }))).data;
    });
  app.get('/loki/api/v1/index/stats', read, stats);
  app.post('/loki/api/v1/index/stats', read, stats);

  const volume = async (req: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = paramsOf(req);
      const selector = one(p.query);
      const targetLabels = one(p.targetLabels)?.split(',').filter(Boolean);
      const limit = p.limit ? Number(one(p.limit)) : 100;
      let endNs = 0n;
      const r = await index(req, selector ?? '', () => {
        const window = range(p);
        endNs = window.endNs;
        return indexVolume(deps.store, { selector, ...window, view, targetLabels, limit });
      });
      const result = r.data.map((s) => ({ metric: s.metric, value: [formatSeconds(endNs), formatSampleValue(s.bytes)] }));
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

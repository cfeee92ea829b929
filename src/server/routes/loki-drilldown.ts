/**
 * The Loki reads behind Grafana's Logs Drilldown and `logcli volume_range` /
 * `detected-fields`: index/volume_range, detected_fields (and a field's
 * values), detected_labels and patterns, with Loki's parameters
 * (pkg/loghttp) and JSON (pkg/util/marshal, pkg/logproto). Errors are 400
 * text/plain; every read is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QueryArgumentError } from '../../query/errors.js';
import { detectedFieldValues, detectedFields, type FieldsRequest } from '../../query/detected-fields.js';
import { detectedLabels, volumeRange, type Window } from '../../query/drilldown.js';
import { patterns } from '../../query/patterns.js';
import type { LineView } from '../../query/plan/plan.js';
import { formatSampleValue, formatSeconds } from './loki-marshal.js';
import { limitOf, MAX_ENTRIES_LIMIT, one, range, stepOf, type Params } from '../../query/loki-params.js';
import { lokiErrorReply, type LokiDeps } from './loki-query.js';

const param = (p: Params, name: string): string | undefined => one(p[name]);

/** Loki's bounds(): `end` (default now), `start` (default `end` − `since`, `since` 1h); end before start is refused. */
function windowOf(p: Params, view: LineView): Window {
  const { startNs, endNs } = range(p);
  if (endNs < startNs) throw new QueryArgumentError('end timestamp must not be before or equal to start time');
  // Vigil's `line=ecs|original`, as on query_range.
  const line = param(p, 'line');
  return { query: param(p, 'query') ?? '', startNs, endNs, view: line === 'ecs' || line === 'original' ? line : view };
}

/** A positive integer parameter (Loki's parseInt with a default). */
function positive(p: Params, name: string, fallback: number, error: string): number {
  const v = param(p, name);
  const n = v === undefined || v === '' ? fallback : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new QueryArgumentError(error);
  return n;
}

function fieldsRequest(p: Params, view: LineView): FieldsRequest {
  const w = windowOf(p, view);
  stepOf(p, w.startNs, w.endNs);
  const lineLimit = positive(p, 'line_limit', 100, 'limit must be a positive value');
  if (lineLimit > MAX_ENTRIES_LIMIT) throw new QueryArgumentError(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${lineLimit} > ${MAX_ENTRIES_LIMIT})`);
  const limit = positive(p, param(p, 'limit') === undefined ? 'field_limit' : 'limit', 1000, 'limit must be a positive value');
  return { ...w, lineLimit, limit };
}

const read = { config: { scope: 'read' as const } };

export function lokiDrilldownRoutes(app: FastifyInstance, deps: LokiDeps): void {
  const view = deps.line ?? 'original';
  /** Runs one read, audited with the number of items answered; errors as Loki answers them (lokiErrorReply). */
  const route = (run: (p: Params, req: FastifyRequest) => Promise<{ count: number; body: unknown }>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const p = req.query as Params;
      try {
        const answer = await deps.access.audited(req, 'query', param(p, 'query') ?? '', () => deps.queries.run(() => run(p, req)), (r) => r.count);
        return answer.body;
      } catch (err) {
        const sent = lokiErrorReply(reply, err);
        if (sent) return sent;
        throw err;
      }
    };

  const volume = route(async (p) => {
    const w = windowOf(p, view);
    const stepNs = stepOf(p, w.startNs, w.endNs);
    const aggregateBy = param(p, 'aggregateBy') || 'series';
    if (aggregateBy !== 'series' && aggregateBy !== 'labels') throw new QueryArgumentError('invalid aggregation option');
    const targetLabels = param(p, 'targetLabels')?.split(',').filter(Boolean);
    const limit = param(p, 'limit') === '0' ? 100 : limitOf(p);
    const items = await volumeRange(deps.store, { ...w, stepNs, aggregateBy, limit, ...(targetLabels?.length ? { targetLabels } : {}) });
    return {
      count: items.length,
      body: {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: items.map((s) => ({ metric: s.metric, values: s.samples.map(([t, v]) => [formatSeconds(t), formatSampleValue(v)]) })),
        },
      },
    };
  });
  app.get('/loki/api/v1/index/volume_range', read, volume);

  app.get('/loki/api/v1/detected_fields', read, route(async (p) => {
    const r = fieldsRequest(p, view);
    const items = await detectedFields(deps.store, r);
    return { count: items.length, body: items.length ? { fields: items, limit: r.limit } : {} };
  }));

  app.get('/loki/api/v1/detected_field/:name/values', read, route(async (p, req) => {
    const r = fieldsRequest(p, view);
    const items = await detectedFieldValues(deps.store, r, (req.params as { name: string }).name);
    return { count: items.length, body: items.length ? { values: items, limit: r.limit } : {} };
  }));

  app.get('/loki/api/v1/detected_labels', read, route(async (p) => {
    const items = await detectedLabels(deps.store, windowOf(p, view));
    return { count: items.length, body: { detectedLabels: items } };
  }));

  app.get('/loki/api/v1/patterns', read, route(async (p) => {
    const w = windowOf(p, view);
    const items = await patterns(deps.store, { ...w, stepNs: stepOf(p, w.startNs, w.endNs) });
    return {
      count: items.length,
      body: {
        status: 'success',
        data: items.map((s) => ({ pattern: s.pattern, level: s.level, samples: s.samples.map(([t, n]) => [Math.floor(Number(t / 1_000_000_000n)), n]) })),
      },
    };
  }));
}

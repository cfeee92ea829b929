/** GET /api/v1/query — a LogQL log query over the stored ECS events; every call is audited. */
import type { FastifyInstance } from 'fastify';
import { runQuery, type QueryRequest } from '../../query/engine.js';
import type { QueryGate } from '../../query/gate.js';
import { withVigil, type AuditStore } from '../../store/index.js';
import type { AccessLog } from '../access-log.js';
import { singleParams } from '../params.js';

type QueryParam = 'query' | 'from' | 'to' | 'start' | 'end' | 'since' | 'limit' | 'direction';

export function queryRoutes(app: FastifyInstance, deps: { store: AuditStore; access: AccessLog; queries: QueryGate }): void {
  app.get('/api/v1/query', { config: { scope: 'read' } }, async (req, reply) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const started = performance.now();
    // Parameters are checked inside the audited read, so a refused one is recorded as a failed read.
    const rows = await deps.access.audited(req, 'query', String(raw.query ?? ''), () => {
      const q = singleParams<QueryParam>(raw);
      const request: QueryRequest = {
        query: q.query ?? '',
        from: q.from ?? q.start,
        to: q.to ?? q.end,
        since: q.since,
        limit: q.limit === undefined ? undefined : Number(q.limit),
        direction: q.direction as QueryRequest['direction'],
      };
      return deps.queries.run((budget) => runQuery(deps.store, request, budget));
    });
    const elapsed = performance.now() - started;
    reply.type('application/json');
    return `{"events":[${rows.map(withVigil).join(',')}],"stats":{"returned":${rows.length},"elapsed_ms":${elapsed.toFixed(1)}}}`;
  });
}

/** POST /api/v1/events — ECS events as NDJSON or a JSON array, acknowledged after a durable commit. */
import type { FastifyInstance } from 'fastify';
import type { IngestService } from '../../ingest/service.js';
import { bodyOf } from '../body.js';

export interface EventsRouteDeps {
  ingest: IngestService;
  maxBodyBytes: number;
}

export function eventsRoutes(app: FastifyInstance, deps: EventsRouteDeps): void {
  app.post<{ Querystring: { partial?: string } }>(
    '/api/v1/events',
    { config: { scope: 'ingest' } },
    async (req, reply) => {
      const body = await bodyOf(req, deps.maxBodyBytes);
      const key = req.headers['idempotency-key'];
      const result = await deps.ingest.ingestBody(body, {
        source: 'api.events',
        partial: req.query.partial === 'true' || req.query.partial === '1',
        idempotencyKey: typeof key === 'string' && key !== '' ? key : undefined,
      });
      return reply.code(result.status).send(result.body);
    },
  );
}

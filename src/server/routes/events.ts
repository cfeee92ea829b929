/** POST /api/v1/events — ECS events as NDJSON or a JSON array, acknowledged after a durable commit. */
import type { FastifyInstance } from 'fastify';
import type { IngestService } from '../../ingest/service.js';
import { getFormat } from '../../formats/registry.js';
import type { Format } from '../../formats/format.js';
import { bodyOf, HttpError } from '../body.js';

/**
 * The input format: `?format=`, else a `format` parameter of the Content-Type
 * (`application/x-ndjson; format=auditd`), else `text/plain` means `auto`
 * (any line of any format) and everything else means ECS.
 */
function formatOf(query: string | undefined, contentType: string | undefined): Format {
  const fromType = /;\s*format=([\w.-]+)/i.exec(contentType ?? '')?.[1];
  const name = query ?? fromType ?? (/^text\/plain/i.test(contentType ?? '') ? 'auto' : 'ecs');
  try {
    return getFormat(name);
  } catch (err) {
    throw new HttpError(400, (err as Error).message);
  }
}

export interface EventsRouteDeps {
  ingest: IngestService;
  maxBodyBytes: number;
}

export function eventsRoutes(app: FastifyInstance, deps: EventsRouteDeps): void {
  app.post<{ Querystring: { partial?: string; format?: string } }>(
    '/api/v1/events',
    { config: { scope: 'ingest' } },
    async (req, reply) => {
      const body = await bodyOf(req, deps.maxBodyBytes);
      const key = req.headers['idempotency-key'];
      const result = await deps.ingest.ingestFormatted(body, formatOf(req.query.format, req.headers['content-type']), {
        source: 'api.events',
        partial: req.query.partial === 'true' || req.query.partial === '1',
        idempotencyKey: typeof key === 'string' && key !== '' ? key : undefined,
      });
      return reply.code(result.status).send(result.body);
    },
  );
}

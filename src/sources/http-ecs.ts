/** POST /api/v1/events — ECS events as NDJSON or a JSON array (or another input format), acknowledged after a durable commit. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Format } from '../formats/format.js';
import { IngestError } from '../ingest/errors.js';
import { bodyOf } from './http-body.js';
import { idempotencyKeyOf } from './idempotency-key.js';
import type { HttpSourceDeps, Source } from './source.js';

export const HttpEcsConfig = Type.Object(
  { type: Type.Literal('http-ecs', { description: 'POST /api/v1/events: ECS NDJSON or JSON arrays, or any input format (?format=), scope ingest' }) },
  { additionalProperties: false },
);
export type HttpEcsConfig = Static<typeof HttpEcsConfig>;

/**
 * The input format: `?format=`, else a `format` parameter of the Content-Type
 * (`application/x-ndjson; format=auditd`), else `text/plain` means `auto`
 * (any line of any format) and everything else means ECS.
 */
function formatOf(getFormat: (name: string) => Format, query: string | undefined, contentType: string | undefined): Format {
  const fromType = /;\s*format=([\w.-]+)/i.exec(contentType ?? '')?.[1];
  const name = query ?? fromType ?? (/^text\/plain/i.test(contentType ?? '') ? 'auto' : 'ecs');
  try {
    return getFormat(name);
  } catch (err) {
    throw new IngestError('bad-body', (err as Error).message);
  }
}

function routes(app: FastifyInstance, deps: HttpSourceDeps): void {
  // The decoders load with the route, not with this file: the config schema imports it (and `vigil --help` reads that).
  const formats = import('../formats/registry.js');
  app.post<{ Querystring: { partial?: string; format?: string } }>(
    '/api/v1/events',
    { config: { scope: 'ingest' } },
    async (req, reply) => {
      const body = await bodyOf(req, deps.maxBodyBytes);
      const format = formatOf((await formats).getFormat, req.query.format, req.headers['content-type']);
      const result = await deps.ingest.ingest({ kind: 'formatted', format, body }, {
        source: 'api.events',
        partial: req.query.partial === 'true' || req.query.partial === '1',
        idempotencyKey: idempotencyKeyOf(req, 'api.events'),
      });
      return deps.answer(reply, result, 'vigil');
    },
  );
}

export function httpEcsSource(_config: HttpEcsConfig): Source {
  return { type: 'http-ecs', routes };
}

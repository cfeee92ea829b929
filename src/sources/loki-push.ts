/**
 * POST /loki/api/v1/push — Loki's push API, so Promtail, Grafana Alloy,
 * Fluent Bit's `loki` output, pino-loki and winston-loki ship to Vigil
 * unchanged. Bodies: JSON (`application/json`) or a raw-block snappy
 * `logproto.PushRequest` (`application/x-protobuf`, or no content type, as
 * Loki reads it); `Content-Encoding: gzip` or `deflate` on top of either.
 *
 * Every entry is one record for the `auto` format (one decoder per stream, so
 * auditd records pushed as separate entries still group); a line with no time
 * of its own takes the entry's timestamp. The stream's labels are stored as
 * sent in the event's ECS `labels` object (structured metadata too, stream
 * labels winning), which is where the Loki read API takes stream labels from.
 * Answered 204 once the events are durably committed; a resend of the same
 * body (or the same `Idempotency-Key`) stores nothing twice.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IngestError } from '../ingest/errors.js';
import { bodyOf, inflated, rawBody } from './http-body.js';
import { idempotencyKeyOf, scopedKey } from './idempotency-key.js';
import type { DecodedRecords } from '../ingest/service.js';
import { bodyUtf8Error } from '../ingest/utf8.js';
import type { PushDecodeOptions } from './loki-push-body.js';
import type { HttpSourceDeps, Source } from './source.js';

export const LokiPushConfig = Type.Object(
  {
    type: Type.Literal('loki-push', {
      description: 'POST /loki/api/v1/push: Loki push API (JSON or snappy protobuf; Promtail, Alloy, Fluent Bit, pino-loki, winston-loki), scope ingest',
    }),
  },
  { additionalProperties: false },
);
export type LokiPushConfig = Static<typeof LokiPushConfig>;

function routes(app: FastifyInstance, deps: HttpSourceDeps): void {
  const decodeOptions: PushDecodeOptions = { maxRecordBytes: deps.maxRecordBytes, keepOriginal: deps.keepOriginal, k8sPolicy: deps.k8sPolicy };
  // The decoders (protobuf, snappy) load with the route, not with this file: the config schema imports it.
  const decoders = import('./loki-push-body.js');
  app.post('/loki/api/v1/push', { config: { scope: 'ingest' } }, async (req, reply) => {
    const { decodePush, parsePushJson, parsePushProto } = await decoders;
    const encoding = (req.headers['content-encoding'] ?? '').toLowerCase().trim();
    try {
      let body: Buffer;
      if (encoding === 'snappy') body = rawBody(req); // Loki tolerates it: the protobuf body is snappy anyway
      else if (encoding === 'deflate') body = await inflated(rawBody(req), deps.maxBodyBytes);
      else body = await bodyOf(req, deps.maxBodyBytes);
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const digest = createHash('sha256').update(type).update('\0').update(body).digest('hex');
      // Without a key, the body is one: a retried push (lost response) is stored once.
      const key = idempotencyKeyOf(req, 'loki.push') ?? scopedKey(req, 'loki.push', `body:${digest}`);
      // A JSON body that is not UTF-8 is one rejected record, dead-lettered with its bytes (a protobuf body's lines are checked one by one).
      const notUtf8 = type === 'application/json' ? bodyUtf8Error(body) : undefined;
      let decode: () => DecodedRecords;
      if (notUtf8) decode = () => ({ records: [], errors: [notUtf8] });
      else {
        const streams = type === 'application/json' ? parsePushJson(body) : parsePushProto(body, deps.maxBodyBytes);
        decode = () => decodePush(streams, decodeOptions);
      }
      const result = await deps.ingest.ingest(
        { kind: 'records', decode },
        { source: 'loki.push', partial: true, idempotencyKey: key, idempotencyDigest: digest },
      );
      return deps.answer(reply, result, 'loki');
    } catch (err) {
      if (err instanceof IngestError) return deps.answer(reply, err, 'loki');
      throw err;
    }
  });
}

export function lokiPushSource(_config: LokiPushConfig): Source {
  return { type: 'loki-push', routes };
}

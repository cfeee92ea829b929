/**
 * What an ingest came to (src/model/ingest-result.ts), as HTTP: Vigil's JSON
 * answer (200 with counts, 400 naming rejected records, 503 with Retry-After
 * when overloaded), or Loki's (204, or a 400 text naming the entries that were
 * not stored). A resend of a committed request is answered as the first time.
 * Bodies that cannot be read (IngestError) get the status of their kind.
 */
import type { FastifyReply } from 'fastify';
import { IngestError, type IngestErrorKind } from '../ingest/errors.js';
import type { Accepted, IngestOutcome, RejectedRecord } from '../model/ingest-result.js';
import type { AnswerDialect } from '../sources/source.js';
import { ERROR_CODES, errorBody, type ErrorCode } from './errors.js';

/** The JSON body of an ingest answer (POST /api/v1/events, /api/v1/k8s/audit). */
export interface IngestAnswerBody {
  accepted: number;
  dropped?: number;
  by_format?: Record<string, number>;
  excluded?: number;
  rejected?: number;
  errors?: RejectedRecord[];
}

const CODE: Record<IngestErrorKind, ErrorCode> = { 'bad-body': 'bad_request', 'too-large': 'payload_too_large', 'unsupported-encoding': 'unsupported_media_type' };

function acceptedBody(r: Accepted): IngestAnswerBody {
  const body: IngestAnswerBody = { accepted: r.accepted };
  if (r.dropped) body.dropped = r.dropped;
  if (r.byFormat) body.by_format = r.byFormat;
  if (r.excluded) body.excluded = r.excluded;
  if (r.rejected) Object.assign(body, { rejected: r.rejected, errors: r.errors });
  return body;
}

/** The status and JSON body of a stored or rejected batch. */
function vigilAnswer(r: Exclude<IngestOutcome, { kind: 'duplicate' | 'backpressure' | 'key-reused' }>): { status: number; body: IngestAnswerBody } {
  if (r.kind === 'rejected') return { status: 400, body: { accepted: 0, rejected: r.rejected, errors: r.errors } };
  return { status: 200, body: acceptedBody(r) };
}

function lokiText(body: IngestAnswerBody): string {
  const errors = (body.errors ?? []).map((e) => `entry ${e.line}: ${e.path ? `${e.path}: ` : ''}${e.reason}`);
  return `${body.rejected ?? 0} entries rejected, ${body.accepted} stored:\n${errors.join('\n')}\n`;
}

/** Sends an ingest's result, or why its body could not be read, in the route's dialect. */
export function answerIngest(reply: FastifyReply, result: IngestOutcome | IngestError, dialect: AnswerDialect): FastifyReply {
  if (result instanceof IngestError) {
    if (dialect === 'loki' && result.kind === 'bad-body') return reply.code(400).type('text/plain; charset=utf-8').send(`${result.message}\n`);
    return reply.code(ERROR_CODES[CODE[result.kind]].status).send(errorBody(CODE[result.kind], result.message));
  }
  if (result.kind === 'backpressure') return reply.code(503).header('retry-after', '1').send(errorBody('overloaded', result.reason));
  if (result.kind === 'key-reused') {
    const message = 'this Idempotency-Key was used before with a different body; nothing was stored (use a new key for new content)';
    if (dialect === 'loki') return reply.code(422).type('text/plain; charset=utf-8').send(`${message}\n`);
    return reply.code(422).send(errorBody('idempotency_key_reused', message));
  }
  const { status, body } = vigilAnswer(result.kind === 'duplicate' ? result.of : result);
  if (dialect === 'vigil') return reply.code(status).send(body);
  if (status === 200 && !body.rejected) return reply.code(204).send();
  return reply.code(400).type('text/plain; charset=utf-8').send(lokiText(body));
}

/**
 * Ingest sources: where events come from (an HTTP route, files) and how they
 * reach the ingest service. One file per source, each exporting its config
 * (TypeBox, listed under `sources:` in src/config/schema.ts through
 * registry.ts) and a factory.
 *
 * src/sources may import src/ingest, src/formats, src/policy, src/model, the
 * types of src/config and Fastify's types; never src/store/<engine>/, nor
 * src/server: the server hands HTTP sources what they need (HttpSourceDeps),
 * and the mapping of ingest results to HTTP answers stays there.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IngestError } from '../ingest/errors.js';
import type { IngestService } from '../ingest/service.js';
import type { IngestOutcome } from '../model/ingest-result.js';
import type { CompiledPolicy } from '../policy/k8s/index.js';

/** How a route answers: Vigil's JSON, or Loki's push protocol (204, text errors). */
export type AnswerDialect = 'vigil' | 'loki';

/** What the server gives an HTTP source. */
export interface HttpSourceDeps {
  ingest: IngestService;
  /** Largest request body, after decompression (server.max_body_bytes). */
  maxBodyBytes: number;
  maxRecordBytes: number;
  keepOriginal: boolean;
  /** Kubernetes audit policy; undefined keeps everything. */
  k8sPolicy?: CompiledPolicy;
  /** Sends what an ingest came to, or why its body could not be read, as the dialect's HTTP answer. */
  answer(reply: FastifyReply, result: IngestOutcome | IngestError, dialect: AnswerDialect): FastifyReply;
}

export interface Source {
  /** The config `type` it was made from. */
  readonly type: string;
  /** An HTTP source's routes on the server, each with its auth scope (`config.scope`). */
  routes?(app: FastifyInstance, deps: HttpSourceDeps): void;
}

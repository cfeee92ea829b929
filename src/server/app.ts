/**
 * The HTTP server: Fastify with raw bodies, token auth on every route by
 * default, the HTTP sources' routes (src/sources), and errors mapped to
 * statuses (400 bad input, 401/403 auth, 413 too large, 429 too many queries
 * and 503 backpressure with Retry-After, 504 past query.timeout, 507 full
 * disk with Retry-After).
 */
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { TokenStore } from '../auth/tokens.js';
import type { Config } from '../config/load.js';
import { BackpressureError } from '../ingest/group-commit.js';
import type { IngestService } from '../ingest/service.js';
import { isClientError, QueryRejectedError, QueryTimeoutError } from '../query/errors.js';
import type { QueryGate } from '../query/gate.js';
import type { CompiledPolicy } from '../policy/k8s/index.js';
import type { Checkpointer } from '../integrity/signing/index.js';
import type { Ledger } from '../store/ledger.js';
import { isDiskFull, type AuditStore } from '../store/index.js';
import type { Metrics } from '../telemetry/metrics.js';
import { IngestError } from '../ingest/errors.js';
import type { Source } from '../sources/source.js';
import { AccessLog } from './access-log.js';
import { registerAuth } from './auth.js';
import { DeniedAccess } from './denied-access.js';
import { ApiError, codeForStatus, errorBody } from './errors.js';
import { HttpError, registerRawBodies } from './body.js';
import { answerIngest } from './ingest-answer.js';
import { healthRoutes } from './routes/health.js';
import { integrityRoutes } from './routes/integrity.js';
import { exportRoutes } from './routes/export.js';
import { lokiDrilldownRoutes } from './routes/loki-drilldown.js';
import { lokiQueryRoutes } from './routes/loki-query.js';
import { lokiTailRoutes } from './routes/loki-tail.js';
import { queryRoutes } from './routes/query.js';
import { tokenRoutes } from './routes/tokens.js';

export interface ServerDeps {
  config: Config;
  store: AuditStore;
  ingest: IngestService;
  /** The configured sources (src/sources); the HTTP ones get their routes here. */
  sources: readonly Source[];
  metrics: Metrics;
  /** undefined when auth is `none` */
  tokens: TokenStore | undefined;
  notReady: () => string | undefined;
  /** Audit policy for Kubernetes events; undefined keeps everything. */
  k8sPolicy?: CompiledPolicy;
  /** The store's Merkle tree and checkpoints (proof, checkpoint and log routes). */
  ledger?: Ledger;
  /** Signs checkpoints; undefined when sealing is off. */
  checkpoints?: Checkpointer;
  /** The DuckDB store, for GET /api/v1/export (COPY to CSV/Parquet). */
  exportStore?: AuditStore;
  /** How long rejected credentials are counted before one record per source is written (default 10 s). */
  deniedWindowMs?: number;
  /** Admits and budgets every LogQL query (config `query:`). */
  queries: QueryGate;
}

/** Seconds a client waits before retrying on a full disk: freeing space takes an operator. */
const DISK_FULL_RETRY_S = 30;

export function buildServer(deps: ServerDeps): FastifyInstance {
  const { config } = deps;
  const { cert, key, client_ca } = config.server.tls;
  const tls = cert && key
    ? {
        cert: readFileSync(cert),
        key: readFileSync(key),
        // Client certificates are asked for, and checked in the auth hook, so
        // token clients without one still connect.
        ...(client_ca ? { ca: readFileSync(client_ca), requestCert: true, rejectUnauthorized: false } : {}),
      }
    : undefined;
  const app = Fastify({
    logger: { level: config.log.level },
    bodyLimit: config.server.max_body_bytes,
    logController: new LogController({ disableRequestLogging: true }),
    ...(tls ? { https: tls } : {}),
  }) as unknown as FastifyInstance;
  registerRawBodies(app);
  const access = new AccessLog(deps.ingest);
  const denied = new DeniedAccess((r) => access.record(r), app.log, deps.deniedWindowMs);
  // After the last request, before the ingest stack closes (runtime/server.ts stops it after the app).
  app.addHook('onClose', () => denied.close());
  registerAuth(app, deps.tokens, Boolean(tls && client_ca), (d) => denied.note(d));
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(errorBody(err.code, err.message));
    if (err instanceof HttpError) return reply.code(err.status).send(errorBody(codeForStatus(err.status), err.message));
    if (err instanceof IngestError) return answerIngest(reply, err, 'vigil');
    if (isClientError(err)) return reply.code(400).send(errorBody('bad_query', err.message));
    if (err instanceof QueryTimeoutError) return reply.code(504).send(errorBody('query_timeout', `query cancelled after query.timeout: ${err.message}`));
    if (err instanceof QueryRejectedError) {
      return reply.code(429).header('retry-after', String(err.retryAfterSeconds)).send(errorBody('too_many_queries', 'too many queries are running; retry after Retry-After'));
    }
    if (err instanceof BackpressureError) {
      return reply.code(503).header('retry-after', '1').send(errorBody('overloaded', err.message));
    }
    // Nothing was stored (the commit rolled back); it works again once space is freed.
    if (isDiskFull(err)) {
      req.log.error({ err }, 'data volume full');
      return reply.code(507).header('retry-after', String(DISK_FULL_RETRY_S)).send(errorBody('insufficient_storage', 'the data volume is full: nothing was written; retry once space is freed'));
    }
    // Fastify's own errors (an oversized body, a malformed header) carry their status.
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send(errorBody(codeForStatus(status), (err as Error).message));
    req.log.error({ err }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'internal error; see the server log'));
  });
  app.setNotFoundHandler((req, reply) => {
    // Loki answers unknown paths as Go's mux does; Vigil's own routes from the catalogue.
    if (req.url.startsWith('/loki/')) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
    return reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
  healthRoutes(app, { metrics: deps.metrics, metricsAuth: config.server.metrics_auth, notReady: deps.notReady });
  const queries = deps.queries;
  queryRoutes(app, { store: deps.store, access, queries });
  lokiQueryRoutes(app, { store: deps.store, access, queries, notReady: deps.notReady, line: config.loki.line });
  lokiDrilldownRoutes(app, { store: deps.store, access, queries, line: config.loki.line });
  const ledger = deps.ledger;
  const tokens = deps.tokens;
  lokiTailRoutes(app, {
    store: deps.store,
    access,
    line: config.loki.line,
    onCommit: ledger && ((listener) => ledger.onCommit(listener)),
    tokenActive: tokens && ((id) => tokens.isActive(id)),
  });
  if (deps.tokens) tokenRoutes(app, { tokens: deps.tokens, access });
  if (deps.ledger) integrityRoutes(app, { ledger: deps.ledger, checkpoints: deps.checkpoints, access });
  if (deps.exportStore) exportRoutes(app, { store: deps.exportStore, checkpoints: deps.checkpoints, access, dataDir: config.data_dir });
  const sourceDeps = {
    ingest: deps.ingest,
    maxBodyBytes: config.server.max_body_bytes,
    maxRecordBytes: config.ingest.max_record_bytes,
    keepOriginal: config.ingest.keep_original,
    k8sPolicy: deps.k8sPolicy,
    answer: answerIngest,
  };
  for (const source of deps.sources) source.routes?.(app, sourceDeps);
  return app;
}

/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../telemetry/metrics.js';

export interface HealthDeps {
  metrics: Metrics;
  metricsAuth: boolean;
  /** Why the server cannot take work now, or undefined when it can. */
  notReady: () => string | undefined;
}

export function healthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', { config: { scope: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { scope: 'public' } }, async (_req, reply) => {
    const reason = deps.notReady();
    return reason ? reply.code(503).send({ status: 'unavailable', reason }) : { status: 'ready' };
  });
  app.get('/metrics', { config: { scope: deps.metricsAuth ? 'any' : 'public' } }, async (_req, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}

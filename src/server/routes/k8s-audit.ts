/**
 * POST /api/v1/k8s/audit — the kube-apiserver webhook backend's target.
 * The body is an `audit.k8s.io/v1` (or v1beta1) EventList (decoded in
 * src/ingest/k8s-eventlist.ts, through the audit policy and the
 * kubernetes-audit normalizer) for the shared ingest path. The API server retries anything but 200–206, so:
 * a batch is answered 200 once its valid events are committed (invalid items
 * are reported by index and dead-lettered, never retried into duplicates),
 * and the batch's SHA-256 is its idempotency key, so a retry of a batch that
 * was committed (a lost response) stores nothing twice. The digest is taken
 * on the decoding thread (a batch is about a megabyte).
 */
import type { FastifyInstance } from 'fastify';
import type { IngestService } from '../../ingest/service.js';
import { bodyOf } from '../body.js';

export interface K8sAuditDeps {
  ingest: IngestService;
  maxBodyBytes: number;
}

export function k8sAuditRoutes(app: FastifyInstance, deps: K8sAuditDeps): void {
  app.post('/api/v1/k8s/audit', { config: { scope: 'ingest' } }, async (req, reply) => {
    const body = await bodyOf(req, deps.maxBodyBytes);
    const result = await deps.ingest.ingestEventList(body, {
      source: 'api.k8s-audit',
      partial: true,
      bodyKeyPrefix: 'k8s-audit:',
    });
    return reply.code(result.status).send(result.body);
  });
}

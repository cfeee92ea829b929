/**
 * POST /api/v1/k8s/audit — the kube-apiserver webhook backend's target.
 * The body is an `audit.k8s.io/v1` (or v1beta1) EventList (decoded in
 * src/ingest/k8s-eventlist.ts, on a decoding thread, through the audit policy
 * and the kubernetes-audit normalizer) for the shared ingest path. The API
 * server retries anything but 200–206, so: a batch is answered 200 once its
 * valid events are committed (invalid items are reported by index and
 * dead-lettered, never retried into duplicates), and the batch's SHA-256 is
 * its idempotency key, so a retry of a batch that was committed (a lost
 * response) stores nothing twice. The digest is taken on the decoding thread
 * (a batch is about a megabyte).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { bodyOf } from './http-body.js';
import { scopedKey } from './idempotency-key.js';
import type { HttpSourceDeps, Source } from './source.js';

export const KubernetesWebhookConfig = Type.Object(
  {
    type: Type.Literal('kubernetes-webhook', {
      description: 'POST /api/v1/k8s/audit: the kube-apiserver audit webhook (EventList bodies, through kubernetes.policy), scope ingest',
    }),
  },
  { additionalProperties: false },
);
export type KubernetesWebhookConfig = Static<typeof KubernetesWebhookConfig>;

function routes(app: FastifyInstance, deps: HttpSourceDeps): void {
  app.post('/api/v1/k8s/audit', { config: { scope: 'ingest' } }, async (req, reply) => {
    const body = await bodyOf(req, deps.maxBodyBytes);
    const result = await deps.ingest.ingest({ kind: 'k8s-eventlist', body }, {
      source: 'api.k8s-audit',
      partial: true,
      bodyKeyPrefix: scopedKey(req, 'k8s.audit', 'body:'),
    });
    return deps.answer(reply, result, 'vigil');
  });
}

export function kubernetesWebhookSource(_config: KubernetesWebhookConfig): Source {
  return { type: 'kubernetes-webhook', routes };
}

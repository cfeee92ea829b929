/**
 * Micro-benchmark: decisions per second of the 17-rule Giant Swarm policy over a
 * realistic mix of API-server requests (kubelets, kube-proxy, controllers, probes,
 * humans). To be wired into `npm run bench`.
 */
import { attributesFromEvent } from '../../policy/k8s/attributes.js';
import { compilePolicy, evaluate } from '../../policy/k8s/evaluate.js';
import { GIANTSWARM_POLICY_YAML } from '../../policy/k8s/giantswarm-policy.js';
import { parsePolicy } from '../../policy/k8s/load.js';
import type { AuditEvent, RequestAttributes } from '../../policy/k8s/types.js';

export interface BenchOptions {
  /** Decisions per timed run (default 2,000,000). */
  iterations?: number;
  /** Timed runs; the best is reported (default 5). */
  runs?: number;
}

export interface BenchResult {
  /** evaluate() on pre-extracted attributes. */
  decisionsPerSec: number;
  /** attributesFromEvent() + evaluate() on parsed Events. */
  eventsPerSec: number;
  iterations: number;
  distinctEvents: number;
}

const NODE = { username: 'system:node:worker-1', groups: ['system:nodes', 'system:authenticated'] };
const KCM = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };
const SCHED = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
const PROXY = { username: 'system:kube-proxy', groups: ['system:authenticated'] };
const ADMIN = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const SA = (ns: string, n: string) => ({
  username: `system:serviceaccount:${ns}:${n}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
});
const ANON = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

type Ref = { apiGroup?: string; resource: string; namespace?: string; name?: string; subresource?: string };
const ev = (user: object, verb: string, requestURI: string, objectRef?: Ref): AuditEvent => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: '00000000-0000-4000-8000-000000000000',
  stage: 'ResponseComplete',
  requestURI,
  verb,
  user,
  ...(objectRef ? { objectRef } : {}),
});

/** [weight, event]: roughly the request mix of a busy cluster. */
const MIX: [number, AuditEvent][] = [
  [12, ev(NODE, 'get', '/api/v1/nodes/worker-1', { resource: 'nodes', name: 'worker-1' })],
  [8, ev(NODE, 'patch', '/api/v1/nodes/worker-1/status', { resource: 'nodes', name: 'worker-1', subresource: 'status' })],
  [6, ev(NODE, 'update', '/api/v1/namespaces/web/pods/api-1/status', { resource: 'pods', namespace: 'web', name: 'api-1', subresource: 'status' })],
  [6, ev(NODE, 'get', '/api/v1/namespaces/web/secrets/tls', { resource: 'secrets', namespace: 'web', name: 'tls' })],
  [10, ev(KCM, 'update', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', { apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager' })],
  [6, ev(SCHED, 'get', '/api/v1/namespaces/kube-system/endpoints/kube-scheduler', { resource: 'endpoints', namespace: 'kube-system', name: 'kube-scheduler' })],
  [4, ev(KCM, 'list', '/apis/metrics.k8s.io/v1beta1/namespaces/web/pods', { apiGroup: 'metrics.k8s.io', resource: 'pods', namespace: 'web' })],
  [5, ev(PROXY, 'watch', '/api/v1/endpoints?watch=true', { resource: 'endpoints' })],
  [3, ev(PROXY, 'watch', '/apis/discovery.k8s.io/v1/endpointslices?watch=true', { apiGroup: 'discovery.k8s.io', resource: 'endpointslices' })],
  [10, ev(ANON, 'get', '/healthz', undefined)],
  [6, ev(ANON, 'get', '/readyz?verbose', undefined)],
  [2, ev(SA('monitoring', 'prometheus'), 'get', '/metrics', undefined)],
  [6, ev(NODE, 'create', '/api/v1/namespaces/web/events', { resource: 'events', namespace: 'web', name: 'api-1.17a' })],
  [3, ev(SA('kube-system', 'replicaset-controller'), 'create', '/apis/events.k8s.io/v1/namespaces/web/events', { apiGroup: 'events.k8s.io', resource: 'events', namespace: 'web' })],
  [4, ev(SA('web', 'api'), 'get', '/api/v1/namespaces/web/configmaps/api-config', { resource: 'configmaps', namespace: 'web', name: 'api-config' })],
  [5, ev(SA('kube-system', 'deployment-controller'), 'list', '/apis/apps/v1/replicasets', { apiGroup: 'apps', resource: 'replicasets' })],
  [4, ev(SA('kube-system', 'replicaset-controller'), 'create', '/api/v1/namespaces/web/pods', { resource: 'pods', namespace: 'web', name: 'api-2' })],
  [3, ev(SA('cert-manager', 'cert-manager'), 'watch', '/apis/cert-manager.io/v1/certificates?watch=1', { apiGroup: 'cert-manager.io', resource: 'certificates' })],
  [2, ev(SA('kube-system', 'metrics-server'), 'create', '/apis/authentication.k8s.io/v1/tokenreviews', { apiGroup: 'authentication.k8s.io', resource: 'tokenreviews' })],
  [2, ev(SA('flux-system', 'kustomize-controller'), 'create', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' })],
  [1, ev(ADMIN, 'patch', '/apis/apps/v1/namespaces/web/deployments/api/scale', { apiGroup: 'apps', resource: 'deployments', namespace: 'web', name: 'api', subresource: 'scale' })],
  [1, ev(ADMIN, 'create', '/api/v1/namespaces/web/pods/api-1/exec?command=sh', { resource: 'pods', namespace: 'web', name: 'api-1', subresource: 'exec' })],
  [1, ev(ADMIN, 'get', '/api/v1/namespaces/web/pods/api-1/log', { resource: 'pods', namespace: 'web', name: 'api-1', subresource: 'log' })],
  [1, ev({}, 'list', '/api/v1/pods', { resource: 'pods' })],
];

/** The benchmark's event mix, expanded by weight and interleaved deterministically. */
export function benchEvents(): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const [w, e] of MIX) for (let i = 0; i < w; i++) out.push(e);
  // Deterministic shuffle (LCG) so branches are not perfectly predictable.
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function benchPolicy(options: BenchOptions = {}): BenchResult {
  const iterations = options.iterations ?? 2_000_000;
  const runs = options.runs ?? 5;
  const policy = compilePolicy(parsePolicy(GIANTSWARM_POLICY_YAML, 'giantswarm-policy.yaml'));
  const events = benchEvents();
  const attrs: RequestAttributes[] = events.map((e) => attributesFromEvent(e));
  const n = attrs.length;
  let sink = 0;

  const timeDecisions = (count: number): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0, k = 0; i < count; i++, k = k + 1 === n ? 0 : k + 1) {
      const d = evaluate(policy, attrs[k]);
      if (d.rule !== null) sink += d.rule;
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const scratch = attributesFromEvent(undefined);
  const timeEvents = (count: number): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0, k = 0; i < count; i++, k = k + 1 === n ? 0 : k + 1) {
      const d = evaluate(policy, attributesFromEvent(events[k], scratch));
      if (d.rule !== null) sink += d.rule;
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };

  timeDecisions(Math.min(iterations, 200_000)); // warm-up (JIT)
  timeEvents(Math.min(iterations, 200_000));
  let best = Infinity;
  let bestEvents = Infinity;
  for (let r = 0; r < runs; r++) {
    best = Math.min(best, timeDecisions(iterations));
    bestEvents = Math.min(bestEvents, timeEvents(iterations));
  }
  if (sink === -1) console.log(sink); // keep the loop observable
  return {
    decisionsPerSec: Math.round(iterations / best),
    eventsPerSec: Math.round(iterations / bestEvents),
    iterations,
    distinctEvents: MIX.length,
  };
}

/**
 * The Giant Swarm default policy (17 rules) against hand-written events. Every
 * expectation was reasoned out from the rule list by hand (first matching rule,
 * exact strings, resource/non-resource split), not produced by this code.
 *
 * Rules, 1-based:
 *  1 None  kube-proxy watch core endpoints/services/services/status
 *  2 None  system:unsecured get core configmaps in kube-system
 *  3 None  kubelet get core nodes, nodes/status
 *  4 None  group system:nodes get core nodes, nodes/status
 *  5 None  kcm/scheduler/endpoint-controller get,update core endpoints in kube-system
 *  6 None  system:apiserver get core namespaces, namespaces/status, namespaces/finalize
 *  7 None  cluster-autoscaler get,update core configmaps, endpoints in kube-system
 *  8 None  kcm get,list anything in metrics.k8s.io
 *  9 None  nonResourceURLs /healthz*, /version, /swagger*
 * 10 None  core events
 * 11 Request  kubelet/node-problem-detector(s) update,patch core nodes/status, pods/status
 * 12 Request  group system:nodes update,patch core nodes/status, pods/status
 * 13 Request  namespace-controller deletecollection (any request)
 * 14 Metadata core secrets, configmaps; authentication.k8s.io tokenreviews
 * 15 Request  get,list,watch on 18 known groups (all resources)
 * 16 RequestResponse  any verb on the same 18 groups
 * 17 Metadata  everything else
 * Rules 11-17 omit RequestReceived; rules 1-10 and "no match" omit nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attributesFromEvent } from './attributes.js';
import { compilePolicy, evaluate } from './evaluate.js';
import { GIANTSWARM_POLICY_YAML } from './giantswarm-policy.js';
import { parsePolicyDetailed } from './load.js';
import type { AuditEvent, Level } from './types.js';

const text = readFileSync(new URL('./testdata/giantswarm-policy.yaml', import.meta.url), 'utf8');
const parsed = parsePolicyDetailed(text, 'giantswarm-policy.yaml');
const policy = compilePolicy(parsed.policy, parsed.file, parsed.ruleLines);

type U = { username?: string; groups?: string[] };
type Ref = { apiGroup?: string; resource: string; namespace?: string; name?: string; subresource?: string };
const user = (username: string, ...groups: string[]): U => ({ username, groups: [...groups, 'system:authenticated'] });
const ev = (u: U, verb: string, requestURI: string, objectRef?: Ref, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: 'x',
  stage: 'ResponseComplete',
  requestURI,
  verb,
  user: u,
  ...(objectRef ? { objectRef } : {}),
  ...extra,
});

const PROXY = user('system:kube-proxy');
const UNSECURED = user('system:unsecured');
const KUBELET: U = { username: 'kubelet' };
const NODE = user('system:node:worker-1', 'system:nodes');
const KCM = user('system:kube-controller-manager');
const SCHED = user('system:kube-scheduler');
const EPC = user('system:serviceaccount:kube-system:endpoint-controller', 'system:serviceaccounts');
const APISERVER = user('system:apiserver', 'system:masters');
const CA = user('system:serviceaccount:kube-system:cluster-autoscaler', 'system:serviceaccounts');
const NPD = user('system:serviceaccount:kube-system:node-problem-detector', 'system:serviceaccounts');
const NSC = user('system:serviceaccount:kube-system:namespace-controller', 'system:serviceaccounts');
const ALICE = user('alice@example.org', 'developers');
const ADMIN = user('kubernetes-admin', 'system:masters');
const ANON: U = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const NOUSER: U = {};

const cases: [string, AuditEvent, number | null, Level][] = [
  ['kube-proxy watches endpoints', ev(PROXY, 'watch', '/api/v1/namespaces/web/endpoints?watch=1', { resource: 'endpoints', namespace: 'web' }), 1, 'None'],
  ['kube-proxy watches services cluster-wide', ev(PROXY, 'watch', '/api/v1/services?watch=true', { resource: 'services' }), 1, 'None'],
  ['kube-proxy watches services/status', ev(PROXY, 'watch', '/api/v1/services/status', { resource: 'services', subresource: 'status' }), 1, 'None'],
  ['kube-proxy watch, explicit apiGroup ""', ev(PROXY, 'watch', '/api/v1/endpoints', { apiGroup: '', resource: 'endpoints' }), 1, 'None'],
  ['kube-proxy lists endpoints (verb not watch) → get/list/watch rule', ev(PROXY, 'list', '/api/v1/endpoints', { resource: 'endpoints' }), 15, 'Request'],
  ['kube-proxy watches endpointslices (group not core, not in known groups)', ev(PROXY, 'watch', '/apis/discovery.k8s.io/v1/endpointslices', { apiGroup: 'discovery.k8s.io', resource: 'endpointslices' }), 17, 'Metadata'],
  ['verbs are case-sensitive: "WATCH"', ev(PROXY, 'WATCH', '/api/v1/endpoints', { resource: 'endpoints' }), 16, 'RequestResponse'],
  ['users are case-sensitive', ev(user('System:Kube-Proxy'), 'watch', '/api/v1/endpoints', { resource: 'endpoints' }), 15, 'Request'],
  ['impersonation: the authenticated user decides', ev(ADMIN, 'watch', '/api/v1/endpoints', { resource: 'endpoints' }, { impersonatedUser: { username: 'system:kube-proxy' } }), 15, 'Request'],
  ['system:unsecured gets a configmap in kube-system', ev(UNSECURED, 'get', '/api/v1/namespaces/kube-system/configmaps/ingress-uid', { resource: 'configmaps', namespace: 'kube-system', name: 'ingress-uid' }), 2, 'None'],
  ['system:unsecured gets a configmap in default (namespace differs)', ev(UNSECURED, 'get', '/api/v1/namespaces/default/configmaps/x', { resource: 'configmaps', namespace: 'default', name: 'x' }), 14, 'Metadata'],
  ['system:unsecured lists configmaps in kube-system (verb differs)', ev(UNSECURED, 'list', '/api/v1/namespaces/kube-system/configmaps', { resource: 'configmaps', namespace: 'kube-system' }), 14, 'Metadata'],
  ['legacy kubelet gets nodes/status', ev(KUBELET, 'get', '/api/v1/nodes/worker-1/status', { resource: 'nodes', name: 'worker-1', subresource: 'status' }), 3, 'None'],
  ['legacy kubelet gets a node', ev(KUBELET, 'get', '/api/v1/nodes/worker-1', { resource: 'nodes', name: 'worker-1' }), 3, 'None'],
  ['node (group system:nodes) gets its node', ev(NODE, 'get', '/api/v1/nodes/worker-1', { resource: 'nodes', name: 'worker-1' }), 4, 'None'],
  ['node lists nodes (verb differs)', ev(NODE, 'list', '/api/v1/nodes', { resource: 'nodes' }), 15, 'Request'],
  ['node patches nodes/status', ev(NODE, 'patch', '/api/v1/nodes/worker-1/status', { resource: 'nodes', name: 'worker-1', subresource: 'status' }), 12, 'Request'],
  ['node updates pods/status', ev(NODE, 'update', '/api/v1/namespaces/web/pods/p/status', { resource: 'pods', namespace: 'web', name: 'p', subresource: 'status' }), 12, 'Request'],
  ['node updates a pod (no subresource)', ev(NODE, 'update', '/api/v1/namespaces/web/pods/p', { resource: 'pods', namespace: 'web', name: 'p' }), 16, 'RequestResponse'],
  ['node gets a secret', ev(NODE, 'get', '/api/v1/namespaces/web/secrets/s', { resource: 'secrets', namespace: 'web', name: 's' }), 14, 'Metadata'],
  ['legacy kubelet patches nodes/status', ev(KUBELET, 'patch', '/api/v1/nodes/worker-1/status', { resource: 'nodes', name: 'worker-1', subresource: 'status' }), 11, 'Request'],
  ['node-problem-detector SA patches nodes/status', ev(NPD, 'patch', '/api/v1/nodes/worker-1/status', { resource: 'nodes', name: 'worker-1', subresource: 'status' }), 11, 'Request'],
  ['kcm updates endpoints in kube-system', ev(KCM, 'update', '/api/v1/namespaces/kube-system/endpoints/kcm', { resource: 'endpoints', namespace: 'kube-system', name: 'kcm' }), 5, 'None'],
  ['kcm updates endpoints in default (namespace differs)', ev(KCM, 'update', '/api/v1/namespaces/default/endpoints/kubernetes', { resource: 'endpoints', namespace: 'default', name: 'kubernetes' }), 16, 'RequestResponse'],
  ['scheduler gets endpoints in kube-system', ev(SCHED, 'get', '/api/v1/namespaces/kube-system/endpoints/kube-scheduler', { resource: 'endpoints', namespace: 'kube-system', name: 'kube-scheduler' }), 5, 'None'],
  ['endpoint-controller updates endpoints in kube-system', ev(EPC, 'update', '/api/v1/namespaces/kube-system/endpoints/dns', { resource: 'endpoints', namespace: 'kube-system', name: 'dns' }), 5, 'None'],
  ['apiserver gets a namespace', ev(APISERVER, 'get', '/api/v1/namespaces/default', { resource: 'namespaces', namespace: 'default', name: 'default' }), 6, 'None'],
  ['apiserver gets namespaces/finalize', ev(APISERVER, 'get', '/api/v1/namespaces/tmp/finalize', { resource: 'namespaces', namespace: 'tmp', name: 'tmp', subresource: 'finalize' }), 6, 'None'],
  ['apiserver updates namespaces/finalize (verb differs)', ev(APISERVER, 'update', '/api/v1/namespaces/tmp/finalize', { resource: 'namespaces', namespace: 'tmp', name: 'tmp', subresource: 'finalize' }), 16, 'RequestResponse'],
  ['cluster-autoscaler gets a configmap in kube-system', ev(CA, 'get', '/api/v1/namespaces/kube-system/configmaps/status', { resource: 'configmaps', namespace: 'kube-system', name: 'status' }), 7, 'None'],
  ['cluster-autoscaler updates endpoints in kube-system', ev(CA, 'update', '/api/v1/namespaces/kube-system/endpoints/ca', { resource: 'endpoints', namespace: 'kube-system', name: 'ca' }), 7, 'None'],
  ['cluster-autoscaler updates a configmap in default', ev(CA, 'update', '/api/v1/namespaces/default/configmaps/c', { resource: 'configmaps', namespace: 'default', name: 'c' }), 14, 'Metadata'],
  ['kcm lists pod metrics', ev(KCM, 'list', '/apis/metrics.k8s.io/v1beta1/namespaces/web/pods', { apiGroup: 'metrics.k8s.io', resource: 'pods', namespace: 'web' }), 8, 'None'],
  ['kcm lists core pods (group differs)', ev(KCM, 'list', '/api/v1/pods', { resource: 'pods' }), 15, 'Request'],
  ['a human gets pod metrics', ev(ALICE, 'get', '/apis/metrics.k8s.io/v1beta1/namespaces/web/pods/p', { apiGroup: 'metrics.k8s.io', resource: 'pods', namespace: 'web', name: 'p' }), 15, 'Request'],
  ['anonymous /healthz', ev(ANON, 'get', '/healthz', undefined), 9, 'None'],
  ['/healthz/etcd (trailing * prefix)', ev(ANON, 'get', '/healthz/etcd?verbose', undefined), 9, 'None'],
  ['/version', ev(ANON, 'get', '/version', undefined), 9, 'None'],
  ['/version/ (no wildcard on /version)', ev(ANON, 'get', '/version/', undefined), 17, 'Metadata'],
  ['/swagger-2.0.0.pb-v1', ev(ANON, 'get', '/swagger-2.0.0.pb-v1', undefined), 9, 'None'],
  ['/readyz is not listed', ev(ANON, 'get', '/readyz', undefined), 17, 'Metadata'],
  ['/apis discovery is a non-resource request', ev(ALICE, 'get', '/apis', undefined), 17, 'Metadata'],
  ['kubelet creates core events', ev(NODE, 'create', '/api/v1/namespaces/web/events', { resource: 'events', namespace: 'web', name: 'p.1' }), 10, 'None'],
  ['events.k8s.io events are not core events', ev(ALICE, 'create', '/apis/events.k8s.io/v1/namespaces/web/events', { apiGroup: 'events.k8s.io', resource: 'events', namespace: 'web' }), 17, 'Metadata'],
  ['a human gets a secret', ev(ALICE, 'get', '/api/v1/namespaces/web/secrets/s', { resource: 'secrets', namespace: 'web', name: 's' }), 14, 'Metadata'],
  ['a human lists all secrets', ev(ALICE, 'list', '/api/v1/secrets', { resource: 'secrets' }), 14, 'Metadata'],
  ['metrics-server creates a tokenreview', ev(user('system:serviceaccount:kube-system:metrics-server'), 'create', '/apis/authentication.k8s.io/v1/tokenreviews', { apiGroup: 'authentication.k8s.io', resource: 'tokenreviews' }), 14, 'Metadata'],
  ['a subjectaccessreview', ev(ALICE, 'create', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews' }), 16, 'RequestResponse'],
  ['namespace-controller deletecollection pods', ev(NSC, 'deletecollection', '/api/v1/namespaces/tmp/pods', { resource: 'pods', namespace: 'tmp' }), 13, 'Request'],
  ['namespace-controller deletecollection events (rule 10 first)', ev(NSC, 'deletecollection', '/api/v1/namespaces/tmp/events', { resource: 'events', namespace: 'tmp' }), 10, 'None'],
  ['namespace-controller deletecollection secrets (rule 13 before 14)', ev(NSC, 'deletecollection', '/api/v1/namespaces/tmp/secrets', { resource: 'secrets', namespace: 'tmp' }), 13, 'Request'],
  ['namespace-controller deletes a namespace', ev(NSC, 'delete', '/api/v1/namespaces/tmp', { resource: 'namespaces', namespace: 'tmp', name: 'tmp' }), 16, 'RequestResponse'],
  ['pods/log get', ev(ADMIN, 'get', '/api/v1/namespaces/web/pods/p/log', { resource: 'pods', namespace: 'web', name: 'p', subresource: 'log' }), 15, 'Request'],
  ['pods/exec create', ev(ADMIN, 'create', '/api/v1/namespaces/web/pods/p/exec?command=sh', { resource: 'pods', namespace: 'web', name: 'p', subresource: 'exec' }), 16, 'RequestResponse'],
  ['deployments/scale patch', ev(ADMIN, 'patch', '/apis/apps/v1/namespaces/web/deployments/api/scale', { apiGroup: 'apps', resource: 'deployments', namespace: 'web', name: 'api', subresource: 'scale' }), 16, 'RequestResponse'],
  ['configmaps in the apps group are not core configmaps', ev(ALICE, 'get', '/apis/apps/v1/namespaces/web/configmaps/c', { apiGroup: 'apps', resource: 'configmaps', namespace: 'web', name: 'c' }), 15, 'Request'],
  ['a CRD in an unknown group', ev(ADMIN, 'get', '/apis/example.com/v1/namespaces/web/widgets/w', { apiGroup: 'example.com', resource: 'widgets', namespace: 'web', name: 'w' }), 17, 'Metadata'],
  ['storage.k8s.io list', ev(ALICE, 'list', '/apis/storage.k8s.io/v1/storageclasses', { apiGroup: 'storage.k8s.io', resource: 'storageclasses' }), 15, 'Request'],
  ['networking.k8s.io create', ev(ALICE, 'create', '/apis/networking.k8s.io/v1/namespaces/web/ingresses', { apiGroup: 'networking.k8s.io', resource: 'ingresses', namespace: 'web', name: 'i' }), 16, 'RequestResponse'],
  ['failed authentication, list core pods', ev(NOUSER, 'list', '/api/v1/pods', { resource: 'pods' }, { stage: 'ResponseStarted' }), 15, 'Request'],
  ['failed authentication, get a node (user/group rules 3, 4 cannot match)', ev(NOUSER, 'get', '/api/v1/nodes/n', { resource: 'nodes', name: 'n' }), 15, 'Request'],
  ['failed authentication, /healthz', ev(NOUSER, 'get', '/healthz', undefined), 9, 'None'],
  ['failed authentication, /readyz', ev(NOUSER, 'get', '/readyz', undefined), 17, 'Metadata'],
];

const omitFor = (rule: number | null): string[] => (rule !== null && rule >= 11 ? ['RequestReceived'] : []);

describe('Giant Swarm default policy', () => {
  it('has 17 rules and the embedded copy is identical to testdata', () => {
    expect(parsed.policy.rules).toHaveLength(17);
    expect(GIANTSWARM_POLICY_YAML).toBe(text);
    expect(parsed.ruleLines[0]).toBe(8);
    expect(parsed.ruleLines[16]).toBe(161);
  });

  it.each(cases)('%s', (_name, event, rule, level) => {
    const d = evaluate(policy, attributesFromEvent(event));
    expect({ rule: d.rule, level: d.level, omitStages: [...d.omitStages] }).toEqual({
      rule,
      level,
      omitStages: omitFor(rule),
    });
    expect(d.omitManagedFields).toBe(false);
  });

  it('covers every rule at least once', () => {
    const seen = new Set(cases.map((c) => c[2]));
    for (let r = 1; r <= 17; r++) expect(seen.has(r)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate } from './evaluate.js';
import { PolicyErrors } from './errors.js';
import type { Policy, PolicyRule, RequestAttributes } from './types.js';

const policyOf = (rules: PolicyRule[], extra: Partial<Policy> = {}): Policy => ({
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  rules,
  ...extra,
});

/** A resource request; defaults: tim@k8s.io (humans, developers) gets core pods/busybox in default. */
const res = (o: Partial<RequestAttributes> = {}): RequestAttributes => ({
  user: { name: 'tim@k8s.io', groups: ['humans', 'developers'] },
  verb: 'get',
  resourceRequest: true,
  namespace: 'default',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  name: 'busybox',
  path: '/api/v1/namespaces/default/pods/busybox',
  ...o,
});
const nonRes = (path: string, o: Partial<RequestAttributes> = {}): RequestAttributes => ({
  ...res(),
  resourceRequest: false,
  namespace: '',
  resource: '',
  name: '',
  path,
  ...o,
});

/** Does a one-rule policy (level Metadata) match? */
const matches = (rule: Omit<PolicyRule, 'level'>, attrs: RequestAttributes): boolean =>
  evaluate(compilePolicy(policyOf([{ level: 'Metadata', ...rule }])), attrs).rule === 1;

type Case = [string, Omit<PolicyRule, 'level'>, RequestAttributes, boolean];

const cases: Case[] = [
  // users
  ['users: exact name', { users: ['tim@k8s.io'] }, res(), true],
  ['users: other name', { users: ['bob'] }, res(), false],
  ['users: case-sensitive', { users: ['Tim@k8s.io'] }, res(), false],
  ['users: no user (failed authn)', { users: ['tim@k8s.io'] }, res({ user: null }), false],
  ['users: name is not matched against groups', { users: ['humans'] }, res(), false],
  // userGroups
  ['userGroups: any one group', { userGroups: ['admins', 'developers'] }, res(), true],
  ['userGroups: none', { userGroups: ['admins'] }, res(), false],
  ['userGroups: username is not a group', { userGroups: ['tim@k8s.io'] }, res(), false],
  ['userGroups: no user', { userGroups: ['humans'] }, res({ user: null }), false],
  ['users and userGroups both required', { users: ['tim@k8s.io'], userGroups: ['admins'] }, res(), false],
  // verbs
  ['verbs: match', { verbs: ['list', 'get'] }, res(), true],
  ['verbs: no match', { verbs: ['list'] }, res(), false],
  ['verbs: "*" is not a wildcard', { verbs: ['*'] }, res(), false],
  ['verbs: "*" matches the literal verb', { verbs: ['*'] }, res({ verb: '*' }), true],
  // resources, core group
  ['group "" is core', { resources: [{ group: '', resources: ['pods'] }] }, res(), true],
  ['group absent is core', { resources: [{ resources: ['pods'] }] }, res(), true],
  ['core rule does not match apps', { resources: [{ group: '', resources: ['pods'] }] }, res({ apiGroup: 'apps' }), false],
  ['pods does not match pods/log', { resources: [{ resources: ['pods'] }] }, res({ subresource: 'log' }), false],
  ['pods/log matches pods/log', { resources: [{ resources: ['pods/log'] }] }, res({ subresource: 'log' }), true],
  ['pods/log does not match pods', { resources: [{ resources: ['pods/log'] }] }, res(), false],
  ['pods/log does not match pods/exec', { resources: [{ resources: ['pods/log'] }] }, res({ subresource: 'exec' }), false],
  ['pods/* matches pods/log', { resources: [{ resources: ['pods/*'] }] }, res({ subresource: 'log' }), true],
  ['pods/* matches plain pods too', { resources: [{ resources: ['pods/*'] }] }, res(), true],
  ['pods/* does not match services', { resources: [{ resources: ['pods/*'] }] }, res({ resource: 'services' }), false],
  ['*/scale matches deployments/scale', { resources: [{ group: 'apps', resources: ['*/scale'] }] }, res({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }), true],
  ['*/scale matches replicasets/scale', { resources: [{ group: 'apps', resources: ['*/scale'] }] }, res({ apiGroup: 'apps', resource: 'replicasets', subresource: 'scale' }), true],
  ['*/scale does not match deployments', { resources: [{ group: 'apps', resources: ['*/scale'] }] }, res({ apiGroup: 'apps', resource: 'deployments' }), false],
  ['*/scale does not match a resource named scale', { resources: [{ group: 'apps', resources: ['*/scale'] }] }, res({ apiGroup: 'apps', resource: 'scale' }), false],
  ['* matches any resource', { resources: [{ resources: ['*'] }] }, res({ resource: 'configmaps' }), true],
  ['* matches subresources', { resources: [{ resources: ['*'] }] }, res({ subresource: 'status' }), true],
  ['* is per group', { resources: [{ resources: ['*'] }] }, res({ apiGroup: 'apps' }), false],
  ['group without resources: every resource', { resources: [{ group: 'apps' }] }, res({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }), true],
  ['group "*" with */status', { verbs: ['update'], resources: [{ group: '*', resources: ['*/status'] }] }, res({ verb: 'update', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', subresource: 'status', namespace: '', name: 'somerole' }), true],
  ['group "*" without resources: everything', { resources: [{ group: '*' }] }, res({ apiGroup: 'example.com', resource: 'widgets' }), true],
  ['second GroupResources entry matches', { resources: [{ group: 'apps' }, { resources: ['pods'] }] }, res(), true],
  // resourceNames
  ['resourceNames: name matches', { resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'], resourceNames: ['edit'] }] }, res({ apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', name: 'edit' }), true],
  ['resourceNames: other name', { resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'], resourceNames: ['edit'] }] }, res({ apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', name: 'view' }), false],
  ['resourceNames: list has no name', { resources: [{ resources: ['pods'], resourceNames: ['busybox'] }] }, res({ verb: 'list', name: '' }), false],
  ['resourceNames apply to subresources too', { resources: [{ resources: ['pods/log'], resourceNames: ['busybox'] }] }, res({ subresource: 'log' }), true],
  // namespaces
  ['namespaces: match', { namespaces: ['default'] }, res(), true],
  ['namespaces: other', { namespaces: ['kube-system'] }, res(), false],
  ['namespaces [""] selects cluster-scoped', { namespaces: [''] }, res({ resource: 'nodes', namespace: '' }), true],
  ['namespaces [""] does not select namespaced', { namespaces: [''] }, res(), false],
  ['namespaces never match cluster-scoped by name', { namespaces: ['kube-system'] }, res({ resource: 'nodes', namespace: '' }), false],
  ['namespaces-only rule never matches non-resource', { namespaces: [''] }, nonRes('/healthz'), false],
  ['namespaces and resources both required', { namespaces: ['default'], resources: [{ resources: ['services'] }] }, res(), false],
  // non-resource URLs
  ['/healthz* matches /healthz', { nonResourceURLs: ['/healthz*'] }, nonRes('/healthz'), true],
  ['/healthz* matches /healthz/etcd', { nonResourceURLs: ['/healthz*'] }, nonRes('/healthz/etcd'), true],
  ['/healthz* matches /healthzzz', { nonResourceURLs: ['/healthz*'] }, nonRes('/healthzzz'), true],
  ['/healthz* does not match /health', { nonResourceURLs: ['/healthz*'] }, nonRes('/health'), false],
  ['/version is exact', { nonResourceURLs: ['/version'] }, nonRes('/version/'), false],
  ['/version matches /version', { nonResourceURLs: ['/version'] }, nonRes('/version'), true],
  ['"*" matches every path', { nonResourceURLs: ['*'] }, nonRes('/anything/at/all'), true],
  ['/logs* matches /logs/kubelet.log', { nonResourceURLs: ['/logs*'] }, nonRes('/logs/kubelet.log'), true],
  ['non-resource rule never matches a resource request', { nonResourceURLs: ['*'] }, res(), false],
  ['resource rule never matches a non-resource request', { resources: [{ group: '*' }] }, nonRes('/api'), false],
  ['users-only rule matches non-resource', { users: ['tim@k8s.io'] }, nonRes('/metrics'), true],
  ['empty rule matches resource requests', {}, res(), true],
  ['empty rule matches non-resource requests', {}, nonRes('/metrics'), true],
];

describe('ruleMatches (checker.go)', () => {
  it.each(cases)('%s', (_name, rule, attrs, want) => {
    expect(matches(rule, attrs)).toBe(want);
  });
});

describe('EvaluatePolicyRule examples of checker_test.go', () => {
  const getMetrics: PolicyRule = { level: 'None', users: ['metrics'], verbs: ['get'], nonResourceURLs: ['/metrics'] };
  const serviceAccounts: PolicyRule = { level: 'Request', userGroups: ['serviceaccounts'] };
  const getPodLogs: PolicyRule = { level: 'Request', verbs: ['get'], resources: [{ resources: ['pods/log'] }] };
  const getPods: PolicyRule = { level: 'RequestResponse', verbs: ['get'], resources: [{ resources: ['pods'] }] };
  const getClusterRoles: PolicyRule = { level: 'Request', verbs: ['get'], resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'] }], namespaces: [''] };
  const clusterRoleEdit: PolicyRule = { level: 'Request', resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'], resourceNames: ['edit'] }] };
  const getLogs: PolicyRule = { level: 'RequestResponse', verbs: ['get'], nonResourceURLs: ['/logs*'] };
  const tims: PolicyRule = { level: 'Metadata', users: ['tim@k8s.io'] };
  const dflt: PolicyRule = { level: 'Metadata' };
  const clusterRole = res({ apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', name: 'edit' });
  const run = (rules: PolicyRule[], a: RequestAttributes) => evaluate(compilePolicy(policyOf(rules)), a).level;

  it('falls through to the catch-all', () => expect(run([getMetrics, serviceAccounts, dflt], res())).toBe('Metadata'));
  it('pods/log does not match a plain get', () => expect(run([getPodLogs, getPods], res())).toBe('RequestResponse'));
  it('pods/log matches the log subresource', () => expect(run([getPodLogs, getPods], res({ subresource: 'log' }))).toBe('Request'));
  it('other group falls to the default None', () => expect(run([getPods], clusterRole)).toBe('None'));
  it('resourceNames', () => expect(run([clusterRoleEdit, getClusterRoles], clusterRole)).toBe('Request'));
  it('/logs*', () => expect(run([getLogs], nonRes('/logs/kubelet.log'))).toBe('RequestResponse'));
  it('no user', () => expect(run([tims], res({ user: null }))).toBe('None'));
});

describe('decision: first match, omitStages, omitManagedFields', () => {
  it('first matching rule wins and the rule number is 1-based', () => {
    const p = compilePolicy(policyOf([{ level: 'None', verbs: ['list'] }, { level: 'Request' }, { level: 'Metadata' }]));
    expect(evaluate(p, res()).rule).toBe(2);
    expect(evaluate(p, res({ verb: 'list' }))).toMatchObject({ rule: 1, level: 'None' });
  });

  it('no match: level None with the policy-level settings', () => {
    const p = compilePolicy(policyOf([{ level: 'Request', verbs: ['list'] }], { omitStages: ['RequestReceived'], omitManagedFields: true }));
    expect(evaluate(p, res())).toEqual({ level: 'None', rule: null, omitStages: ['RequestReceived'], omitManagedFields: true });
  });

  it('omitStages is the sorted union of policy and rule stages, also for a None rule', () => {
    const p = compilePolicy(
      policyOf(
        [
          { level: 'None', verbs: ['list'], omitStages: ['ResponseStarted', 'RequestReceived'] },
          { level: 'Request', omitStages: ['Panic'] },
        ],
        { omitStages: ['RequestReceived', 'RequestReceived'] },
      ),
    );
    expect(evaluate(p, res({ verb: 'list' })).omitStages).toEqual(['RequestReceived', 'ResponseStarted']);
    expect(evaluate(p, res()).omitStages).toEqual(['Panic', 'RequestReceived']);
  });

  it('"only audit panic" (checker_test)', () => {
    const p = compilePolicy(
      policyOf([{ level: 'Request', omitStages: ['RequestReceived', 'ResponseStarted', 'ResponseComplete'] }], {
        omitStages: ['RequestReceived', 'ResponseStarted'],
      }),
    );
    expect(evaluate(p, res())).toMatchObject({ level: 'Request', omitStages: ['RequestReceived', 'ResponseComplete', 'ResponseStarted'] });
  });

  it.each([
    [undefined, undefined, false],
    [true, undefined, true],
    [true, false, false],
    [false, true, true],
    [undefined, true, true],
  ] as const)('omitManagedFields: policy %s, rule %s → %s', (pol, rule, want) => {
    const p = compilePolicy(
      policyOf([{ level: 'Request', ...(rule === undefined ? {} : { omitManagedFields: rule }) }], pol === undefined ? {} : { omitManagedFields: pol }),
    );
    expect(evaluate(p, res()).omitManagedFields).toBe(want);
  });

  it('decisions are shared frozen objects', () => {
    const p = compilePolicy(policyOf([{ level: 'Request' }]));
    const d = evaluate(p, res());
    expect(evaluate(p, res({ verb: 'list' }))).toBe(d);
    expect(Object.isFrozen(d) && Object.isFrozen(d.omitStages)).toBe(true);
  });

  it('rejects an invalid programmatic policy', () => {
    expect(() => compilePolicy(policyOf([{ level: 'Verbose' as 'None' }]))).toThrow(PolicyErrors);
    expect(() => compilePolicy(policyOf([]))).toThrow(/0 rules/);
  });

  it('verbs absent from every rule use the pruned "other verb" candidates', () => {
    const p = compilePolicy(policyOf([{ level: 'None', verbs: ['get'] }, { level: 'Metadata', resources: [{ group: 'apps' }] }, { level: 'Request' }]));
    expect(evaluate(p, res({ verb: 'escalate', apiGroup: 'apps' })).rule).toBe(2);
    expect(evaluate(p, res({ verb: 'escalate' })).rule).toBe(3);
    expect(evaluate(p, nonRes('/x', { verb: 'post' })).rule).toBe(3);
  });
});

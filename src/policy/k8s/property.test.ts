import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPolicy } from './apply.js';
import { attributesFromEvent } from './attributes.js';
import { PolicyChecker } from './check.js';
import { PolicyErrors } from './errors.js';
import { compilePolicy, evaluate } from './evaluate.js';
import { GIANTSWARM_POLICY_YAML } from './giantswarm-policy.js';
import { parsePolicy } from './load.js';
import { LEVELS, STAGES, type Policy, type PolicyRule, type RequestAttributes, type Stage } from './types.js';

const giantswarm = compilePolicy(parsePolicy(GIANTSWARM_POLICY_YAML, 'gs.yaml'));

/** A literal port of checker.go (EvaluatePolicyRule/ruleMatches), the oracle for the compiled matcher. */
function reference(policy: Policy, a: RequestAttributes): { level: string; omitStages: Stage[]; rule: number | null } {
  const union = (...l: (Stage[] | undefined)[]) => [...new Set(l.flatMap((x) => x ?? []))].sort();
  const has = (l: string[] | undefined, v: string) => (l ?? []).includes(v);
  const resourceMatches = (r: PolicyRule): boolean => {
    if (!a.resourceRequest) return false;
    if ((r.namespaces ?? []).length > 0 && !has(r.namespaces, a.namespace)) return false;
    if ((r.resources ?? []).length === 0) return true;
    const combined = a.subresource !== '' ? `${a.resource}/${a.subresource}` : a.resource;
    for (const gr of r.resources ?? []) {
      if ((gr.group ?? '') === a.apiGroup || gr.group === '*') {
        if ((gr.resources ?? []).length === 0) return true;
        for (const res of gr.resources ?? []) {
          if ((gr.resourceNames ?? []).length === 0 || has(gr.resourceNames, a.name)) {
            if (res === combined || res === '*') return true;
            if (a.subresource.length > 0 && res.startsWith('*/') && a.subresource === res.slice(2)) return true;
            if (res.endsWith('/*') && a.resource === res.slice(0, -2)) return true;
          }
        }
      }
    }
    return false;
  };
  const matches = (r: PolicyRule): boolean => {
    if ((r.users ?? []).length > 0 && (a.user === null || !has(r.users, a.user.name))) return false;
    if ((r.userGroups ?? []).length > 0 && (a.user === null || !a.user.groups.some((g) => has(r.userGroups, g as string)))) return false;
    if ((r.verbs ?? []).length > 0 && !has(r.verbs, a.verb)) return false;
    if ((r.namespaces ?? []).length > 0 || (r.resources ?? []).length > 0) return resourceMatches(r);
    if ((r.nonResourceURLs ?? []).length > 0) {
      if (a.resourceRequest) return false;
      return (r.nonResourceURLs ?? []).some(
        (spec) => spec === '*' || spec === a.path || (spec.endsWith('*') && a.path.startsWith(spec.replace(/\*+$/, ''))),
      );
    }
    return true;
  };
  for (let i = 0; i < policy.rules.length; i++) {
    const r = policy.rules[i];
    if (matches(r)) return { level: r.level, omitStages: union(policy.omitStages, r.omitStages), rule: i + 1 };
  }
  return { level: 'None', omitStages: union(policy.omitStages), rule: null };
}

const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);
const someOf = <T,>(xs: readonly T[]) => fc.option(fc.uniqueArray(pick(xs), { maxLength: 3 }), { nil: undefined });

const USERS = ['alice', 'bob', 'system:kube-proxy', ''];
const GROUPS = ['devs', 'system:nodes', 'ops'];
const VERBS = ['get', 'list', 'watch', 'create', '*', ''];
const NAMESPACES = ['', 'default', 'kube-system'];
const API_GROUPS = ['', 'apps', 'x.io'];
const RESOURCES = ['pods', 'pods/log', 'pods/*', '*', '*/scale', '*/status', 'deployments', 'deployments/scale', 'a/b/c', '*/*', '/*', '*/', 'a'];
const NAMES = ['', 'a', 'b'];
const URLS = ['*', '/healthz*', '/healthz', '/version', '/logs*', '/'];
const PATHS = ['/healthz', '/healthz/etcd', '/version', '/version/', '/logs/x', '/', '', '/healthzzz'];

const groupResources = fc.record(
  {
    group: pick([...API_GROUPS, '*']),
    resources: fc.uniqueArray(pick(RESOURCES), { maxLength: 3 }),
    resourceNames: fc.uniqueArray(pick(NAMES.filter(Boolean)), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const rule: fc.Arbitrary<PolicyRule> = fc
  .record({
    level: pick(LEVELS),
    users: someOf(USERS),
    userGroups: someOf(GROUPS),
    verbs: someOf(VERBS),
    resources: fc.option(fc.array(groupResources, { maxLength: 3 }), { nil: undefined }),
    namespaces: someOf(NAMESPACES),
    nonResourceURLs: someOf(URLS),
    omitStages: someOf(STAGES),
    omitManagedFields: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((r) => {
    const out = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as PolicyRule;
    // keep it valid: resourceNames need resources; URLs exclude resources/namespaces
    out.resources = out.resources?.map((gr) => ((gr.resources ?? []).length === 0 ? { ...gr, resourceNames: [] } : gr));
    if ((out.nonResourceURLs ?? []).length > 0 && ((out.resources ?? []).length > 0 || (out.namespaces ?? []).length > 0)) {
      delete out.nonResourceURLs;
    }
    if (out.resources === undefined) delete out.resources;
    return out;
  });

const policy: fc.Arbitrary<Policy> = fc.record({
  rules: fc.array(rule, { minLength: 1, maxLength: 6 }),
  omitStages: fc.uniqueArray(pick(STAGES), { maxLength: 2 }),
}).map((p) => ({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', ...p }));

const attrs: fc.Arbitrary<RequestAttributes> = fc.record({
  user: fc.option(fc.record({ name: pick(USERS), groups: fc.uniqueArray(pick(GROUPS), { maxLength: 2 }) }), { nil: null }),
  verb: pick(VERBS),
  resourceRequest: fc.boolean(),
  namespace: pick(NAMESPACES),
  apiGroup: pick(API_GROUPS),
  resource: pick(['pods', 'deployments', 'a', 'a/b', 'scale', '*', '']),
  subresource: pick(['', 'log', 'scale', 'status', 'c', 'b/c', '*']),
  name: pick(NAMES),
  path: pick(PATHS),
});

describe('properties', () => {
  it('the compiled matcher agrees with a literal port of checker.go', () => {
    fc.assert(
      fc.property(policy, fc.array(attrs, { minLength: 1, maxLength: 20 }), (p, as) => {
        const compiled = compilePolicy(p);
        for (const a of as) {
          const d = evaluate(compiled, a);
          expect({ level: d.level, omitStages: [...d.omitStages], rule: d.rule }).toEqual(reference(p, a));
        }
      }),
      { numRuns: 2000 },
    );
  });

  const anyish = fc.oneof(fc.anything(), fc.string(), fc.constant(null));
  const eventish = fc.record(
    {
      user: fc.oneof(anyish, fc.record({ username: anyish, groups: fc.oneof(anyish, fc.array(anyish)), uid: anyish }, { requiredKeys: [] })),
      verb: fc.oneof(anyish, pick(VERBS)),
      requestURI: fc.oneof(anyish, fc.webUrl(), pick(PATHS)),
      objectRef: fc.oneof(anyish, fc.record({ resource: anyish, subresource: anyish, apiGroup: anyish, namespace: anyish, name: anyish }, { requiredKeys: [] })),
      stage: fc.oneof(anyish, pick(STAGES)),
      level: fc.oneof(anyish, pick(LEVELS)),
      requestObject: anyish,
      responseObject: fc.oneof(anyish, fc.record({ metadata: anyish, items: anyish, kind: fc.constant('Table'), rows: anyish }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  );

  it('evaluate never throws on arbitrary event-shaped input', () => {
    fc.assert(
      fc.property(fc.oneof(eventish, fc.anything()), (e) => {
        const d = evaluate(giantswarm, attributesFromEvent(e));
        expect(LEVELS).toContain(d.level);
      }),
      { numRuns: 2000 },
    );
  });

  it('applyPolicy never throws and never mutates its input', () => {
    fc.assert(
      fc.property(eventish, (e) => {
        const before = JSON.stringify(e);
        applyPolicy(giantswarm, e as never);
        expect(JSON.stringify(e)).toBe(before);
      }),
      { numRuns: 1000 },
    );
  });

  it('the checker never throws on arbitrary lines', () => {
    const c = new PolicyChecker(giantswarm);
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (line) => void c.add(line)), { numRuns: 1000 });
  });

  it('parsePolicy fails only with PolicyErrors', () => {
    const yamlish = fc.oneof(
      fc.string(),
      fc.json().map((j) => `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: ${j}\n`),
      fc.json().map((j) => `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - ${j}\n`),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        try {
          parsePolicy(text, 'f.yaml');
        } catch (err) {
          expect(err).toBeInstanceOf(PolicyErrors);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

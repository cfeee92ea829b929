import { describe, expect, it } from 'vitest';
import { dnsSubdomainErrors, MISTYPED, validatePolicy } from './validate.js';

describe('validatePolicy', () => {
  it('accepts a valid policy and an empty one (the 0-rules check is the loader\'s)', () => {
    expect(validatePolicy({ rules: [{ level: 'None', resources: [{ group: '*' }, { group: 'apps', resources: ['*/scale'] }] }] })).toEqual([]);
    expect(validatePolicy({})).toEqual([]);
  });

  it('returns errors in Kubernetes order with exact segments for line lookup', () => {
    const errs = validatePolicy({
      omitStages: ['X'],
      rules: [{ level: '', resources: [{ group: 'ok' }, { group: 'Bad', resourceNames: ['n'] }], nonResourceURLs: ['/x'], omitStages: ['Y'] }],
    });
    expect(errs.map((e) => [e.path, e.segments.join('.')])).toEqual([
      ['omitStages[0]', 'omitStages.0'],
      ['rules[0].level', 'rules.0.level'],
      ['rules[0].resources.group', 'rules.0.resources.1.group'],
      ['rules[0].resources.resourceNames', 'rules.0.resources.1.resourceNames'],
      ['rules[0].omitStages[0]', 'rules.0.omitStages.0'],
      ['rules[0].nonResourceURLs', 'rules.0.nonResourceURLs'],
    ]);
  });

  it('skips values whose type was already reported', () => {
    expect(validatePolicy({ omitStages: [MISTYPED], rules: [MISTYPED, { level: MISTYPED, nonResourceURLs: [MISTYPED] }] })).toEqual([]);
  });

  it('empty resources/namespaces lists do not conflict with nonResourceURLs', () => {
    expect(validatePolicy({ rules: [{ level: 'None', resources: [], namespaces: [], nonResourceURLs: ['/x'] }] })).toEqual([]);
  });
});

describe('dnsSubdomainErrors (IsDNS1123Subdomain)', () => {
  it.each([
    ['apps', 0],
    ['rbac.authorization.k8s.io', 0],
    ['a-b.c-d', 0],
    ['-a', 1],
    ['a.', 1],
    ['a_b', 1],
    ['Apps', 1],
    ['apps/v1', 1],
  ])('%s → %i errors', (g, n) => {
    expect(dnsSubdomainErrors(g)).toHaveLength(n);
  });

  it('length is limited to 253 bytes', () => {
    expect(dnsSubdomainErrors('a'.repeat(253))).toEqual([]);
    expect(dnsSubdomainErrors('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });
});

import { describe, expect, it } from 'vitest';
import * as k8s from './index.js';

describe('public API', () => {
  it('exports the engine', () => {
    for (const name of ['parsePolicy', 'loadPolicies', 'compilePolicy', 'evaluate', 'attributesFromEvent', 'applyPolicy', 'keepAll', 'checkEvents', 'formatTable', 'formatCheckRecord', 'PolicyError', 'PolicyErrors']) {
      expect(typeof (k8s as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('end to end: parse, compile, apply', () => {
    const policy = k8s.compilePolicy(k8s.parsePolicy(k8s.GIANTSWARM_POLICY_YAML, 'gs.yaml'));
    const r = k8s.applyPolicy(policy, { stage: 'ResponseComplete', verb: 'get', requestURI: '/healthz', user: { username: 'system:anonymous' } });
    expect(r).toMatchObject({ event: null, dropped: 'level', decision: { rule: 9, level: 'None' } });
  });
});

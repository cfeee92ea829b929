import { describe, expect, it } from 'vitest';
import { benchEvents, benchPolicy } from './throughput.js';
import { attributesFromEvent } from '../../policy/k8s/attributes.js';
import { compilePolicy, evaluate } from '../../policy/k8s/evaluate.js';
import { GIANTSWARM_POLICY_YAML } from '../../policy/k8s/giantswarm-policy.js';
import { parsePolicy } from '../../policy/k8s/load.js';

// No timing assertions: the numbers depend on the machine.
describe('benchPolicy', () => {
  it('runs and reports rates', () => {
    const r = benchPolicy({ iterations: 20_000, runs: 1 });
    expect(r.iterations).toBe(20_000);
    expect(r.decisionsPerSec).toBeGreaterThan(0);
    expect(r.eventsPerSec).toBeGreaterThan(0);
  });

  it('the mix exercises most rules of the policy', () => {
    const p = compilePolicy(parsePolicy(GIANTSWARM_POLICY_YAML, 'gs.yaml'));
    const hit = new Set(benchEvents().map((e) => evaluate(p, attributesFromEvent(e)).rule));
    expect(hit.size).toBeGreaterThanOrEqual(10);
  });
});

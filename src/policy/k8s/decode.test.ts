import { describe, expect, it } from 'vitest';
import { decodePolicy, toPolicy } from './decode.js';
import { parsePolicy } from './load.js';
import { MISTYPED } from './validate.js';

describe('decodePolicy', () => {
  it('keeps list indexes of mistyped elements', () => {
    const d = decodePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'None', users: ['a', 3, null] }] });
    expect(d.loose.rules?.[0]).toEqual({ level: 'None', users: ['a', MISTYPED, ''] });
    expect(d.errors.map((e) => e.segments)).toEqual([['rules', 0, 'users', 1]]);
  });

  it('reports unknown fields at every level as warnings', () => {
    const d = decodePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', x: 1, rules: [{ level: 'None', y: 1, resources: [{ z: 1 }] }] });
    expect(d.errors).toEqual([]);
    expect(d.warnings.map((w) => w.reason)).toEqual([
      'unknown field "x"',
      'unknown field "rules[0].y"',
      'unknown field "rules[0].resources[0].z"',
    ]);
  });

  it('toPolicy keeps an explicit omitManagedFields: false (a pointer in Go)', () => {
    const d = decodePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitManagedFields: true, rules: [{ level: 'Request', omitManagedFields: false }] });
    expect(toPolicy(d)).toEqual({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitManagedFields: true, rules: [{ level: 'Request', omitManagedFields: false }] });
  });
});

describe('YAML 1.1 scalars as go-yaml v2 reads them', () => {
  it('timestamps stay strings', () => {
    expect(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: None\n    users: [2001-12-14]\n', 'p')).not.toThrow();
  });

  it('yes/no are booleans', () => {
    const p = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nomitManagedFields: yes\nrules:\n  - level: None\n', 'p');
    expect(p.omitManagedFields).toBe(true);
  });
});

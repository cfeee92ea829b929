import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError, PolicyErrors, type PolicyWarning } from './errors.js';
import { evaluate } from './evaluate.js';
import { loadPolicies, parsePolicy, parsePolicyDetailed } from './load.js';
import { emptyAttributes } from './attributes.js';

const HEAD = 'apiVersion: audit.k8s.io/v1\nkind: Policy\n';

/** Parse and return the reported problems as [path, line, reason]. */
function problems(text: string, file = 'policy.yaml'): [string, number, string][] {
  try {
    parsePolicy(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyErrors);
    return (err as PolicyErrors).errors.map((e) => [e.path, e.line, e.reason]);
  }
  throw new Error('expected the policy to be rejected');
}

const DNS_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const STAGES_MSG = 'allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic';

describe('parsePolicy: valid input', () => {
  it('parses a policy and records rule lines', () => {
    const p = parsePolicyDetailed(
      HEAD + 'omitStages: [RequestReceived]\nrules:\n  - level: None\n    users: ["a"]\n  - level: Metadata\n    omitManagedFields: false\n',
      'p.yaml',
    );
    expect(p.policy).toEqual({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [{ level: 'None', users: ['a'] }, { level: 'Metadata', omitManagedFields: false }],
    });
    expect(p.ruleLines).toEqual([5, 7]);
  });

  it('null list entries decode to "" and null resources to the core group (Go zero values)', () => {
    const p = parsePolicy(HEAD + 'rules:\n  - level: None\n    namespaces: [~]\n    resources: [~]\n', 'p.yaml');
    expect(p.rules[0]).toEqual({ level: 'None', namespaces: [''], resources: [{}] });
  });

  it('supports anchors and merge keys', () => {
    const p = parsePolicy(HEAD + 'x: &base {level: Request, verbs: [get]}\nrules:\n  - <<: *base\n    users: [u]\n', 'p.yaml');
    expect(p.rules[0]).toEqual({ level: 'Request', verbs: ['get'], users: ['u'] });
  });

  it('accepts group "*" (v1.36+) and a lone "*" non-resource URL', () => {
    expect(() => parsePolicy(HEAD + 'rules:\n  - level: None\n    resources: [{group: "*"}]\n  - level: None\n    nonResourceURLs: ["*"]\n', 'p')).not.toThrow();
  });

  it('unknown and duplicate fields only warn; the last duplicate wins', () => {
    const warnings: PolicyWarning[] = [];
    const p = parsePolicy(HEAD + 'extra: 1\nrules:\n  - level: None\n    level: Request\n    userz: [a]\n', 'p.yaml', { onWarning: (w) => warnings.push(w) });
    expect(p.rules[0]).toEqual({ level: 'Request' });
    expect(warnings.map((w) => w.message)).toEqual([
      'p.yaml:6: duplicate field "rules[0].level" (the last value wins)',
      'p.yaml:3: unknown field "extra"',
      'p.yaml:7: unknown field "rules[0].userz"',
    ]);
  });

  it('field names are case-sensitive', () => {
    expect(problems(HEAD + 'rules:\n  - Level: None\n')).toEqual([['rules[0].level', 4, 'Required value']]);
  });

  it('uses only the first YAML document, as the API server does, with a warning', () => {
    const warnings: PolicyWarning[] = [];
    const p = parsePolicy(HEAD + 'rules: [{level: None}]\n---\nrules: []\n', 'p.yaml', { onWarning: (w) => warnings.push(w) });
    expect(p.rules).toHaveLength(1);
    expect(warnings[0].message).toMatch(/^p\.yaml:5: only the first YAML document/);
  });
});

describe('parsePolicy: validation errors as Kubernetes reports them', () => {
  it('unsupported level, with the full message', () => {
    const text = HEAD + 'rules:\n  - level: Verbose\n';
    expect(() => parsePolicy(text, 'policy.yaml')).toThrow(
      'policy.yaml:4: rules[0].level: Unsupported value: "Verbose": supported values: "None", "Metadata", "Request", "RequestResponse"',
    );
    try {
      parsePolicy(text, 'policy.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyError);
      expect(err).toMatchObject({ file: 'policy.yaml', path: 'rules[0].level', line: 4 });
    }
  });

  it.each<[string, string, [string, number, string][]]>([
    ['missing level', 'rules:\n  - users: [a]\n', [['rules[0].level', 4, 'Required value']]],
    ['empty level', 'rules:\n  - level: ""\n', [['rules[0].level', 4, 'Required value']]],
    ['null level', 'rules:\n  - level:\n', [['rules[0].level', 4, 'Required value']]],
    ['policy omitStages', 'omitStages: [RequestReceived, Done]\nrules: [{level: None}]\n', [['omitStages[1]', 3, `Invalid value: "Done": ${STAGES_MSG}`]]],
    ['rule omitStages', 'rules:\n  - level: None\n    omitStages:\n      - Panic\n      - requestReceived\n', [['rules[0].omitStages[1]', 7, `Invalid value: "requestReceived": ${STAGES_MSG}`]]],
    ['URL without /', 'rules:\n  - level: None\n    nonResourceURLs: ["healthz"]\n', [['rules[0].nonResourceURLs[0]', 5, `Invalid value: "healthz": non-resource URL rules must begin with a '/' character`]]],
    ['empty URL', 'rules:\n  - level: None\n    nonResourceURLs: [""]\n', [['rules[0].nonResourceURLs[0]', 5, `Invalid value: "": non-resource URL rules must begin with a '/' character`]]],
    ['* not at the end', 'rules:\n  - level: None\n    nonResourceURLs:\n      - /ok*\n      - /a*/b\n', [['rules[0].nonResourceURLs[1]', 7, `Invalid value: "/a*/b": non-resource URL wildcards '*' must be the final character of the rule`]]],
    ['both URL errors', 'rules:\n  - level: None\n    nonResourceURLs: ["a*b"]\n', [
      ['rules[0].nonResourceURLs[0]', 5, `Invalid value: "a*b": non-resource URL rules must begin with a '/' character`],
      ['rules[0].nonResourceURLs[0]', 5, `Invalid value: "a*b": non-resource URL wildcards '*' must be the final character of the rule`],
    ]],
    ['resources and nonResourceURLs', 'rules:\n  - level: None\n    resources: [{group: ""}]\n    nonResourceURLs: ["/x", "/y*"]\n', [['rules[0].nonResourceURLs', 6, 'Invalid value: ["/x","/y*"]: rules cannot apply to both regular resources and non-resource URLs']]],
    ['namespaces and nonResourceURLs', 'rules:\n  - level: None\n    namespaces: [a]\n    nonResourceURLs: ["/x"]\n', [['rules[0].nonResourceURLs', 6, 'Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs']]],
    ['group with a version', 'rules:\n  - level: None\n  - level: None\n    resources:\n      - group: apps\n      - group: rbac.authorization.k8s.io/v1beta1\n', [['rules[1].resources.group', 8, `Invalid value: "rbac.authorization.k8s.io/v1beta1": ${DNS_MSG}`]]],
    ['upper-case group', 'rules:\n  - level: None\n    resources: [{group: Apps}]\n', [['rules[0].resources.group', 5, `Invalid value: "Apps": ${DNS_MSG}`]]],
    ['resourceNames without resources', 'rules:\n  - level: None\n    resources:\n      - group: ""\n        resourceNames: [a, b]\n', [['rules[0].resources.resourceNames', 7, 'Invalid value: ["a","b"]: using resourceNames requires at least one resource']]],
    ['zero rules', 'rules: []\n', [['rules', 3, 'Required value: loaded illegal policy with 0 rules']]],
    ['no rules field', 'omitManagedFields: true\n', [['rules', 1, 'Required value: loaded illegal policy with 0 rules']]],
  ])('%s', (_name, body, want) => {
    expect(problems(HEAD + body)).toEqual(want);
  });

  it('reports every error, in Kubernetes order, each with its line', () => {
    const text =
      HEAD +
      'omitStages: [Nope]\n' + //                                 3
      'rules:\n' + //                                              4
      '  - level: Verbose\n' + //                                  5
      '    nonResourceURLs: [healthz]\n' + //                      6
      '    omitStages: [Later]\n' + //                             7
      '  - level: None\n' + //                                     8
      '  - resources:\n' + //                                      9
      '      - group: Bad_Group\n' + //                            10
      '        resourceNames: [x]\n'; //                           11
    let err: PolicyErrors | undefined;
    try {
      parsePolicy(text, 'multi.yaml');
    } catch (e) {
      err = e as PolicyErrors;
    }
    expect(err?.errors.map((e) => `${e.line} ${e.path}`)).toEqual([
      '3 omitStages[0]',
      '5 rules[0].level',
      '6 rules[0].nonResourceURLs[0]',
      '7 rules[0].omitStages[0]',
      '9 rules[2].level',
      '10 rules[2].resources.group',
      '11 rules[2].resources.resourceNames',
    ]);
    expect(err?.message.split('\n')).toHaveLength(7);
    expect(err?.message.split('\n')[0]).toBe(`multi.yaml:3: omitStages[0]: Invalid value: "Nope": ${STAGES_MSG}`);
    expect(err).toMatchObject({ file: 'multi.yaml', path: 'omitStages[0]', line: 3 });
  });
});

describe('parsePolicy: decoding errors', () => {
  it.each<[string, string, [string, number, string][]]>([
    ['level not a string', 'rules:\n  - level: 5\n', [['rules[0].level', 4, 'Invalid value: 5: must be a string']]],
    ['users not a list', 'rules:\n  - level: None\n    users: alice\n', [['rules[0].users', 5, 'Invalid value: "alice": must be a list of strings']]],
    ['list element not a string', 'rules:\n  - level: None\n    verbs: [get, 1]\n', [['rules[0].verbs[1]', 5, 'Invalid value: 1: must be a string']]],
    ['YAML 1.1 booleans (go-yaml v2)', 'rules:\n  - level: None\n    namespaces: [on]\n', [['rules[0].namespaces[0]', 5, 'Invalid value: true: must be a string']]],
    ['omitManagedFields as a string', 'rules:\n  - level: None\n    omitManagedFields: "true"\n', [['rules[0].omitManagedFields', 5, 'Invalid value: "true": must be a boolean']]],
    ['resources not a list', 'rules:\n  - level: None\n    resources: pods\n', [['rules[0].resources', 5, 'Invalid value: "pods": must be a list of mappings (GroupResources)']]],
    ['rule not a mapping', 'rules:\n  - None\n', [['rules[0]', 4, 'Invalid value: "None": must be a mapping (a PolicyRule)']]],
    ['rules not a list', 'rules: {level: None}\n', [['rules', 3, 'Invalid value: {"level":"None"}: must be a list of rules']]],
    ['metadata not a mapping', 'metadata: x\nrules: [{level: None}]\n', [['metadata', 3, 'Invalid value: "x": must be a mapping (ObjectMeta)']]],
  ])('%s', (_name, body, want) => {
    expect(problems(HEAD + body)).toEqual(want);
  });

  it.each<[string, string, [string, number, string][]]>([
    ['old API version', 'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]\n', [['apiVersion', 1, 'Unsupported value: "audit.k8s.io/v1beta1": supported values: "audit.k8s.io/v1"']]],
    ['wrong kind', 'apiVersion: audit.k8s.io/v1\nkind: PolicyList\nrules: [{level: None}]\n', [['kind', 2, 'Unsupported value: "PolicyList": supported values: "Policy"']]],
    ['missing kind', 'apiVersion: audit.k8s.io/v1\nrules: [{level: None}]\n', [['kind', 1, 'Required value']]],
    ['empty file', '', [['apiVersion', 1, 'Required value'], ['kind', 1, 'Required value'], ['rules', 1, 'Required value: loaded illegal policy with 0 rules']]],
    ['not a mapping', '- level: None\n', [['', 1, 'Invalid value: [{"level":"None"}]: must be a mapping (an audit.k8s.io/v1 Policy)'], ['rules', 1, 'Required value: loaded illegal policy with 0 rules']]],
  ])('header: %s', (_name, text, want) => {
    expect(problems(text)).toEqual(want);
  });

  it('a mistyped level is not also reported as missing', () => {
    expect(problems(HEAD + 'rules:\n  - level: [None]\n')).toEqual([['rules[0].level', 4, 'Invalid value: ["None"]: must be a string']]);
  });

  it('YAML syntax errors carry their line', () => {
    const errs = problems(HEAD + 'rules:\n  - level: None\n    users: [a, b\n  - level: None\n');
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0][0]).toBe('');
    expect(errs[0][1]).toBeGreaterThanOrEqual(5);
    expect(errs[0][2]).toMatch(/^YAML syntax error: /);
  });

  it('Go %q quoting in messages', () => {
    expect(problems(HEAD + 'rules:\n  - level: "Ver\\tbose\\u0001"\n')[0][2]).toBe(
      'Unsupported value: "Ver\\tbose\\x01": supported values: "None", "Metadata", "Request", "RequestResponse"',
    );
  });
});

describe('loadPolicies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-k8s-policy-'));
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('concatenates rules in file order and unions policy-level settings', async () => {
    const a = write('a.yaml', HEAD + 'omitStages: [Panic]\nrules:\n  - level: None\n    users: [x]\n');
    const b = write('b.yaml', HEAD + 'omitStages: [RequestReceived]\nomitManagedFields: true\nrules:\n  - level: Metadata\n    omitManagedFields: false\n  - level: Request\n');
    const p = await loadPolicies([a, b]);
    expect(p.rules.map((r) => [r.index, r.file, r.line, r.fileIndex, r.level])).toEqual([
      [1, a, 5, 1, 'None'],
      [2, b, 6, 1, 'Metadata'],
      [3, b, 8, 2, 'Request'],
    ]);
    expect(p.omitStages).toEqual(['Panic', 'RequestReceived']);
    expect(p.rules.map((r) => r.omitStages)).toEqual(Array(3).fill(['Panic', 'RequestReceived']));
    expect(p.rules.map((r) => r.omitManagedFields)).toEqual([true, false, true]);
    const attrs = { ...emptyAttributes(), user: { name: 'x', groups: [] } };
    expect(evaluate(p, attrs).rule).toBe(1);
    expect(evaluate(p, emptyAttributes()).rule).toBe(2);
  });

  it('reports the errors of all files together', async () => {
    const bad1 = write('bad1.yaml', HEAD + 'rules:\n  - level: Verbose\n');
    const bad2 = write('bad2.yaml', HEAD + 'rules: []\n');
    const missing = join(dir, 'missing.yaml');
    const err = await loadPolicies([bad1, bad2, missing]).catch((e: unknown) => e as PolicyErrors);
    expect(err).toBeInstanceOf(PolicyErrors);
    expect((err as PolicyErrors).errors.map((e) => [e.file, e.path, e.line])).toEqual([
      [bad1, 'rules[0].level', 4],
      [bad2, 'rules', 3],
      [missing, '', 0],
    ]);
    expect((err as PolicyErrors).errors[2].message).toMatch(/cannot read policy file/);
  });

  it('needs at least one file', async () => {
    await expect(loadPolicies([])).rejects.toThrow(TypeError);
  });
});

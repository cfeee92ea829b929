/**
 * `vigil policy check` engine over the shared samples with the Giant Swarm policy.
 * Expected rules per sample line were worked out by hand (see giantswarm.test.ts
 * for the rule list): e.g. line 15 is kube-proxy watching endpoints → rule 1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEvents, formatCheckRecord, formatTable, inputsFromText, PolicyChecker } from './check.js';
import { compilePolicy } from './evaluate.js';
import { parsePolicyDetailed } from './load.js';

const policyText = readFileSync(new URL('./testdata/giantswarm-policy.yaml', import.meta.url), 'utf8');
const parsed = parsePolicyDetailed(policyText, 'giantswarm-policy.yaml');
const policy = compilePolicy(parsed.policy, parsed.file, parsed.ruleLines);

const SAMPLES = new URL('../../formats/testdata', import.meta.url).pathname;
let ndjson = '';
let eventList = '';
try {
  ndjson = readFileSync(`${SAMPLES}/kubernetes-audit.ndjson`, 'utf8');
  eventList = readFileSync(`${SAMPLES}/kubernetes-eventlist.json`, 'utf8');
} catch {
  // samples live outside the repository; those tests are skipped without them
}
const haveSamples = ndjson !== '' && eventList !== '';

/** [rule, level, stage, dropped] for each line of kubernetes-audit.ndjson, by hand. */
const EXPECTED: [number, string, string, boolean][] = [
  [17, 'Metadata', 'ResponseComplete', false], // 1 update loggingtargets (logging.gdc.goog: unknown group)
  [17, 'Metadata', 'RequestReceived', true], // 2 delete auditloggingtargets, RequestReceived omitted
  [17, 'Metadata', 'ResponseComplete', false], // 3 update loggingrules
  [17, 'Metadata', 'RequestReceived', true], // 4 get observabilitypipelines, RequestReceived omitted
  [16, 'RequestResponse', 'RequestReceived', true], // 5 create core serviceaccounts, RequestReceived omitted
  [15, 'Request', 'ResponseComplete', false], // 6 get pod
  [14, 'Metadata', 'ResponseComplete', false], // 7 list secrets
  [16, 'RequestResponse', 'RequestReceived', true], // 8 create deployment, RequestReceived omitted
  [16, 'RequestResponse', 'ResponseComplete', false], // 9 create deployment
  [16, 'RequestResponse', 'ResponseComplete', false], // 10 patch deployments/scale
  [14, 'Metadata', 'ResponseComplete', false], // 11 update configmap
  [16, 'RequestResponse', 'ResponseComplete', false], // 12 delete pod
  [13, 'Request', 'ResponseComplete', false], // 13 namespace-controller deletecollection
  [15, 'Request', 'ResponseComplete', false], // 14 anonymous get node (not system:nodes)
  [1, 'None', 'ResponseComplete', true], // 15 kube-proxy watch endpoints
  [16, 'RequestResponse', 'ResponseComplete', false], // 16 create pods/exec
  [14, 'Metadata', 'ResponseComplete', false], // 17 get secret (impersonation ignored)
  [17, 'Metadata', 'ResponseComplete', false], // 18 get /readyz
  [16, 'RequestResponse', 'ResponseComplete', false], // 19 create clusterrolebinding
  [14, 'Metadata', 'ResponseComplete', false], // 20 create tokenreview
  [14, 'Metadata', 'ResponseComplete', false], // 21 get configmap
  [12, 'Request', 'ResponseComplete', false], // 22 node updates pods/status
];

describe.runIf(haveSamples)('checkEvents on the shared samples', () => {
  const lines = inputsFromText(ndjson);
  const { records, summary } = checkEvents(policy, lines);

  it('one record per event, in input order, with hand-checked rules', () => {
    expect(records).toHaveLength(22);
    records.forEach((r, i) => {
      const [rule, level, stage] = EXPECTED[i];
      expect({ line: i + 1, rule: r.rule, level: r.level, stage: r.stage }).toEqual({ line: i + 1, rule, level, stage });
      expect(r.auditID).toBe(JSON.parse(lines[i] as string).auditID);
      expect(r.omitStages).toEqual(rule >= 11 ? ['RequestReceived'] : []);
    });
  });

  it('serialises records exactly', () => {
    expect(formatCheckRecord(records[1])).toBe(
      '{"auditID":"1fd8d531-c488-4478-8341-47346b1b6eda","stage":"RequestReceived","level":"Metadata","omitStages":["RequestReceived"],"rule":17}',
    );
    expect(formatCheckRecord(records[14])).toBe(
      '{"auditID":"11111111-aaaa-4bbb-8ccc-000000000009","stage":"ResponseComplete","level":"None","omitStages":[],"rule":1}',
    );
  });

  it('summarises per rule', () => {
    const hits = Object.fromEntries(summary.rules.filter((s) => s.hits > 0).map((s) => [s.rule, s.hits]));
    expect(hits).toEqual({ 1: 1, 12: 1, 13: 1, 14: 5, 15: 2, 16: 7, 17: 5 });
    expect(summary.unmatchedRules).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(summary.noMatch.hits).toBe(0);
    expect(summary.totals).toMatchObject({ events: 22, kept: 17, dropped: 5, droppedByLevel: 1, droppedByStage: 4 });
    expect(summary.rules[16]).toMatchObject({ rule: 17, level: 'Metadata', hits: 5, kept: 3, dropped: 2, file: 'giantswarm-policy.yaml', line: 161 });
  });

  it('counts bytes before and after', () => {
    const size = (l: unknown) => Buffer.byteLength(JSON.stringify(JSON.parse(l as string)));
    const before = lines.reduce((n: number, l) => n + size(l), 0);
    // Every kept sample event already is at or below its decided level: kept bytes are unchanged.
    const after = lines.reduce((n: number, l, i) => n + (EXPECTED[i][3] ? 0 : size(l)), 0);
    expect(summary.totals.bytesBefore).toBe(before);
    expect(summary.totals.bytesAfter).toBe(after);
    expect(summary.rules[0]).toMatchObject({ bytesBefore: size(lines[14]), bytesAfter: 0 });
  });

  it('expands an EventList (webhook body)', () => {
    const inputs = inputsFromText(eventList);
    expect(inputs).toHaveLength(1);
    const r = checkEvents(policy, inputs[0] as { kind: 'EventList'; items: unknown[] });
    expect(r.records.map((x) => [x.rule, x.level])).toEqual([
      [16, 'RequestResponse'], // create core serviceaccounts
      [16, 'RequestResponse'], // create rbac rolebindings
      [15, 'Request'], // list batch cronjobs
    ]);
    expect(checkEvents(policy, eventList).records).toHaveLength(3);
  });

  it('renders an aligned table', () => {
    const out = formatTable(summary);
    const table = out.split('\n\n')[0].split('\n');
    expect(table).toHaveLength(1 + 17 + 2);
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
    expect(table[0]).toMatch(/^RULE\s+SOURCE\s+LEVEL\s+HITS\s+KEPT\s+DROPPED\s+BYTES BEFORE\s+BYTES AFTER$/);
    expect(table[1]).toMatch(/^1\s+giantswarm-policy\.yaml:8\s+None\s+1\s+0\s+1\s+\d+\s+0$/);
    expect(table[18]).toMatch(/^-\s+\(no rule matched\)\s+None\s+0\s+0\s+0\s+0\s+0$/);
    expect(table[19]).toMatch(/^TOTAL\s+22\s+17\s+5\s+\d+\s+\d+$/);
    expect(out).toContain('Rules never matched: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\n');
  });
});

describe('PolicyChecker input handling', () => {
  it('reports invalid input with its position and skips blank lines', () => {
    const c = new PolicyChecker(policy);
    const inputs = ['{"auditID":"a","stage":"ResponseComplete","verb":"get","requestURI":"/healthz"}', '', 'not json', '42', '{"kind":"EventList"}', '{"kind":"EventList","items":[1]}'];
    const records = inputs.flatMap((i) => c.add(i));
    expect(records).toEqual([{ auditID: 'a', stage: 'ResponseComplete', level: 'None', omitStages: [], rule: 9 }]);
    const s = c.summary();
    expect(s.invalid.map((x) => x.index)).toEqual([3, 4, 5, 6]);
    expect(formatTable(s)).toContain('Invalid input: 4');
  });

  it('events without auditID/stage get null fields; unmatched events count as "no match"', () => {
    const p = compilePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['Panic'], rules: [{ level: 'Metadata', verbs: ['get'] }] });
    const { records, summary } = checkEvents(p, [{ verb: 'list' }]);
    expect(records).toEqual([{ auditID: null, stage: null, level: 'None', omitStages: ['Panic'], rule: null }]);
    expect(summary.noMatch).toMatchObject({ hits: 1, dropped: 1 });
    expect(summary.unmatchedRules).toEqual([1]);
  });

  it('inputsFromText: ndjson lines keep their numbers, arrays expand', () => {
    expect(inputsFromText('{"a":1}\n\n{"b":2}\r\n')).toEqual(['{"a":1}', '', '{"b":2}']);
    expect(inputsFromText('[{"a":1},{"b":2}]')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(inputsFromText('{\n "kind": "Event"\n}\n')).toEqual([{ kind: 'Event' }]);
  });
});

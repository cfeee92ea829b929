import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../src/testing/events.js';
import { runCli } from './vigil-process.js';

const POLICY = new URL('../../src/policy/k8s/testdata/giantswarm-policy.yaml', import.meta.url).pathname;
const SAMPLES = new URL('../../src/formats/testdata', import.meta.url).pathname;

describe('vigil policy check', () => {
  it('prints one decision per event, in input order, as NDJSON', async () => {
    const r = await runCli(['policy', 'check', '--policy', POLICY, '-o', 'ndjson', `${SAMPLES}/kubernetes-eventlist.json`]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { auditID: '22222222-bbbb-4ccc-8ddd-000000000001', stage: 'ResponseComplete', level: 'RequestResponse', omitStages: ['RequestReceived'], rule: 16 },
      { auditID: '22222222-bbbb-4ccc-8ddd-000000000002', stage: 'ResponseComplete', level: 'RequestResponse', omitStages: ['RequestReceived'], rule: 16 },
      { auditID: '22222222-bbbb-4ccc-8ddd-000000000003', stage: 'ResponseComplete', level: 'Request', omitStages: ['RequestReceived'], rule: 15 },
    ]);
  });

  it('prints a per-rule table with totals and the rules that never matched', async () => {
    const r = await runCli(['policy', 'check', '--policy', POLICY, `${SAMPLES}/kubernetes-audit.ndjson`, `${SAMPLES}/kubernetes-eventlist.json`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^RULE\s+SOURCE\s+LEVEL\s+HITS\s+KEPT\s+DROPPED\s+BYTES BEFORE\s+BYTES AFTER/);
    expect(r.stdout).toMatch(/\nTOTAL\s+25\s+20\s+5\s+\d+\s+\d+/);
    expect(r.stdout).toContain('Rules never matched: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11');
  });

  it('reports an invalid policy with file, line, field path and reason', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n  - level: Verbose\n    omitStages: [Sometime]\n');
    const r = await runCli(['policy', 'check', '--policy', bad, `${SAMPLES}/kubernetes-eventlist.json`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:5: rules[1].level: Unsupported value: "Verbose"`);
    expect(r.stderr).toMatch(new RegExp(`${bad}:6: rules\\[1\\]\\.omitStages\\[0\\]: Invalid value: "Sometime": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic`));
  });
});

describe('vigil normalize and ingest --format', () => {
  it('normalizes each sample without storing anything', async () => {
    const r = await runCli(['normalize', '--format', 'kubernetes-audit', `${SAMPLES}/kubernetes-eventlist.json`]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event.dataset)).toEqual(Array(3).fill('kubernetes.audit_logs'));
    expect(events[0].orchestrator.resource.type).toBe('serviceaccounts');
  });

  it('reports bad records of an explicit format with file, line and byte offset, and exits 1', async () => {
    const dir = tempDir();
    const f = join(dir, 'mixed.ndjson');
    writeFileSync(f, '{"time":"2022-12-02T21:37:03.657277582Z","action":"READ","resource":"/x","response":"Successful: 200 OK"}\nnot json at all\n');
    const r = await runCli(['normalize', '--format', 'gdch-proxy', f]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^${f}:2: byte 106: `));
  });

  it('ingests mixed formats with auto, counting what fell back to generic, with the policy applied', async () => {
    const dir = tempDir();
    const f = join(dir, 'mixed.log');
    const { readFileSync } = await import('node:fs');
    const k8s = readFileSync(`${SAMPLES}/kubernetes-audit.ndjson`, 'utf8').trim().split('\n').slice(0, 2);
    const app = readFileSync(`${SAMPLES}/app.ndjson`, 'utf8').trim().split('\n').slice(0, 3);
    writeFileSync(f, [...k8s, ...app, 'plain text that no format knows'].join('\n') + '\n');
    const cfg = join(dir, 'vigil.yaml');
    writeFileSync(cfg, `kubernetes:\n  policy: [${POLICY}]\n`);
    const r = await runCli(['ingest', '--format', 'auto', '--config', cfg, '--data', dir, f]);
    expect(r.stderr).toMatch(/read 6 records: 5 accepted, 0 rejected, 1 dropped by policy/);
    expect(r.stderr).toMatch(/by format: .*app 3/);
    expect(r.stderr).toContain('(1 lines of no known format kept as generic)');
    expect(r.code).toBe(0);
  });
});

describe('vigil ingest of a multi-line format across batches', () => {
  it('assembles auditd events that straddle the 4 MiB batch boundary', async () => {
    const dir = tempDir();
    const f = join(dir, 'audit.log');
    const { generateAuditdLog } = await import('../../src/bench/auditd/generate.js');
    const lines = generateAuditdLog(5000, 7);
    writeFileSync(f, lines.join('\n') + '\n');
    const expected = (await runCli(['normalize', '--format', 'auditd', '--no-original', f])).stdout.trim().split('\n').length;
    expect(expected).toBe(5000);
    const r = await runCli(['ingest', '--format', 'auditd', '--data', dir, f]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('5000 accepted, 0 rejected');
  });
});

/**
 * The tamper-evidence story with the built CLI, as an operator and an
 * auditor would run it: ingest, verify, edit the DuckDB file behind Vigil's
 * back, verify again; export a proof bundle and check it offline; verify a
 * running server remotely.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, hashLeaf, openCheckpoint, parseVerifierKey, verifyInclusion } from '../../src/integrity/index.js';
import { splitSignedNotes } from '../../src/integrity/note-log.js';
import { canonicalJson } from '../../src/model/canonical.js';
import { sampleEvent, tempDir } from '../../src/testing/events.js';
import { runCli, startServerProcess } from './vigil-process.js';

const N = 3000;

async function tamper(dir: string, ...sql: string[]): Promise<void> {
  const db = await DuckDBInstance.create(join(dir, 'vigil.duckdb'));
  const conn = await db.connect();
  for (const s of sql) await conn.run(s);
  conn.closeSync();
  db.closeSync();
}

describe('vigil verify, export and proof from the command line', () => {
  let dir: string;
  let key: string;
  const copy = () => {
    const d = tempDir();
    cpSync(dir, d, { recursive: true });
    return d;
  };
  const verify = (d: string, ...extra: string[]) => runCli(['verify', '--data', d, '--key', key, ...extra]);

  beforeAll(async () => {
    dir = tempDir();
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, Array.from({ length: N }, (_, i) => JSON.stringify(sampleEvent(i))).join('\n') + '\n');
    const data = join(dir, 'data');
    const ingest = await runCli(['ingest', file, '--data', data]);
    expect(ingest.code).toBe(0);
    dir = data;
    const k = await runCli(['key', 'show', '--data', dir]);
    expect(k.code).toBe(0);
    key = k.stdout.trim();
  });

  it('passes an untouched store and reports it, recording the verification in the audit log', async () => {
    const r = await verify(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^OK: ${N} events, 1 signed checkpoints, root [0-9a-f]{64}`));
    expect(r.stderr).not.toMatch(/not recorded/);
    const json = JSON.parse((await verify(dir, '--json')).stdout) as { ok: boolean; size: number };
    expect(json).toMatchObject({ ok: true, size: N + 1 }); // with the first verification's vigil.access record
    expect(readFileSync(join(dir, 'checkpoints.log'), 'utf8')).toContain(`\n${N}\n`);
    const q = await runCli(['query', '{dataset="vigil.access"} |= "cli:verify"', '--since', '100000d', '-o', 'ndjson', '--data', dir]);
    const records = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: { action: string }; access: { results: number } });
    expect(records.map((e) => [e.event.action, e.access.results])).toEqual([
      ['verify', N + 1],
      ['verify', N],
    ]);
  });

  it.each([
    ['update a field', [`UPDATE events SET doc = replace(doc, '"user":{"email":"user34@', '"user":{"email":"mallory@') WHERE seq = 1234`], 1234, 'modified'],
    ['delete a row', ['DELETE FROM events WHERE seq = 2999'], 2999, 'deleted'],
    ['insert a row', [`INSERT INTO events SELECT 1500, ts, dataset, category, action, outcome, user_name, user_email, source_ip, target, namespace, host, replace(doc, 'req-7"', 'req-forged"') FROM events WHERE seq = 7`], 1500, 'inserted'],
    ['swap two rows', ['UPDATE events SET seq = CASE seq WHEN 10 THEN 20 ELSE 10 END WHERE seq IN (10, 20)'], 10, 'reordered'],
    ['replace a checkpoint', [`UPDATE checkpoints SET note = replace(note, '\n${N}\n', '\n${N + 1}\n')`], N, 'forged checkpoint'],
  ])('fails when someone edits the DuckDB file: %s', async (_what, sql, seq, kind) => {
    const d = copy();
    await tamper(d, ...sql);
    const r = await verify(d);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAILED at seq ${seq}: ${kind} — `));
    expect(r.stderr).toMatch(/not recorded in the audit log: Vigil writes nothing to a store that fails verification/);
  });

  it('prints proofs a third party checks with the RFC algorithm, the event and the checkpoint alone', async () => {
    const p = await runCli(['proof', 'inclusion', '42', '--data', dir]);
    expect(p.code).toBe(0);
    const proof = JSON.parse(p.stdout) as { leaf_index: number; tree_size: number; hashes: string[] };
    const note = splitSignedNotes(readFileSync(join(dir, 'checkpoints.log'), 'utf8')).at(-1)!; // the latest: proofs are against it
    const verifier = parseVerifierKey(key);
    const cp = openCheckpoint(note, { origin: verifier.name, verifier });
    const q = await runCli(['query', '{dataset=~".+"} |= "\\"req-42\\""', '--since', '100000d', '-o', 'ndjson', '--data', dir]);
    const { vigil, ...event } = JSON.parse(q.stdout.trim()) as { vigil: { seq: number } };
    expect(vigil.seq).toBe(42);
    const leaf = hashLeaf(Buffer.from(canonicalJson(event)));
    expect(verifyInclusion(leaf, 42, cp.size, proof.hashes.map(fromHex), cp.rootHash)).toEqual({ ok: true });
    const c = await runCli(['proof', 'consistency', '100', String(N), '--data', dir]);
    expect(JSON.parse(c.stdout)).toMatchObject({ first: 100, second: N });
  });

  it('round-trips an export bundle: verify --bundle passes, and fails once an event in it is edited', async () => {
    const d = copy();
    const bundle = join(tempDir(), 'audit.bundle.ndjson');
    const e = await runCli(['export', '{dataset="app.audit"} |= "user1@"', '--since', '100000d', '--with-proofs', '-o', bundle, '--data', d]);
    expect(e.code).toBe(0);
    expect(e.stderr).toMatch(/exported \d+ events/);
    const ok = await runCli(['verify', '--bundle', bundle, '--key', key]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: /);
    const lines = readFileSync(bundle, 'utf8').trim().split('\n');
    const seq = (JSON.parse(lines[3]) as { seq: number }).seq;
    lines[3] = lines[3].replace('"outcome":"success"', '"outcome":"unknown"').replace('"outcome":"failure"', '"outcome":"unknown"');
    writeFileSync(bundle, lines.join('\n') + '\n');
    const bad = await runCli(['verify', '--bundle', bundle, '--key', key]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`^FAILED at seq ${seq}: modified`));
    // the export itself is in the audit log, and the store still verifies
    expect((await verify(d)).code).toBe(0);
  });

  it('exports Parquet through DuckDB', async () => {
    const d = copy();
    const out = join(tempDir(), 'x.parquet');
    expect((await runCli(['export', '{dataset="gdch.proxy"}', '--since', '100000d', '--format', 'parquet', '-o', out, '--data', d])).code).toBe(0);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const n = (await conn.runAndReadAll(`SELECT count(*), count(DISTINCT leaf_hash) FROM read_parquet('${out}')`)).getRows()[0];
    expect(n.map(Number)).toEqual([N / 2, N / 2]);
    conn.closeSync();
    db.closeSync();
  });

  it('keeps the tree and the events together through kill -9 under load', async () => {
    const d = tempDir();
    const server = await startServerProcess(d, ['--integrity-checkpoint-events', '500']);
    const token = readFileSync(join(d, 'admin.token'), 'utf8').trim();
    let acked = 0;
    const send = async (from: number) => {
      const body = Array.from({ length: 200 }, (_, i) => JSON.stringify(sampleEvent(from + i))).join('\n');
      const res = await fetch(`${server.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body });
      if (res.ok) acked += 200;
    };
    const load = Promise.allSettled(Array.from({ length: 40 }, (_, k) => send(k * 200)));
    await new Promise((r) => setTimeout(r, 400));
    await server.kill('SIGKILL');
    await load;
    const r = await runCli(['verify', '--data', d]);
    expect(r.stdout).toMatch(/^OK: \d+ events/);
    expect(Number(/^OK: (\d+) events/.exec(r.stdout)![1])).toBeGreaterThanOrEqual(acked);
    expect(r.code).toBe(0);
    // and the next start carries on from the same tree
    const again = await startServerProcess(d);
    await again.kill('SIGTERM');
    expect((await runCli(['verify', '--data', d])).code).toBe(0);
  });

  it('verifies a running server remotely', async () => {
    const d = copy();
    const server = await startServerProcess(d);
    try {
      const token = readFileSync(join(d, 'admin.token'), 'utf8').trim();
      const k = await runCli(['key', 'show', '--server', server.url, '--token', token]);
      expect(k.stdout.trim()).toBe(key);
      const r = await runCli(['verify', '--server', server.url, '--token', token, '--key', key]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^OK: 30\d\d events/); // N, and the reads the tests above recorded
    } finally {
      await server.kill('SIGTERM');
    }
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleEvent, tempDir } from '../../src/testing/events.js';
import { runCli, startServerProcess } from './vigil-process.js';

describe('end to end: ingest over HTTP, restart, read back with vigil query --server', () => {
  it('keeps all 10,000 events across a restart', async () => {
    const dir = tempDir();
    const base = BigInt(Date.now() - 3_600_000) * 1_000_000n;
    let server = await startServerProcess(dir);
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const send = async (from: number) => {
      const body = Array.from({ length: 1000 }, (_, i) => JSON.stringify(sampleEvent(from + i, base))).join('\n');
      const res = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body,
      });
      expect(await res.json()).toEqual({ accepted: 1000 });
    };
    await Promise.all(Array.from({ length: 10 }, (_, k) => send(k * 1000)));
    expect(await server.kill('SIGTERM')).toBe(0);

    server = await startServerProcess(dir);
    const q = await runCli(['query', '{dataset=~"app.audit|gdch.proxy"}', '--server', server.url, '--token', token, '--since', '2h', '--limit', '20000', '--output', 'ndjson', '--direction', 'forward']);
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    const events = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { vigil: { seq: number }; app: { request_id: string }; '@timestamp': string });
    expect(events).toHaveLength(10_000);
    expect(new Set(events.map((e) => e.vigil.seq)).size).toBe(10_000);
    expect(events.map((e) => e.vigil.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(new Set(events.map((e) => e.app.request_id)).size).toBe(10_000);
    // nanosecond timestamps come back exactly as sent
    const sent = sampleEvent(1234, base)['@timestamp'];
    expect(events.find((e) => e.app.request_id === 'req-1234')!['@timestamp']).toBe(sent);

    // the CLI refuses to open a data dir a server holds, and says what to do
    const local = await runCli(['query', '{dataset="app.audit"}', '--data', dir]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain(`a Vigil server at ${server.url} holds ${dir}; use --server ${server.url}`);
    expect(await server.kill('SIGINT')).toBe(0);
  });
});

describe('CLI', () => {
  it('lists every command and prints its version', async () => {
    const help = await runCli(['--help']);
    for (const cmd of ['serve', 'ingest', 'query', 'token']) expect(help.stdout).toMatch(new RegExp(`\\n  ${cmd} .*\\S`));
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((await runCli(['--version'])).stdout.trim()).toBe(pkg.version);
  });

  it('ingests files locally, reports rejects with file:line, and queries in every output format', async () => {
    const dir = tempDir();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const file = join(dir, 'in.ndjson');
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify(sampleEvent(i, base)));
    lines.splice(10, 0, '{"@timestamp": 5}');
    writeFileSync(file, lines.join('\n') + '\n');
    const ing = await runCli(['ingest', file, '--data', dir]);
    expect(ing.code).toBe(1);
    expect(ing.stderr).toContain(`rejected ${file}:11: @timestamp: must be string`);
    expect(ing.stderr).toContain('read 51 records: 50 accepted, 1 rejected');

    const stdin = await runCli(['ingest', '-', '--data', dir], { input: JSON.stringify(sampleEvent(99, base)) + '\n' });
    expect(stdin.stderr).toContain('1 accepted, 0 rejected');
    expect(stdin.code).toBe(0);

    const nd = await runCli(['query', '{user="user3"}', '--data', dir, '-o', 'ndjson']);
    expect(nd.code).toBe(0);
    expect(nd.stdout.trim().split('\n').map((l) => JSON.parse(l).vigil.seq)).toEqual([3]);
    const csv = await runCli(['query', '{outcome="failure"}', '--data', dir, '-o', 'csv', '--direction', 'forward']);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe('vigil.seq,@timestamp,event.dataset,event.category,event.action,event.outcome,user.name,user.email,source.ip,event.id,message');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['0', '7', '14', '21', '28', '35', '42', '49']);
    const table = await runCli(['query', '{action="sign-in"} |= "user6@"', '--data', dir, '--since', '1h']);
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME\s+DATASET\s+ACTION\s+OUTCOME\s+USER\s+SOURCE\s+MESSAGE$/);
    expect(table.stdout).toContain('user6 sign-in');
    const json = await runCli(['query', '{action="sign-in"}', '--data', dir, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toHaveLength(9);
    // those local reads were audited too
    const access = await runCli(['query', '{dataset="vigil.access"}', '--data', dir, '-o', 'ndjson']);
    expect(access.stdout.trim().split('\n').length).toBe(4); // ndjson, csv, table, json
    const bad = await runCli(['query', '{action="sign-in"', '--data', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/parse error at line 1, col \d+/);
  });

  it('excludes categories given as --audit_log_excluded_categories=…/+=…, and refuses unknown ones', async () => {
    const dir = tempDir();
    const file = join(dir, 'in.ndjson');
    writeFileSync(file, Array.from({ length: 12 }, (_, i) => JSON.stringify(sampleEvent(i))).join('\n'));
    const ing = await runCli(['ingest', file, '--data', dir, '--audit_log_excluded_categories=iam', '--audit_log_excluded_categories+=auth']);
    expect(ing.code).toBe(0);
    const q = await runCli(['query', '{dataset=~".+"}', '--since', '3650d', '--data', dir, '-o', 'ndjson']);
    const cats = q.stdout.trim().split('\n').map((l) => JSON.parse(l).event.category[0]);
    expect(cats).toEqual(Array(6).fill('file'));
    const bad = await runCli(['ingest', file, '--data', dir, '--exclude-category', 'secrets']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/flag --audit_log_excluded_categories: exclude_categories: unknown category "secrets"; valid: auth, api/);
  });

  it('creates, lists and revokes tokens, recording each change', async () => {
    const dir = tempDir();
    const created = await runCli(['token', 'create', '--scope', 'read', '--name', 'grafana', '--data', dir]);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^vgl_[0-9a-f]{8}_\S+$/);
    expect((await runCli(['token', 'list', '--data', dir])).stdout).toMatch(/grafana\s+read/);
    expect((await runCli(['token', 'revoke', 'grafana', '--data', dir])).code).toBe(0);
    expect((await runCli(['token', 'list', '--data', dir])).stdout).toMatch(/grafana.*revoked/);
    const bad = await runCli(['token', 'create', '--scope', 'root', '--data', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--scope must be one or more of ingest, read, admin');
    const audit = await runCli(['query', '{dataset="vigil.access", action=~"token-.*"}', '--data', dir, '-o', 'ndjson', '--direction', 'forward']);
    const actions = audit.stdout.trim().split('\n').map((l) => JSON.parse(l).event.action);
    expect(actions).toEqual(['token-create', 'token-revoke']);
  });
});

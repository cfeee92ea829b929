import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VigilClient } from '../cli/client.js';
import { hashLeaf } from '../integrity/index.js';
import { canonicalJson } from '../model/canonical.js';
import { sampleEvent, tempDir } from '../testing/events.js';
import { testServer, type TestServer } from '../testing/server.js';
import { verifyBundleLines } from '../integrity/verify/bundle.js';
import { verifyRemote } from '../integrity/verify/remote.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function ingest(s: TestServer, n: number): Promise<void> {
  const body = Array.from({ length: n }, (_, i) => JSON.stringify(sampleEvent(i))).join('\n');
  const res = await s.call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  expect(res.status).toBe(200);
}

const exportUrl = (params: Record<string, string>) => `/api/v1/export?${new URLSearchParams({ query: '{dataset="app.audit"}', since: '100000d', ...params })}`;

describe('GET /api/v1/export', () => {
  it('streams NDJSON with vigil.seq and vigil.leaf_hash, oldest first, as an audited read', async () => {
    server = await testServer();
    await ingest(server, 40);
    const res = await server.call(exportUrl({ format: 'ndjson' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-vigil-events')).toBe('20');
    const events = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { vigil: { seq: number; leaf_hash: string } });
    expect(events.map((e) => e.vigil.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1));
    const { vigil, ...event } = events[3];
    expect(hashLeaf(Buffer.from(canonicalJson(event))).toString('hex')).toBe(vigil.leaf_hash);
    const q = await server.call(`/api/v1/query?${new URLSearchParams({ query: '{dataset="vigil.access"}', since: '1h' })}`);
    const access = ((await q.json()) as { events: { event: { action: string }; access: { results: number } }[] }).events;
    expect(access.find((e) => e.event.action === 'export')?.access.results).toBe(20);
  });

  it('writes CSV and Parquet through DuckDB, with the leaf hash of each event', async () => {
    server = await testServer();
    await ingest(server, 10);
    const csv = await (await server.call(exportUrl({ format: 'csv' }))).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('seq,leaf_hash,@timestamp,ts_ns,dataset,category,action,outcome,user_name,user_email,source_ip,target,namespace,host,event');
    expect(lines.length).toBe(6);
    const res = await server.call(exportUrl({ format: 'parquet' }));
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const file = join(tempDir(), 'x.parquet');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(`SELECT seq, leaf_hash, event FROM read_parquet('${file}') ORDER BY seq`)).getRows();
    expect(rows.map((r) => Number(r[0]))).toEqual([1, 3, 5, 7, 9]);
    expect(hashLeaf(Buffer.from(rows[0][2] as string)).toString('hex')).toBe(rows[0][1]);
    conn.closeSync();
    db.closeSync();
  });

  it('writes a proof bundle that verifies offline, and fails when an event in it is edited', async () => {
    server = await testServer();
    await ingest(server, 50);
    const res = await server.call(exportUrl({ proofs: 'true' }));
    const lines = (await res.text()).trim().split('\n');
    expect(lines.length).toBe(26);
    const key = (await (await server.call('/api/v1/checkpoint/key')).text()).trim();
    const ok = await verifyBundleLines(lines, { verifierKey: key });
    expect(ok).toMatchObject({ ok: true, events: 25, size: 50 });
    const edited = [...lines];
    edited[5] = edited[5].replace('"outcome":"success"', '"outcome":"failure"');
    const bad = await verifyBundleLines(edited, { verifierKey: key });
    const seq = (JSON.parse(lines[5]) as { seq: number }).seq;
    expect(bad.failure).toMatchObject({ kind: 'modified', seq });
    expect((await server.call(exportUrl({ proofs: 'true', format: 'csv' }))).status).toBe(400);
    expect((await server.call(exportUrl({ query: '{dataset="x"} | json' }))).status).toBe(400);
  });
});

describe('vigil verify --server', () => {
  it('rebuilds the tree from the served events and checks every checkpoint', async () => {
    server = await testServer({ 'integrity.checkpoint_events': 10 });
    await ingest(server, 25);
    await server.checkpoints!.issue();
    await ingest(server, 5);
    await server.checkpoints!.issue();
    const client = new VigilClient({ server: server.url, token: server.adminToken });
    const warnings: string[] = [];
    const report = await verifyRemote(client, { warn: (m) => warnings.push(m) });
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ ok: true, size: 30, events: 30 });
    expect(report.checkpoints).toBeGreaterThanOrEqual(2);
    expect(warnings[0]).toMatch(/trusting the key the server serves/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import {
  fromHex,
  hashLeaf,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
} from '../integrity/index.js';
import { canonicalJson } from '../model/canonical.js';
import { sampleEvent } from '../testing/events.js';
import { testServer, type TestServer } from '../testing/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const ndjson = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify(sampleEvent(from + i))).join('\n');

async function ingest(s: TestServer, from: number, n: number): Promise<void> {
  const res = await s.call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(from, n) });
  expect(res.status).toBe(200);
}

describe('integrity routes', () => {
  it('serves signed checkpoints and proofs a third party checks with the RFC algorithm alone', async () => {
    server = await testServer({ 'integrity.checkpoint_events': 5 });
    await ingest(server, 0, 7);
    await server.checkpoints!.issue();
    await ingest(server, 7, 30);
    await server.checkpoints!.issue();

    const key = await (await server.call('/api/v1/checkpoint/key')).text();
    const verifier = parseVerifierKey(key.trim());
    const note = await (await server.call('/api/v1/checkpoint')).text();
    const cp = openCheckpoint(note, { origin: verifier.name, verifier });
    expect(cp.size).toBe(37);

    // The event as any client sees it: its leaf hash is SHA-256(0x00 || JCS(event without vigil)).
    const q = await server.call(`/api/v1/query?${new URLSearchParams({ query: '{dataset=~".+"}', since: '10000d', limit: '100', direction: 'forward' })}`);
    const { events } = (await q.json()) as { events: ({ vigil: { seq: number; leaf_hash: string } } & Record<string, unknown>)[] };
    const e = events.find((x) => x.vigil.seq === 12)!;
    const { vigil, ...event } = e;
    const leaf = hashLeaf(Buffer.from(canonicalJson(event)));
    expect(leaf.toString('hex')).toBe(vigil.leaf_hash);

    const inc = (await (await server.call(`/api/v1/proof/inclusion?seq=12&size=${cp.size}`)).json()) as { leaf_index: number; tree_size: number; hashes: string[] };
    expect(Object.keys(inc)).toEqual(['leaf_index', 'tree_size', 'hashes']);
    expect(verifyInclusion(leaf, 12, cp.size, inc.hashes.map(fromHex), cp.rootHash)).toEqual({ ok: true });
    // size defaults to the latest checkpoint
    const dflt = (await (await server.call('/api/v1/proof/inclusion?seq=12')).json()) as { tree_size: number };
    expect(dflt.tree_size).toBe(37);

    const list = (await (await server.call('/api/v1/checkpoints?from=0')).json()) as { checkpoints: { size: number; note: string }[] };
    expect(list.checkpoints.map((c) => c.size)).toEqual([7, 37]);
    const old = openCheckpoint(list.checkpoints[0].note, { origin: verifier.name, verifier });
    const con = (await (await server.call(`/api/v1/proof/consistency?from=7&to=37`)).json()) as { first: number; second: number; hashes: string[] };
    expect(Object.keys(con)).toEqual(['first', 'second', 'hashes']);
    expect(verifyConsistency(7, 37, con.hashes.map(fromHex), old.rootHash, cp.rootHash)).toEqual({ ok: true });
    expect(verifyConsistency(7, 37, con.hashes.map(fromHex), old.rootHash, Buffer.alloc(32))).toMatchObject({ ok: false });
  });

  it('answers 400 for proofs beyond the tree and names the problem', async () => {
    server = await testServer();
    await ingest(server, 0, 3);
    const res = await server.call('/api/v1/proof/inclusion?seq=5&size=3');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/index 5/);
    expect((await server.call('/api/v1/proof/consistency?from=1&to=99')).status).toBe(400);
    expect((await server.call('/api/v1/proof/inclusion?seq=x&size=3')).status).toBe(400);
  });

  it('signs a checkpoint at shutdown and keeps the tree across a restart', async () => {
    server = await testServer();
    const dir = server.dataDir;
    await ingest(server, 0, 10);
    await server.stop();
    server = await testServer({}, dir);
    const first = (await (await server.call('/api/v1/checkpoints')).json()) as { checkpoints: { size: number }[] };
    expect(first.checkpoints.map((c) => c.size)).toEqual([10]);
    await ingest(server, 10, 5);
    await server.checkpoints!.issue();
    const res = (await (await server.call('/api/v1/proof/consistency?from=10&to=15')).json()) as { hashes: string[] };
    const list = (await (await server.call('/api/v1/checkpoints')).json()) as { checkpoints: { root_hash: string }[] };
    expect(verifyConsistency(10, 15, res.hashes.map(fromHex), fromHex(list.checkpoints[0].root_hash), fromHex(list.checkpoints[1].root_hash))).toEqual({ ok: true });
  });

  it('applies retention at start: old events go, their proofs and the tree stay', async () => {
    server = await testServer();
    const dir = server.dataDir;
    await ingest(server, 0, 20); // sampleEvent timestamps are from 2025-11-22
    await server.stop();
    server = await testServer({ retention: '30d' }, dir);
    // The first run starts with the server; wait for it.
    for (let i = 0; i < 100; i++) {
      const runs = ((await (await server.call('/api/v1/log/pruned')).json()) as { runs: unknown[] }).runs;
      if (runs.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const q = await server.call(`/api/v1/query?${new URLSearchParams({ query: '{dataset=~"app.audit|gdch.proxy"}', since: '100000d' })}`);
    expect(((await q.json()) as { events: unknown[] }).events).toEqual([]);
    const pruned = (await (await server.call('/api/v1/log/pruned')).json()) as { runs: { run: number; ranges: number[][] }[] };
    expect(pruned.runs).toEqual([{ run: 1, ranges: [[0, 20]] }]);
    await server.checkpoints!.issue();
    const key = parseVerifierKey((await (await server.call('/api/v1/checkpoint/key')).text()).trim());
    const cp = openCheckpoint(await (await server.call('/api/v1/checkpoint')).text(), { origin: key.name, verifier: key });
    // the leaf of a pruned event is still proven by the tree
    const entries = (await (await server.call('/api/v1/log/entries?start=0&end=21')).text()).trim().split('\n').map((l) => JSON.parse(l) as { leaf_hash: string; pruned?: boolean; event?: { event: { dataset: string } } });
    expect(entries[3].pruned).toBe(true);
    expect(entries[20].event?.event.dataset).toBe('vigil.retention');
    const inc = (await (await server.call(`/api/v1/proof/inclusion?seq=3&size=${cp.size}`)).json()) as { hashes: string[] };
    expect(verifyInclusion(fromHex(entries[3].leaf_hash), 3, cp.size, inc.hashes.map(fromHex), cp.rootHash)).toEqual({ ok: true });
  });

  it('serves the leaves for remote verification, as an audited read', async () => {
    server = await testServer();
    await ingest(server, 0, 4);
    const res = await server.call('/api/v1/log/entries?start=1&end=3');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; leaf_hash: string; event: Record<string, unknown> });
    expect(lines.map((l) => l.seq)).toEqual([1, 2]);
    expect(hashLeaf(Buffer.from(canonicalJson(lines[0].event))).toString('hex')).toBe(lines[0].leaf_hash);
    const q = await server.call(`/api/v1/query?${new URLSearchParams({ query: '{dataset="vigil.access"}', since: '1h' })}`);
    const { events } = (await q.json()) as { events: { event: { action: string } }[] };
    expect(events.map((e) => e.event.action)).toContain('log-entries');
  });
});

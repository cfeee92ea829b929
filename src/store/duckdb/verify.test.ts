/**
 * Tamper tests: a store is built and checkpointed, closed, edited directly
 * in its DuckDB file the way an intruder with database access would, and
 * verified: every edit must be caught, at the right seq, with the right name.
 */
import { DuckDBInstance, blobValue, type DuckDBBlobValue } from '@duckdb/node-api';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Checkpointer } from '../../integrity/signing/checkpointer.js';
import { loadOrCreateKey } from '../../integrity/signing/key.js';
import { CompactRange, hashLeaf, storedHashIndex } from '../../integrity/index.js';
import { prepared, tempDir } from '../../testing/events.js';
import { docOf } from '../../model/prepare.js';
import { DB_FILE, DuckDBStore } from './duckdb-store.js';
import { retentionRules } from '../retention-policy.js';
import { verifyStore } from './verify.js';
import { TreeReplay } from '../../integrity/verify/replay.js';
import type { VerifyReport } from '../../integrity/verify/report.js';

const EVENTS = 5000;

/** A sealed store of `n` events in commits of 700, checkpointed every 1000 events and at close. */
async function build(n: number, dir = tempDir()): Promise<{ dir: string; key: string }> {
  const store = await DuckDBStore.open({ dataDir: dir });
  const key = loadOrCreateKey(dir);
  const cp = new Checkpointer(store, key, { dataDir: dir, everyEvents: 1000, intervalMs: 3_600_000 });
  await cp.start();
  for (let i = 0; i < n; i += 700) {
    await store.append([{ events: prepared(Math.min(700, n - i), i) }]);
    await cp.issue(); // a checkpoint at every commit too: sizes inside and at the end of blocks
  }
  await cp.close();
  await store.close();
  return { dir, key: key.verifierKey };
}

async function tamper(dir: string, ...sql: string[]): Promise<void> {
  const db = await DuckDBInstance.create(join(dir, DB_FILE));
  const conn = await db.connect();
  for (const s of sql) await conn.run(s);
  await conn.run('CHECKPOINT');
  conn.closeSync();
  db.closeSync();
}

async function verify(dir: string, key: string, opts: { threads?: number; canonicalEvery?: number } = {}): Promise<VerifyReport> {
  const store = await DuckDBStore.open({ dataDir: dir, readOnly: true });
  try {
    return await verifyStore(store, { verifierKey: key, threads: 1, ...opts });
  } finally {
    await store.close();
  }
}

const COLS = 'ts, dataset, category, action, outcome, user_name, user_email, source_ip, target, namespace, host';

describe('vigil verify on a tampered DuckDB file', () => {
  let base: { dir: string; key: string };
  const copy = () => {
    const dir = tempDir();
    cpSync(base.dir, dir, { recursive: true });
    return dir;
  };
  beforeAll(async () => {
    base = await build(EVENTS);
  });

  it('passes an untouched store and covers every event and checkpoint', async () => {
    const r = await verify(base.dir, base.key);
    expect(r.failure).toBeUndefined();
    expect(r).toMatchObject({ ok: true, size: EVENTS, events: EVENTS, checkpoints: 8 });
  });

  it('passes on the hashing threads too (the compiled worker), checking every document', async () => {
    const r = await verify(base.dir, base.key, { threads: 2, canonicalEvery: 1 });
    expect(r.failure).toBeUndefined();
    expect(r).toMatchObject({ ok: true, size: EVENTS, events: EVENTS, checkpoints: 8 });
  });

  it('names a modified field', async () => {
    const dir = copy();
    await tamper(dir, `UPDATE events SET doc = replace(doc, '"outcome":"success"', '"outcome":"failure"') WHERE seq = 3001`);
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'modified', seq: 3001 });
    expect((await verify(dir, base.key, { threads: 2 })).failure).toMatchObject({ kind: 'modified', seq: 3001 });
  });

  it('names a row that swallowed the next one (a document with a newline), and a document rewritten in another form', async () => {
    let dir = copy();
    await tamper(
      dir,
      `UPDATE events SET doc = doc || chr(10) || '2051 ' || (SELECT doc FROM events WHERE seq = 2051) WHERE seq = 2050`,
      'DELETE FROM events WHERE seq = 2051',
    );
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'modified', seq: 2050 });
    dir = copy();
    await tamper(dir, `UPDATE events SET doc = replace(doc, '{"', '{ "') WHERE seq = 4500`);
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'modified', seq: 4500 });
  });

  it('names a deleted row, with or without renumbering the rest', async () => {
    let dir = copy();
    await tamper(dir, 'DELETE FROM events WHERE seq = 41');
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'deleted', seq: 41 });
    dir = copy();
    await tamper(dir, 'DELETE FROM events WHERE seq = 2500', 'UPDATE events SET seq = seq - 1 WHERE seq > 2500');
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'deleted', seq: 2500 });
    dir = copy();
    await tamper(dir, `DELETE FROM events WHERE seq >= ${EVENTS - 10}`);
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'deleted', seq: EVENTS - 10 });
  });

  it('names an inserted row: a duplicate seq, one past the tree, or one pushed in between', async () => {
    let dir = copy();
    await tamper(dir, `INSERT INTO events SELECT seq, ${COLS}, replace(doc, 'user7', 'mallory') FROM events WHERE seq = 77`);
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'inserted', seq: 77 });
    dir = copy();
    await tamper(dir, `INSERT INTO events SELECT ${EVENTS}, ${COLS}, replace(doc, 'user7', 'mallory') FROM events WHERE seq = 77`);
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'inserted', seq: EVENTS });
    dir = copy();
    await tamper(
      dir,
      'UPDATE events SET seq = seq + 1 WHERE seq >= 1234',
      `INSERT INTO events SELECT 1234, ${COLS}, replace(doc, 'user7', 'mallory') FROM events WHERE seq = 7`,
    );
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'inserted', seq: 1234 });
  });

  it('names two swapped rows', async () => {
    const dir = copy();
    await tamper(dir, 'UPDATE events SET seq = CASE seq WHEN 2100 THEN 2105 ELSE 2100 END WHERE seq IN (2100, 2105)');
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'reordered', seq: 2100 });
  });

  it('names a replaced or forged checkpoint', async () => {
    let dir = copy();
    await tamper(dir, `UPDATE checkpoints SET note = replace(note, '\n2100\n', '\n2101\n') WHERE size = 2100`);
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'forged-checkpoint', seq: 2100 });
    // A checkpoint genuinely signed by another key.
    const other = await build(1000);
    const db = await DuckDBInstance.create(join(other.dir, DB_FILE), { access_mode: 'READ_ONLY' });
    const conn = await db.connect();
    const note = (await conn.runAndReadAll('SELECT note FROM checkpoints WHERE size = 700')).getRows()[0][0] as string;
    conn.closeSync();
    db.closeSync();
    dir = copy();
    await tamper(dir, `UPDATE checkpoints SET note = '${note}' WHERE size = 700`);
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'forged-checkpoint', seq: 700 });
  });

  it('names an edited tree node', async () => {
    const dir = copy();
    const pos = storedHashIndex(3, 100); // the node over seq 800–807
    const db = await DuckDBInstance.create(join(dir, DB_FILE));
    const conn = await db.connect();
    const [tile, first, hashes] = (await conn.runAndReadAll('SELECT tile, first, hashes FROM tree_hashes WHERE first <= $1 ORDER BY first DESC LIMIT 1', [BigInt(pos)])).getRows()[0];
    const bytes = Buffer.from((hashes as DuckDBBlobValue).bytes);
    bytes[(pos - Number(first)) * 32] ^= 1;
    await conn.run('DELETE FROM tree_hashes WHERE first = $1', [first as bigint]);
    await conn.run('INSERT INTO tree_hashes VALUES ($1, $2, $3)', [tile as bigint, first as bigint, blobValue(bytes)]);
    conn.closeSync();
    db.closeSync();
    expect((await verify(dir, base.key)).failure).toMatchObject({ kind: 'tree', seq: 800 });
  });

  it('catches an event rewritten together with the whole stored tree, against the signed roots', async () => {
    // The intruder rebuilds everything the store keeps (events, tree, head) but cannot sign.
    const forged = tempDir();
    const store = await DuckDBStore.open({ dataDir: forged });
    const events = prepared(EVENTS);
    events[3501].doc = docOf(events[3501]).replace('"outcome":"success"', '"outcome":"failure"');
    for (let i = 0; i < EVENTS; i += 1000) await store.append([{ events: events.slice(i, i + 1000) }]);
    await store.close();
    const dir = copy();
    await tamper(
      dir,
      `ATTACH '${join(forged, DB_FILE)}' AS f (READ_ONLY)`,
      'DELETE FROM events',
      'INSERT INTO events SELECT * FROM f.events',
      'DELETE FROM tree_hashes',
      'INSERT INTO tree_hashes SELECT * FROM f.tree_hashes',
      'UPDATE tree_head SET state = (SELECT state FROM f.tree_head)',
      'DETACH f',
    );
    const r = await verify(dir, base.key);
    expect(r.failure).toMatchObject({ kind: 'modified', seq: 3500 }); // seq 3501 changed; the last good checkpoint is at 3500
    expect(r.failure!.message).toMatch(/checkpoint of tree size 4200/);
  });
});

describe('canonical form', () => {
  it('names an event that was sealed from bytes that are not its canonical JSON', async () => {
    const dir = tempDir();
    const store = await DuckDBStore.open({ dataDir: dir });
    const key = loadOrCreateKey(dir);
    const events = prepared(3000);
    events[2500].doc = docOf(events[2500]).replace('"outcome":', '"outcome" :'); // a writer that got it wrong
    await store.append([{ events }]);
    const cp = new Checkpointer(store, key, { dataDir: dir, everyEvents: 1000, intervalMs: 3_600_000 });
    await cp.start();
    await cp.close();
    await store.close();
    for (const threads of [1, 2]) {
      const r = await verify(dir, key.verifierKey, { threads, canonicalEvery: 1 });
      expect(r.failure).toMatchObject({ kind: 'modified', seq: 2500 });
      expect(r.failure!.message).toMatch(/not its canonical JSON .*at byte \d+.*bytes that were sealed/);
    }
    // By default only a sample is checked (seq 2500 is not in it).
    expect((await verify(dir, key.verifierKey)).ok).toBe(true);
  });
});

describe('retention', () => {
  it('prunes old events, keeps their leaf hashes, and verify reports the pruned ranges', async () => {
    const { dir, key } = await build(3000);
    const store = await DuckDBStore.open({ dataDir: dir });
    const headBefore = store.treeHead();
    // sampleEvent i is at base + i ms: keep the last 2000 ms of app.audit, everything of the rest.
    const now = 1_763_812_800_000_000_000n + 3000n * 1_000_000n;
    const rules = retentionRules({ default: 'forever', datasets: { 'app.audit': '2s' } })!;
    const result = await store.prune(rules, now);
    expect(result).toMatchObject({ run: 1, events: 500 }); // odd i < 1000 are app.audit
    expect(result!.ranges.length).toBe(500);
    expect(store.treeHead().size).toBe(3001); // + the sealed retention record
    const proof = await store.consistencyProof(headBefore.size, 3001);
    expect(proof.length).toBeGreaterThan(0);
    expect(await store.prune(rules, now)).toBeUndefined();
    await store.close();
    const r = await verify(dir, key);
    expect(r.failure).toBeUndefined();
    expect(r.pruned.events).toBe(500);
    expect(r.pruned.ranges[0]).toEqual([1, 2]);
    // Deleting more and passing it off as retention does not hold: the run's sealed digest no longer matches.
    await tamper(dir, 'DELETE FROM events WHERE seq = 2', 'INSERT INTO pruned VALUES (1, 2, 3)');
    expect((await verify(dir, key)).failure).toMatchObject({ kind: 'deleted', seq: 1 });
  });
});

describe('TreeReplay', () => {
  it('gives the same verdicts leaf by leaf and block by block', () => {
    const leaves = Array.from({ length: 4096 + 700 }, (_, i) => hashLeaf(Buffer.from(`e${i}`)));
    const full = CompactRange.empty();
    const roots = new Map<number, Buffer>();
    leaves.forEach((l, i) => {
      full.append(l);
      if ([1, 5, 1000, 2048, 2049, 3000, 4096, 4700].includes(i + 1)) roots.set(i + 1, full.root());
    });
    const cps = [...roots].map(([size, root]) => ({ size, root }));
    const block = (from: number) => {
      const r = CompactRange.empty();
      const out: Buffer[] = [];
      for (let i = from; i < from + 2048; i++) {
        out.push(leaves[i]);
        for (const n of r.append(leaves[i])) out.push(n.hash);
      }
      return Buffer.concat(out);
    };
    const a = new TreeReplay(cps);
    for (const l of leaves) expect(a.append(l)).toBeUndefined();
    const b = new TreeReplay(cps);
    expect(b.appendBlock(block(0), 11)).toBeUndefined();
    expect(b.appendBlock(block(2048), 11)).toBeUndefined();
    for (const l of leaves.slice(4096)) expect(b.append(l)).toBeUndefined();
    expect(a.matched).toBe(8);
    expect(b.matched).toBe(8);
    expect(b.range.root()).toEqual(a.range.root());
    // a wrong root inside a block is caught there
    const bad = new TreeReplay([{ size: 3000, root: Buffer.alloc(32) }]);
    expect(bad.appendBlock(block(0), 11)).toBeUndefined();
    expect(bad.appendBlock(block(2048), 11)).toMatchObject({ kind: 'modified', seq: 0 });
  });
});

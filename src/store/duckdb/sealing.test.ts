import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  hashLeaf,
  storedHashCount,
  verifyConsistency,
  verifyInclusion,
} from '../../integrity/index.js';
import { canonicalJson } from '../../model/canonical.js';
import { encodeEvents } from '../../model/encoded.js';
import { prepared, sampleEvent, tempDir } from '../../testing/events.js';
import { readEvents } from '../../testing/query.js';
import { docOf } from '../../model/prepare.js';
import { DB_FILE, DuckDBStore } from './duckdb-store.js';
import { TreeCorruptError } from '../errors.js';
import { MIGRATIONS } from './schema.js';
import { storedHashTotal } from './tree.js';

/** Every stored event as the ledger reads it (also those whose typed columns no selector matches). */
const stored = async (store: DuckDBStore, size: number) => (await store.entries(0, size)).map((e) => ({ ...e, doc: e.doc! }));

/** The tree of the stored documents, built naively. */
function expectedRoot(docs: string[]): Buffer {
  const r = CompactRange.empty();
  for (const d of docs) r.append(hashLeaf(Buffer.from(d)));
  return r.root();
}

describe('sealing in the ingest transaction', () => {
  it('seals every event: leaf hash = SHA-256(0x00 || canonical JSON), queries return it', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    await store.append([{ events: prepared(5) }, { events: prepared(300, 5) }]);
    await store.append([{ events: prepared(1, 305) }]);
    const rows = await readEvents(store);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 306 }, (_, i) => i));
    for (const row of rows) {
      const event = JSON.parse(row.doc) as Record<string, unknown>;
      expect(row.doc).toBe(canonicalJson(event));
      expect(row.leafHash!.equals(hashLeaf(Buffer.from(canonicalJson(event))))).toBe(true);
    }
    expect(store.treeHead()).toEqual({ size: 306, root: expectedRoot(rows.map((r) => r.doc)) });
    const conn = await store.connect();
    expect(await storedHashTotal(conn)).toBe(storedHashCount(306));
    conn.closeSync();
    await store.close();
  });

  it('serves proofs that verify against the head, from one read each', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    for (let i = 0; i < 10; i++) await store.append([{ events: prepared(37, i * 37) }]);
    const rows = await readEvents(store);
    const roots = new Map<number, Buffer>();
    for (const size of [1, 2, 3, 7, 64, 100, 255, 370]) roots.set(size, expectedRoot(rows.slice(0, size).map((r) => r.doc)));
    for (const [size, root] of roots) {
      for (const seq of [0, Math.floor(size / 2), size - 1]) {
        const proof = await store.inclusionProof(seq, size);
        expect(verifyInclusion(rows[seq].leafHash!, seq, size, proof, root)).toEqual({ ok: true });
      }
      for (const [size2, root2] of roots) {
        if (size2 < size) continue;
        expect(verifyConsistency(size, size2, await store.consistencyProof(size, size2), root, root2)).toEqual({ ok: true });
      }
    }
    const many = await store.inclusionProofs([3, 99, 200], 370);
    expect(verifyInclusion(rows[99].leafHash!, 99, 370, many[1], roots.get(370)!)).toEqual({ ok: true });
    await expect(store.inclusionProof(5, 371)).rejects.toThrow(/larger than the current tree/);
    await store.close();
  });

  it('keeps the tree across restarts, and a failed commit changes nothing', async () => {
    const dir = tempDir();
    let store = await DuckDBStore.open({ dataDir: dir });
    await store.append([{ events: prepared(50) }]);
    const head = store.treeHead();
    const bad = prepared(2, 50);
    (bad[1] as { ts: unknown }).ts = 'not a bigint';
    await expect(store.append([{ events: bad }])).rejects.toThrow();
    expect(store.treeHead()).toEqual(head);
    await store.close();
    store = await DuckDBStore.open({ dataDir: dir });
    expect(store.treeHead()).toEqual(head);
    await store.append([{ events: prepared(30, 50) }]);
    const rows = await readEvents(store);
    expect(store.treeHead().root).toEqual(expectedRoot(rows.map((r) => r.doc)));
    expect(verifyConsistency(50, 80, await store.consistencyProof(50, 80), head.root, store.treeHead().root)).toEqual({ ok: true });
    await store.close();
  });

  it('refuses to open a store whose tree does not match its head', async () => {
    const dir = tempDir();
    const store = await DuckDBStore.open({ dataDir: dir });
    await store.append([{ events: prepared(10) }]);
    await store.close();
    const db = await DuckDBInstance.create(`${dir}/${DB_FILE}`);
    const conn = await db.connect();
    await conn.run('DELETE FROM tree_hashes WHERE first = (SELECT max(first) FROM tree_hashes)');
    conn.closeSync();
    db.closeSync();
    await expect(DuckDBStore.open({ dataDir: dir })).rejects.toBeInstanceOf(TreeCorruptError);
    // read-only (as verify opens it) still works
    const ro = await DuckDBStore.open({ dataDir: dir, readOnly: true });
    expect(ro.nextSeq()).toBe(10);
    await ro.close();
  });

  it('with sealing off stores events unsealed, and a sealing open refuses them', async () => {
    const dir = tempDir();
    const store = await DuckDBStore.open({ dataDir: dir, sealing: false });
    await store.append([{ events: prepared(4) }]);
    expect(store.treeHead().size).toBe(0);
    expect((await readEvents(store)).every((r) => r.leafHash === undefined)).toBe(true);
    await store.close();
    await expect(DuckDBStore.open({ dataDir: dir })).rejects.toThrow(/only 0 are sealed/);
  });

  it('migrates a store from before sealing: canonical documents, sealed in sequence order', async () => {
    const dir = tempDir();
    const db = await DuckDBInstance.create(`${dir}/${DB_FILE}`);
    const conn = await db.connect();
    await conn.run('CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
    for (const s of MIGRATIONS[0].statements) await conn.run(s);
    await conn.run(`INSERT INTO meta VALUES ('schema_version', '1')`);
    const docs = Array.from({ length: 40 }, (_, i) => JSON.stringify(sampleEvent(i)));
    for (const [i, d] of docs.entries()) {
      await conn.run('INSERT INTO events (seq, ts, doc) VALUES ($1, $2, $3)', [BigInt(i), BigInt(i), d]);
    }
    conn.closeSync();
    db.closeSync();
    const store = await DuckDBStore.open({ dataDir: dir });
    expect(await store.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    const rows = await stored(store, 40);
    expect(rows.map((r) => r.doc)).toEqual(docs.map((d) => canonicalJson(JSON.parse(d))));
    expect(store.treeHead()).toEqual({ size: 40, root: expectedRoot(rows.map((r) => r.doc)) });
    await store.append([{ events: prepared(1, 40) }]);
    expect(store.nextSeq()).toBe(41);
    await store.close();
  });

  it('stages batches across chunk boundaries: typed columns, documents and leaf hashes as if appended one by one', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    const events = prepared(2 * 2048 + 7);
    events[3] = { ...events[3], category: null, dataset: null, host: null };
    events[2050] = { ...events[2050], category: ['iam', 'authentication', 'file'], userEmail: null };
    const staged = store.stage(encodeEvents(events.slice(0, 2100), true));
    expect(staged.count).toBe(2100);
    expect(staged.bytes).toBe(events.slice(0, 2100).reduce((n, e) => n + Buffer.byteLength(docOf(e)), 0));
    const [first, second] = await store.append([{ events: staged }, { events: events.slice(2100) }]);
    expect([first, second]).toEqual([0, 2100]);
    const rows = await stored(store, events.length);
    expect(rows.map((r) => r.doc)).toEqual(events.map((e) => docOf(e)));
    expect(rows.map((r) => r.leafHash)).toEqual(events.map((e) => hashLeaf(Buffer.from(docOf(e)))));
    expect(store.treeHead().root).toEqual(expectedRoot(events.map((e) => docOf(e))));
    const columns = async (seq: number) => {
      const sql = 'SELECT seq, ts, dataset, category, action, outcome, user_name, user_email, source_ip, target, namespace, host FROM events WHERE seq = $1';
      const it = store.select(sql, [BigInt(seq)]);
      for await (const chunk of it) return chunk[0];
      return undefined;
    };
    for (const i of [0, 3, 2047, 2048, 2050, 2099, 2100, 2 * 2048 + 6]) {
      const e = events[i];
      const row = await columns(i);
      expect(row).toEqual([
        BigInt(i), e.ts, e.dataset, e.category, e.action, e.outcome,
        e.userName, e.userEmail, e.sourceIp, e.target, e.namespace, e.host,
      ]);
    }
    await store.close();
  });

  it('writes strings up to 12 bytes inline and longer ones to the heap: values, comparisons and lengths hold', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    // UTF-8 byte lengths around DuckDB's 12-byte inline limit, ASCII and multi-byte.
    const values = ['a', 'abcdefghijk', 'abcdefghijkl', 'abcdefghijklm', 'éééééé', 'ééééééx', '日本語', '日本語日本', 'x'.repeat(300)];
    const events = prepared(values.length).map((e, i) => ({ ...e, action: values[i], host: i % 2 ? null : values[i], category: [values[i], 'iam'] }));
    await store.append([{ events }]);
    for (const [i, v] of values.entries()) {
      const rows = [];
      const sql = 'SELECT seq, action, strlen(action), host, category FROM events WHERE action = $1 AND list_contains(category, $1)';
      for await (const chunk of store.select(sql, [v])) rows.push(...chunk);
      expect(rows).toEqual([[BigInt(i), v, BigInt(Buffer.byteLength(v)), i % 2 ? null : v, [v, 'iam']]]);
    }
    await store.close();
  });
});

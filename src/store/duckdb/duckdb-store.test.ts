import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { prepared, tempDir } from '../../testing/events.js';
import { readEvents } from '../../testing/query.js';
import { DB_FILE, DuckDBStore } from './duckdb-store.js';
import { MIGRATIONS } from './schema.js';

describe('DuckDBStore', () => {
  it('numbers events 0.. without gaps across commits and restarts', async () => {
    const dir = tempDir();
    let store = await DuckDBStore.open({ dataDir: dir });
    expect(await store.schemaVersion()).toBe(6);
    expect(await store.append([{ events: prepared(3) }, { events: prepared(2, 3) }])).toEqual([0, 3]);
    expect(await store.append([{ events: prepared(1, 5) }])).toEqual([5]);
    await store.close();
    store = await DuckDBStore.open({ dataDir: dir });
    expect(store.nextSeq()).toBe(6);
    expect(await store.append([{ events: prepared(2, 6) }])).toEqual([6]);
    const rows = await readEvents(store);
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(JSON.parse(rows[0].doc).app.request_id).toBe('req-0');
    await store.close();
  });

  it('keeps the documents of a new store zstd-compressed', async () => {
    const dir = tempDir();
    const store = await DuckDBStore.open({ dataDir: dir });
    await store.append([{ events: prepared(500) }]);
    await store.close(); // DuckDB checkpoints on close: the rows are compressed into the file
    const db = await DuckDBInstance.create(join(dir, DB_FILE), { access_mode: 'READ_ONLY' });
    const conn = await db.connect();
    const r = await conn.runAndReadAll(
      `SELECT DISTINCT compression FROM pragma_storage_info('events') WHERE column_name = 'doc' AND segment_type = 'VARCHAR'`,
    );
    conn.closeSync();
    db.closeSync();
    expect(r.getRows().map(([c]) => c)).toEqual(['ZSTD']);
  });

  it('stores nothing and keeps numbering when a commit fails', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    const bad = prepared(2);
    (bad[1] as { ts: unknown }).ts = 'not a bigint';
    await expect(store.append([{ events: prepared(1) }, { events: bad }])).rejects.toThrow();
    expect(store.nextSeq()).toBe(0);
    expect(await store.append([{ events: prepared(1) }])).toEqual([0]);
    expect((await readEvents(store)).length).toBe(1);
    await store.close();
  });

  it('records idempotency keys in the same transaction', async () => {
    const dir = tempDir();
    const store = await DuckDBStore.open({ dataDir: dir });
    await store.append([{ events: prepared(2), idempotency: { key: 'k1', result: { kind: 'accepted', accepted: 2, firstSeq: 0 } } }]);
    expect(await store.lookupIdempotency('k1')).toEqual({ kind: 'accepted', accepted: 2, firstSeq: 0 });
    expect(await store.lookupIdempotency('k2')).toBeUndefined();
    await store.close();
  });

  it('keeps the idempotency keys of a schema 3 store through migrations 4 (plain index), 5 (ingest results) and 6 (body digests)', async () => {
    const dir = tempDir();
    const db = await DuckDBInstance.create(join(dir, DB_FILE));
    const conn = await db.connect();
    await conn.run('CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) for (const sql of m.statements) await conn.run(sql);
    await conn.run(`INSERT INTO meta VALUES ('schema_version', '3')`);
    await conn.run(`INSERT INTO idempotency VALUES ('k-old', 1, 200, '{"accepted":5}'), ('k-fmt', 1, 200, '{"accepted":2,"by_format":{"app":2}}')`);
    conn.closeSync();
    db.closeSync();
    const store = await DuckDBStore.open({ dataDir: dir });
    expect(await store.schemaVersion()).toBe(6);
    expect(await store.lookupIdempotency('k-old')).toEqual({ kind: 'accepted', accepted: 5 });
    expect(await store.lookupIdempotency('k-fmt')).toEqual({ kind: 'accepted', accepted: 2, byFormat: { app: 2 } });
    await store.append([{ events: prepared(1), idempotency: { key: 'k-new', result: { kind: 'accepted', accepted: 1, firstSeq: 0 } } }]);
    expect(await store.lookupIdempotency('k-new')).toEqual({ kind: 'accepted', accepted: 1, firstSeq: 0 });
    await store.close();
  });

  it('keeps the body digest with an idempotency key (issue 19 item 9)', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    await store.append([{ events: prepared(1), idempotency: { key: 'k', result: { kind: 'accepted', accepted: 1 }, digest: 'ab12' } }]);
    expect(await store.lookupIdempotency('k')).toEqual({ kind: 'accepted', accepted: 1, firstSeq: 0, digest: 'ab12' });
    await store.close();
  });
});

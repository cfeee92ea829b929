import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { prepared, tempDir } from '../../testing/events.js';
import type { EventQuery } from '../store.js';
import { DB_FILE, DuckDBStore } from './duckdb-store.js';
import { MIGRATIONS } from './schema.js';

const ALL: Omit<EventQuery, 'matchers' | 'lineFilters'> = { fromNs: 0n, toNs: 2n ** 62n, limit: 100_000, direction: 'forward' };
const q = (over: Partial<EventQuery>): EventQuery => ({ matchers: [], lineFilters: [], ...ALL, ...over });

describe('DuckDBStore', () => {
  it('numbers events 0.. without gaps across commits and restarts', async () => {
    const dir = tempDir();
    let store = await DuckDBStore.open({ dataDir: dir });
    expect(await store.schemaVersion()).toBe(5);
    expect(await store.append([{ events: prepared(3) }, { events: prepared(2, 3) }])).toEqual([0, 3]);
    expect(await store.append([{ events: prepared(1, 5) }])).toEqual([5]);
    await store.close();
    store = await DuckDBStore.open({ dataDir: dir });
    expect(store.nextSeq()).toBe(6);
    expect(await store.append([{ events: prepared(2, 6) }])).toEqual([6]);
    const rows = await store.query(q({}));
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
    expect((await store.query(q({}))).length).toBe(1);
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

  it('keeps the idempotency keys of a schema 3 store through migrations 4 (plain index) and 5 (ingest results)', async () => {
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
    expect(await store.schemaVersion()).toBe(5);
    expect(await store.lookupIdempotency('k-old')).toEqual({ kind: 'accepted', accepted: 5 });
    expect(await store.lookupIdempotency('k-fmt')).toEqual({ kind: 'accepted', accepted: 2, byFormat: { app: 2 } });
    await store.append([{ events: prepared(1), idempotency: { key: 'k-new', result: { kind: 'accepted', accepted: 1, firstSeq: 0 } } }]);
    expect(await store.lookupIdempotency('k-new')).toEqual({ kind: 'accepted', accepted: 1, firstSeq: 0 });
    await store.close();
  });

  it('filters by label, time and line, in both directions, with a limit', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    await store.append([{ events: prepared(60) }]);
    const failures = await store.query(q({ matchers: [{ label: 'outcome', op: '=', value: 'failure' }] }));
    expect(failures.map((r) => r.seq)).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56]);
    const files = await store.query(q({ matchers: [{ label: 'category', op: '=', value: 'file' }, { label: 'dataset', op: '!=', value: 'app.audit' }] }));
    expect(files.every((r) => JSON.parse(r.doc).event.category[0] === 'file' && r.seq % 2 === 0)).toBe(true);
    expect(files.length).toBe(10); // i % 6 === 4
    const user3 = await store.query(q({ matchers: [{ label: 'user', op: '=', value: 'user3@example.com' }] }));
    expect(user3.map((r) => r.seq)).toEqual([3, 53]);
    const re = await store.query(q({ matchers: [{ label: 'action', op: '=~', value: 'sign-.*' }] }));
    expect(re.length).toBe(20);
    const line = await store.query(q({ matchers: [{ label: 'dataset', op: '=~', value: '.+' }], lineFilters: [{ op: '|=', value: '"req-42"' }] }));
    expect(line.map((r) => r.seq)).toEqual([42]);
    const notLine = await store.query(q({ lineFilters: [{ op: '!~', value: 'user[0-4]@' }] }));
    expect(notLine.every((r) => r.seq % 50 >= 5)).toBe(true);
    const back = await store.query(q({ direction: 'backward', limit: 3 }));
    expect(back.map((r) => r.seq)).toEqual([59, 58, 57]);
    const window = await store.query(q({ fromNs: prepared(1, 10)[0].ts, toNs: prepared(1, 13)[0].ts }));
    expect(window.map((r) => r.seq)).toEqual([10, 11, 12]);
    await store.close();
  });

  it('matches a missing label as the empty string, as LogQL does', async () => {
    const store = await DuckDBStore.open({ dataDir: tempDir() });
    await store.append([{ events: prepared(2) }]);
    expect((await store.query(q({ matchers: [{ label: 'namespace', op: '=', value: '' }] }))).length).toBe(2);
    expect((await store.query(q({ matchers: [{ label: 'namespace', op: '!=', value: '' }] }))).length).toBe(0);
    await store.close();
  });
});

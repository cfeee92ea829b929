/** A local `vigil verify` is an audited read of the log: recorded when the store verified, and nothing written when it did not. */
import { DuckDBInstance } from '@duckdb/node-api';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Checkpointer } from '../../integrity/signing/checkpointer.js';
import { KEY_FILE, loadOrCreateKey } from '../../integrity/signing/key.js';
import { loadConfig } from '../../config/load.js';
import { openTestStore } from '../../testing/store.js';
import { prepared, tempDir } from '../../testing/events.js';
import type { VerifyReport } from '../../integrity/verify/report.js';
import { recordLocalVerify } from './verify.js';

const EVENTS = 1500;

async function verify(dir: string, key: string): Promise<VerifyReport> {
  const store = await openTestStore(dir, { readOnly: true });
  try {
    return await store.verify({ verifierKey: key, threads: 1 });
  } finally {
    await store.close();
  }
}

async function counts(dir: string): Promise<{ events: number; checkpoints: number; access: string[] }> {
  const store = await openTestStore(dir, { readOnly: true });
  try {
    const docs = (await store.entries(0, store.treeHead().size)).flatMap((e) => (e.doc === undefined ? [] : [e.doc]));
    const access = docs.filter((d) => (JSON.parse(d) as { event: { dataset: string } }).event.dataset === 'vigil.access');
    return { events: docs.length, checkpoints: (await store.checkpoints(0, 1_000_000)).length, access };
  } finally {
    await store.close();
  }
}

describe('recordLocalVerify', () => {
  let base: string;
  let key: string;
  const copy = () => {
    const dir = tempDir();
    cpSync(base, dir, { recursive: true });
    return dir;
  };
  const config = (dir: string) => loadConfig({ overrides: { data_dir: dir } });

  beforeAll(async () => {
    base = tempDir();
    const store = await openTestStore(base);
    const k = loadOrCreateKey(base);
    key = k.verifierKey;
    const cp = new Checkpointer(store, k, { dataDir: base, everyEvents: 1000, intervalMs: 3_600_000 });
    await cp.start();
    await store.append([{ events: prepared(EVENTS) }]);
    await cp.close();
    await store.close();
  });

  it('records a verification that passed as a vigil.access event, sealed and signed, before it is shown', async () => {
    const dir = copy();
    const report = await verify(dir, key);
    expect(report.ok).toBe(true);
    const warnings: string[] = [];
    expect(await recordLocalVerify(config(dir), report, key, (m) => warnings.push(m))).toBe(true);
    expect(warnings).toEqual([]);
    const after = await counts(dir);
    expect(after.events).toBe(EVENTS + 1);
    expect(after.access).toHaveLength(1);
    expect(JSON.parse(after.access[0])).toMatchObject({
      event: { action: 'verify', outcome: 'success', dataset: 'vigil.access', category: ['database'], type: ['access'] },
      user: { name: `local:${userInfo().username}`, roles: ['admin'] },
      access: { route: 'cli:verify', results: EVENTS },
    });
    // the record is part of the log: the store still verifies, with it, under a new checkpoint
    const again = await verify(dir, key);
    expect(again).toMatchObject({ ok: true, size: EVENTS + 1 });
    expect(after.checkpoints).toBeGreaterThan((await counts(base)).checkpoints);
  });

  it('writes nothing to a store that failed verification', async () => {
    const dir = copy();
    const db = await DuckDBInstance.create(join(dir, 'vigil.duckdb')) // an attacker editing the file behind Vigil's back;
    const conn = await db.connect();
    await conn.run(`UPDATE events SET doc = replace(doc, '"outcome":"success"', '"outcome":"failure"') WHERE seq = 701`);
    conn.closeSync();
    db.closeSync();
    const before = await counts(dir);
    const report = await verify(dir, key);
    expect(report.failure).toMatchObject({ kind: 'modified', seq: 701 });
    const warnings: string[] = [];
    expect(await recordLocalVerify(config(dir), report, key, (m) => warnings.push(m))).toBe(false);
    expect(warnings.join()).toMatch(/not recorded in the audit log: Vigil writes nothing to a store that fails verification/);
    expect(await counts(dir)).toEqual(before);
  });

  it('writes nothing without the signing key (an auditor’s copy), and generates none', async () => {
    const dir = copy();
    rmSync(join(dir, KEY_FILE));
    const report = await verify(dir, key);
    const warnings: string[] = [];
    expect(await recordLocalVerify(config(dir), report, key, (m) => warnings.push(m))).toBe(false);
    expect(warnings.join()).toMatch(/no signing key/);
    expect(existsSync(join(dir, KEY_FILE))).toBe(false);
    expect((await counts(dir)).events).toBe(EVENTS);
  });

  it('writes nothing when the data dir signs with another key than the one that verified', async () => {
    const dir = copy();
    const report = await verify(dir, key);
    const other = loadOrCreateKey(tempDir()).verifierKey;
    const warnings: string[] = [];
    expect(await recordLocalVerify(config(dir), report, other, (m) => warnings.push(m))).toBe(false);
    expect(warnings.join()).toMatch(/not the key the checkpoints were verified with/);
    expect((await counts(dir)).events).toBe(EVENTS);
  });
});

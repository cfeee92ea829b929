import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateNoteKeyPair, openCheckpoint, parseVerifierKey } from '../index.js';
import { splitSignedNotes } from '../note-log.js';
import { prepared, tempDir } from '../../testing/events.js';
import { openTestStore } from '../../testing/store.js';
import type { StoredCheckpoint } from '../../store/ledger.js';
import { CHECKPOINT_LOG, Checkpointer } from './checkpointer.js';
import { KEY_FILE, KeyError, PUBLIC_KEY_FILE, configuredVerifierKey, loadOrCreateKey } from './key.js';

describe('checkpoint key', () => {
  it('is generated once into the data dir, private, with its verifier key beside it', () => {
    const dir = tempDir();
    const key = loadOrCreateKey(dir);
    expect(key.created).toBe(true);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, PUBLIC_KEY_FILE), 'utf8').trim()).toBe(key.verifierKey);
    expect(key.origin).toMatch(/\/vigil\/[0-9a-f]{8}$/);
    const again = loadOrCreateKey(dir);
    expect(again.created).toBe(false);
    expect(again.verifierKey).toBe(key.verifierKey);
    expect(configuredVerifierKey(dir).key).toBe(key.verifierKey);
  });

  it('can be supplied in config, and must not be readable by others', () => {
    const dir = tempDir();
    const file = join(tempDir(), 'log.key');
    const pair = generateNoteKeyPair('audit.example.com/log');
    writeFileSync(file, `${pair.signerKey}\n`, { mode: 0o600 });
    const key = loadOrCreateKey(dir, file);
    expect(key).toMatchObject({ origin: 'audit.example.com/log', verifierKey: pair.verifierKey, created: false });
    chmodSync(file, 0o644);
    expect(() => loadOrCreateKey(dir, file)).toThrow(KeyError);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => loadOrCreateKey(dir, file)).toThrow(/not a signed-note Ed25519 signing key/);
  });
});

describe('Checkpointer', () => {
  it('signs every N events, on its interval and at close; stores, logs and emits each', async () => {
    const dir = tempDir();
    const store = await openTestStore(dir);
    const key = loadOrCreateKey(dir);
    const cp = new Checkpointer(store, key, { dataDir: dir, everyEvents: 10, intervalMs: 3_600_000 });
    const emitted: StoredCheckpoint[] = [];
    cp.on('checkpoint', (c) => emitted.push(c));
    await cp.start();
    expect(emitted).toEqual([]); // nothing to sign in an empty log
    await store.append([{ events: prepared(4) }]);
    await store.append([{ events: prepared(8, 4) }]); // 12 ≥ 10: signs in the background
    for (let i = 0; i < 100 && emitted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(emitted.map((c) => c.size)).toEqual([12]);
    await store.append([{ events: prepared(3, 12) }]);
    expect(await cp.issue()).toMatchObject({ size: 15 });
    expect(await cp.issue()).toBeUndefined(); // nothing new
    await store.append([{ events: prepared(1, 15) }]);
    await cp.close();
    await store.close();
    expect(emitted.map((c) => c.size)).toEqual([12, 15, 16]);
    const notes = splitSignedNotes(readFileSync(join(dir, CHECKPOINT_LOG), 'utf8'));
    const verifier = parseVerifierKey(key.verifierKey);
    expect(notes.map((n) => openCheckpoint(n, { origin: key.origin, verifier }).size)).toEqual([12, 15, 16]);
    const reopened = await openTestStore(dir, { readOnly: true });
    expect((await reopened.checkpoints(0, 10)).map((c) => c.note)).toEqual(notes);
    expect((await reopened.latestCheckpoint())?.size).toBe(16);
    await reopened.close();
  });

  it('signs on its interval while events arrive', async () => {
    const dir = tempDir();
    const store = await openTestStore(dir);
    const cp = new Checkpointer(store, loadOrCreateKey(dir), { dataDir: dir, everyEvents: 1_000_000, intervalMs: 30 });
    await cp.start();
    await store.append([{ events: prepared(2) }]);
    for (let i = 0; i < 100 && !(await store.latestCheckpoint()); i++) await new Promise((r) => setTimeout(r, 10));
    expect((await store.latestCheckpoint())?.size).toBe(2);
    await cp.close();
    await store.close();
  });
});

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/events.js';
import { Cursor } from './cursor.js';

describe('Cursor', () => {
  it('starts unset, then persists the next seq across opens', async () => {
    const dir = tempDir();
    const c = await Cursor.open(dir, 'loki-main');
    expect(c.next).toBeUndefined();
    await c.save(42);
    expect(c.next).toBe(42);
    expect((await Cursor.open(dir, 'loki-main')).next).toBe(42);
    expect(JSON.parse(readFileSync(join(dir, 'outputs/loki-main/cursor.json'), 'utf8'))).toEqual({ next_seq: 42 });
    expect(readdirSync(join(dir, 'outputs/loki-main'))).toEqual(['cursor.json']); // no temp file left
    expect((await Cursor.open(dir, 'other')).next).toBeUndefined();
  });

  it('refuses names that are not a plain folder name, and a damaged file', async () => {
    const dir = tempDir();
    await expect(Cursor.open(dir, '../escape')).rejects.toThrow(/only letters/);
    const c = await Cursor.open(dir, 'x');
    writeFileSync(join(dir, 'outputs/x/cursor.json'), '{"next_seq":-1}');
    await expect(Cursor.open(dir, 'x')).rejects.toThrow(/non-negative integer/);
    await c.save(0);
    expect((await Cursor.open(dir, 'x')).next).toBe(0);
  });
});

/** Issue 19 item 12: what Vigil writes is 0600 (folders 0700) whatever the umask or what was there before. */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleEvent, tempDir } from '../../src/testing/events.js';
import { startServerProcess } from './vigil-process.js';

/** Every file and folder under `dir` with its permission bits, e.g. ['vigil.duckdb', '600']. */
function modes(dir: string, prefix = ''): [string, string][] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    const row: [string, string] = [prefix + e.name, (statSync(path).mode & 0o777).toString(8)];
    return e.isDirectory() ? [row, ...modes(path, `${prefix}${e.name}/`)] : [row];
  });
}

describe('file modes', () => {
  it('keeps every file 0600 and folder 0700 under umask 022 in a data dir that existed with 0755, and warns about the dir', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'exports'), { mode: 0o755 });
    writeFileSync(join(dir, 'exports', 'old.ndjson'), '{}\n', { mode: 0o644 });
    const server = await startServerProcess(dir, [], { umask: '022' });
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const res = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: Array.from({ length: 50 }, (_, i) => JSON.stringify(sampleEvent(i, base))).join('\n'),
    });
    expect(await res.json()).toEqual({ accepted: 50 });
    const running = modes(dir);
    expect(await server.kill('SIGTERM')).toBe(0);
    const stopped = modes(dir);
    expect(server.stderr()).toMatch(/accessible to other users \(mode 0755\)/);
    for (const list of [running, stopped]) {
      expect(list.map(([name]) => name)).toEqual(expect.arrayContaining(['vigil.duckdb', 'admin.token']));
      const loose = list.filter(([, mode]) => mode !== '600' && mode !== '700');
      expect(loose).toEqual([]);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o755); // the operator's dir is reported, not changed
  });
});

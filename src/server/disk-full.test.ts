/**
 * Issue 19 item 11: a really full data volume (a 24 MiB tmpfs; needs root to
 * mount, skipped otherwise). Ingest answers 507 with Retry-After and works
 * again once space is freed; /readyz turns not ready below
 * store.min_free_bytes; an export that runs out of space answers instead of
 * hanging and leaves no file; a start on a full volume fails naming the path.
 */
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../testing/events.js';
import { testServer, type TestServer } from '../testing/server.js';
import { canMount, mountTmpfs, type Tmpfs } from '../testing/tmpfs.js';
import { StartupError } from '../runtime/startup-error.js';

const ndjson = (from: number, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify(sampleEvent(from + i))).join('\n');
const post = (s: TestServer, body: string) => s.call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });

async function until(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe.skipIf(!canMount())('a full data volume', () => {
  let fs: Tmpfs;
  let s: TestServer | undefined;
  beforeAll(() => {
    fs = mountTmpfs('24m')!;
  });
  afterAll(async () => {
    await s?.stop().catch(() => undefined);
    fs?.unmount();
  });

  it('ingest answers 507 with Retry-After, /readyz is not ready, an export answers and leaves nothing; all recover once space is freed', async () => {
    mkdirSync(join(fs.dir, 'data'));
    // A stale export from an earlier run is removed at start.
    mkdirSync(join(fs.dir, 'data', 'exports'), { mode: 0o700 });
    writeFileSync(join(fs.dir, 'data', 'exports', 'left-over.ndjson.tmp'), 'partial');
    s = await testServer({ 'store.min_free_bytes': '4MiB', 'integrity.checkpoint_interval': '1h' }, join(fs.dir, 'data'));
    expect(existsSync(join(fs.dir, 'data', 'exports', 'left-over.ndjson.tmp'))).toBe(false);
    expect((await post(s, ndjson(0, 200))).status).toBe(200);
    expect((await s.call('/readyz')).status).toBe(200);

    const free = fs.fill();
    let res: Response | undefined;
    for (let i = 0; i < 20; i++) {
      res = await post(s, ndjson(1000 + i * 500, 500));
      if (res.status !== 200) break;
    }
    expect(res!.status).toBe(507);
    expect(res!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await res!.json()) as { error: string }).error).toBe('insufficient_storage');
    expect(await until(async () => (await s!.call('/readyz')).status === 503)).toBe(true);
    expect(((await (await s.call('/readyz')).json()) as { reason: string }).reason).toMatch(/store\.min_free_bytes/);

    const exported = await s.call(`/api/v1/export?${new URLSearchParams({ query: '{dataset=~".+"}', since: '100000d' })}`, { signal: AbortSignal.timeout(20_000) });
    expect(exported.status).toBe(507);
    expect(existsSync(join(fs.dir, 'data', 'exports')) ? readdirSync(join(fs.dir, 'data', 'exports')) : []).toEqual([]);

    free();
    expect(await until(async () => (await s!.call('/readyz')).status === 200)).toBe(true);
    expect((await post(s, ndjson(50_000, 100))).status).toBe(200);
    const after = await s.call(`/api/v1/export?${new URLSearchParams({ query: '{dataset=~".+"}', since: '100000d' })}`);
    expect(after.status).toBe(200);
    await after.text();
    await s.stop();
    s = undefined;
  });

  it('a start on a full volume fails with an error naming the path, not an uncaught ENOSPC', async () => {
    const dir = join(fs.dir, 'data');
    expect(existsSync(join(dir, 'vigil.duckdb'))).toBe(true);
    const free = fs.fill();
    try {
      const start = testServer({ 'integrity.checkpoint_interval': '1h' }, dir);
      await expect(start).rejects.toThrow(StartupError);
      await expect(start).rejects.toThrow(new RegExp(`no space left on the device holding ${fs.dir}/data`));
    } finally {
      free();
    }
  });
});

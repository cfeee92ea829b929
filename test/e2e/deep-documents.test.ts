/**
 * A store may hold documents nested deeper than the call stack, stored before
 * ingest bounded nesting (src/model/limits.ts). Both verifiers re-canonicalize
 * every document they read, iteratively, so such a store still verifies: run
 * as the real CLI (node's default stack, where the recursive form crashed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/event.js';
import { ingestedAt, prepareEvent } from '../../src/model/prepare.js';
import { nowNs } from '../../src/model/time.js';
import { tempDir } from '../../src/testing/events.js';
import { testServer, type TestServer } from '../../src/testing/server.js';
import { openTestStore } from '../../src/testing/store.js';
import { runCli } from './vigil-process.js';

const DEPTH = 100_000;

function deepEvent(): AuditEvent {
  let nested: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < DEPTH; i++) nested = { a: [nested] };
  return { '@timestamp': new Date().toISOString(), event: { id: 'deep-1', dataset: 'app.audit', action: 'deep' }, deep: nested } as unknown as AuditEvent;
}

describe('verifying a store that holds a 100,000-deep document (200,000 levels)', () => {
  let s: TestServer;
  beforeAll(async () => {
    const dir = tempDir();
    // Stored below ingest's checks, as such a document got in before.
    const store = await openTestStore(dir);
    await store.append([{ events: [prepareEvent(deepEvent(), ingestedAt(nowNs()))] }]);
    await store.close();
    s = await testServer({}, dir);
    await s.checkpoints!.issue();
  });
  afterAll(() => s.stop());

  it('vigil verify --server rebuilds the tree', async () => {
    const r = await runCli(['verify', '--server', s.url, '--token', s.adminToken, '--json']);
    expect(r.stderr).not.toMatch(/call stack/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, events: 1, size: 1 });
    expect(r.code).toBe(0);
  });

  it('vigil verify --bundle checks the exported proof bundle', async () => {
    const q = new URLSearchParams({ query: '{dataset="app.audit"}', since: '1h', proofs: 'true' });
    const res = await s.call(`/api/v1/export?${q}`);
    expect(res.status).toBe(200);
    const file = join(tempDir(), 'bundle.ndjson');
    writeFileSync(file, await res.text());
    const key = (await (await s.call('/api/v1/checkpoint/key')).text()).trim();
    const r = await runCli(['verify', '--bundle', file, '--key', key, '--json']);
    expect(r.stderr).not.toMatch(/call stack/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, events: 1 });
    expect(r.code).toBe(0);
  });
});

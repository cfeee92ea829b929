/**
 * A store may hold documents nested deeper than the call stack, stored before
 * ingest bounded nesting (src/model/limits.ts). Both verifiers re-canonicalize
 * every document they read, iteratively, so such a store still verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilClient } from '../../cli/client.js';
import type { AuditEvent } from '../../model/event.js';
import { ingestedAt, prepareEvent } from '../../model/prepare.js';
import { nowNs } from '../../model/time.js';
import { tempDir } from '../../testing/events.js';
import { testServer, type TestServer } from '../../testing/server.js';
import { openTestStore } from '../../testing/store.js';
import { verifyBundleLines } from './bundle.js';
import { verifyRemote } from './remote.js';

const DEPTH = 10_000;

function deepEvent(): AuditEvent {
  let nested: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < DEPTH; i++) nested = { a: nested };
  return { '@timestamp': new Date().toISOString(), event: { id: 'deep-1', dataset: 'app.audit', action: 'deep' }, deep: nested } as unknown as AuditEvent;
}

describe('verifying a store that holds a 10,000-deep document', () => {
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
    const report = await verifyRemote(new VigilClient({ server: s.url, token: s.adminToken }), { warn: () => {} });
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ ok: true, events: 1, size: 1 });
  });

  it('vigil verify --bundle checks the exported proof bundle', async () => {
    const q = new URLSearchParams({ query: '{dataset="app.audit"}', since: '1h', proofs: 'true' });
    const res = await s.call(`/api/v1/export?${q}`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    const key = (await (await s.call('/api/v1/checkpoint/key')).text()).trim();
    expect(await verifyBundleLines(lines, { verifierKey: key })).toMatchObject({ ok: true, events: 1 });
  });
});

import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../testing/events.js';
import { decodeKind } from './decode-kind.js';
import { BackpressureError } from './group-commit.js';
import { PreparePool, type PrepareWorkerConfig } from './prepare-pool.js';
import { prepareRecords, type PreparedBatch } from './prepare-records.js';

const config: PrepareWorkerConfig = { maxRecordBytes: 1 << 20, keepOriginal: true, excludedCategories: ['iam'], sealing: true, k8sPolicyFiles: [], maxQueuedBytes: 1 << 30 };
const pool = PreparePool.start(config, 2);
afterAll(() => pool?.close());

const inline = (kind: 'ecs' | 'k8s-eventlist', body: Buffer, partial: boolean) =>
  prepareRecords(decodeKind(kind, body, config), { partial, lineBase: 10, offsetBase: 100 }, {
    excludedCategories: new Set(config.excludedCategories),
    sealing: true,
    ingestedNs: 1_800_000_000_000_000_000n,
  });

/** The batch with its typed arrays as plain arrays, for comparison. */
const plain = (b: PreparedBatch) => ({ ...b, events: Object.fromEntries(Object.entries(b.events).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v])) });

describe('PreparePool', () => {
  it('starts from the compiled worker (the test setup builds dist/)', () => {
    expect(pool).toBeDefined();
  });

  it.skipIf(!existsSync('/proc/thread-self'))('runs its threads at a lower CPU priority (ingest.decode_nice), leaving the others', async () => {
    const nices = () => readdirSync('/proc/self/task').map((tid) => getPriority(Number(tid)));
    const base = getPriority();
    const before = nices().filter((n) => n === base + 3).length;
    const lowered = PreparePool.start({ ...config, nice: 3 }, 2)!;
    try {
      // Once both threads have answered, each has run its start-up code.
      const body = Buffer.from(JSON.stringify(sampleEvent(0)) + '\n');
      await Promise.all([lowered.run('ecs', Buffer.from(body), {}, 1n), lowered.run('ecs', Buffer.from(body), {}, 1n)]);
      expect(nices().filter((n) => n === base + 3).length).toBe(before + 2);
      expect(getPriority()).toBe(base);
    } finally {
      await lowered.close();
    }
  });

  it('prepares an ECS body on a worker exactly as inline: events, errors with file positions, exclusions', async () => {
    const iam = sampleEvent(2); // category iam
    const lines = [JSON.stringify(sampleEvent(0)), '{bad', JSON.stringify(iam), JSON.stringify({ '@timestamp': 'yesterday' }), JSON.stringify(sampleEvent(1))];
    const body = Buffer.from(lines.join('\n') + '\n');
    const want = await inline('ecs', Buffer.from(body), true);
    const got = await pool!.run('ecs', Buffer.from(body), { partial: true, lineBase: 10, offsetBase: 100 }, 1_800_000_000_000_000_000n);
    expect(plain(got)).toEqual(plain(want));
    expect(got.events.count).toBe(2);
    expect(got.excluded).toEqual({ iam: 1 });
    expect(got.errors.map((e) => [e.line, e.offset])).toEqual([[12, 100 + body.indexOf('{bad')], [14, 100 + body.indexOf('{"@timestamp":"yesterday"')]]);
    expect(got.events.leafHashes).toHaveLength(2 * 32);
  });

  it('decodes a Kubernetes EventList on a worker, with the body digest when asked, and reports an unreadable body as a 400', async () => {
    const ev = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a1', stage: 'ResponseComplete', requestURI: '/api/v1/pods', verb: 'list',
      user: { username: 'alice' }, sourceIPs: ['10.0.0.1'], objectRef: { resource: 'pods', apiVersion: 'v1' }, responseStatus: { code: 200 },
      requestReceivedTimestamp: '2026-11-23T01:00:00.000000Z', stageTimestamp: '2026-11-23T01:00:00.001000Z' };
    const body = Buffer.from(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [ev, 'nope'] }));
    const got = await pool!.run('k8s-eventlist', Buffer.from(body), { partial: true }, 1n, true);
    expect(got.events.count).toBe(1);
    expect(got.errors.map((e) => e.path)).toEqual(['items[1]']);
    expect(got.bodyDigest).toBe(createHash('sha256').update(body).digest('hex'));
    expect((await pool!.run('k8s-eventlist', Buffer.from(body), { partial: true }, 1n)).bodyDigest).toBeUndefined();
    await expect(pool!.run('k8s-eventlist', Buffer.from('{"kind":'), {}, 1n)).rejects.toMatchObject({ kind: 'bad-body', message: expect.stringMatching(/^invalid JSON/) });
    await expect(pool!.run('k8s-eventlist', Buffer.from('{"kind":"Pod"}'), {}, 1n)).rejects.toMatchObject({ kind: 'bad-body', message: expect.stringMatching(/EventList/) });
  });

  it('replaces a decoding thread that dies, and keeps preparing', async () => {
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    const dead = slots[0].worker;
    await dead.terminate();
    await new Promise((r) => setTimeout(r, 50));
    expect(slots[0].worker).not.toBe(dead);
    const body = Buffer.from([0, 1, 3, 4].map((i) => JSON.stringify(sampleEvent(i))).join('\n'));
    const results = await Promise.all([1, 2, 3, 4].map(() => pool!.run('ecs', Buffer.from(body), {}, 1n)));
    expect(results.map((r) => r.events.count)).toEqual([4, 4, 4, 4]);
  });

  it('refuses a body with 503 (BackpressureError) while too many bytes wait for a thread', async () => {
    const small = PreparePool.start({ ...config, maxQueuedBytes: 1000 }, 1)!;
    const body = Buffer.from(Array.from({ length: 20 }, (_, i) => JSON.stringify(sampleEvent(i))).join('\n'));
    const first = small.run('ecs', Buffer.from(body), {}, 1n);
    await expect(small.run('ecs', Buffer.from(body), {}, 1n)).rejects.toBeInstanceOf(BackpressureError);
    expect((await first).events.count).toBe(17); // 3 of the 20 are iam, excluded
    expect((await small.run('ecs', Buffer.from(body), {}, 1n)).events.count).toBe(17); // the queue drained
    await small.close();
  });
});

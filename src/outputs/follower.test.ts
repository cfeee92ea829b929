import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditStore } from '../store/index.js';
import { prepared, tempDir } from '../testing/events.js';
import { openTestStore } from '../testing/store.js';
import { Cursor } from './cursor.js';
import { Follower, type FollowerOptions } from './follower.js';
import type { DeliveryBatch, DeliveryResult, Output } from './output.js';
import { isRetriable, retryAfterMs } from './retry.js';

const fast = { baseMs: 1, capMs: 5 };

/** An output that records what it was given, checking each document carries its own seq. */
function recorder(name = 'rec', before?: (batch: DeliveryBatch) => Promise<DeliveryResult | void>) {
  const seqs: number[] = [];
  const output: Output = {
    name,
    async deliver(batch) {
      const early = await before?.(batch);
      if (early) return early;
      for (const e of batch.events) {
        const doc = JSON.parse(e.doc) as { vigil: { seq: number; leaf_hash: string }; event: { id: string } };
        expect(doc.vigil).toEqual({ seq: e.seq, leaf_hash: e.leafHash!.toString('hex') });
        expect(doc.event.id).toBeTruthy();
        seqs.push(e.seq);
      }
      return { status: 'delivered', rejected: [] };
    },
  };
  return { output, seqs };
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await sleep(5)) if (Date.now() > end) throw new Error('timed out');
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('Follower', () => {
  const open: { stores: AuditStore[]; followers: Follower[]; servers: Server[] } = { stores: [], followers: [], servers: [] };
  afterEach(async () => {
    await Promise.all(open.followers.splice(0).map((f) => f.stop()));
    await Promise.all(open.stores.splice(0).map((s) => s.close()));
    for (const s of open.servers.splice(0)) s.close();
  });
  const store = async (dir: string) => {
    const s = await openTestStore(dir);
    open.stores.push(s);
    return s;
  };
  const follow = async (o: FollowerOptions) => {
    const f = await Follower.start(o);
    open.followers.push(f);
    return f;
  };

  it('delivers every committed event exactly once, in seq order, across a restart', async () => {
    const dir = tempDir();
    let s = await store(dir);
    for (let i = 0; i < 4; i++) await s.append([{ events: prepared(10, i * 10) }]);
    const slow = recorder('ship', () => sleep(5).then(() => undefined));
    const first = await follow({ ledger: s, output: slow.output, dataDir: dir, startAt: 'beginning', maxBatch: 7 });
    await until(() => slow.seqs.length >= 14);
    await first.stop(); // mid-stream: 40 events stored
    expect(slow.seqs.length).toBeLessThan(40);
    expect(first.position).toBe(slow.seqs.length);
    await s.close();
    open.stores.splice(open.stores.indexOf(s), 1);

    s = await store(dir);
    const second = await follow({ ledger: s, output: slow.output, dataDir: dir, startAt: 'end', maxBatch: 7 }); // the saved cursor wins
    await s.append([{ events: prepared(15, 40) }]);
    await s.append([{ events: prepared(5, 55) }]);
    await until(() => slow.seqs.length >= 60);
    await sleep(50);
    expect(slow.seqs).toEqual(range(0, 60));
    expect(second.position).toBe(60);
    expect((await Cursor.open(dir, 'ship')).next).toBe(60);
  });

  it('retries an output that throws retriable errors and still delivers everything once', async () => {
    const dir = tempDir();
    const s = await store(dir);
    let failures = 0;
    const flaky = recorder('flaky', async () => {
      if (failures++ < 2) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    });
    const f = await follow({ ledger: s, output: flaky.output, dataDir: dir, startAt: 'beginning', backoff: fast });
    await s.append([{ events: prepared(12) }]);
    await s.append([{ events: prepared(3, 12) }]);
    await until(() => flaky.seqs.length >= 15);
    await sleep(50);
    expect(flaky.seqs).toEqual(range(0, 15));
    expect(f.counts).toEqual({ delivered: 15, rejected: 0, retries: 2 });
  });

  it('waits out a real receiver\'s 503 Retry-After, then delivers', async () => {
    const bodies: string[] = [];
    let calls = 0;
    const server = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      if (calls++ === 0) return res.writeHead(503, { 'retry-after': '1' }).end('busy');
      bodies.push(body);
      res.writeHead(200).end();
    });
    open.servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
    const http: Output = {
      name: 'http',
      async deliver(batch, signal) {
        const res = await fetch(url, { method: 'POST', body: batch.events.map((e) => e.doc).join('\n'), signal });
        if (res.ok) return { status: 'delivered', rejected: [] };
        if (isRetriable(res)) return { status: 'retry', reason: `HTTP ${res.status}`, afterMs: retryAfterMs(res.headers.get('retry-after')) };
        throw new Error(`HTTP ${res.status}`);
      },
    };
    const dir = tempDir();
    const s = await store(dir);
    await s.append([{ events: prepared(5) }]);
    const t0 = Date.now();
    const f = await follow({ ledger: s, output: http, dataDir: dir, startAt: 'beginning', backoff: fast });
    await until(() => bodies.length === 1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(bodies[0].split('\n').map((l) => (JSON.parse(l) as { vigil: { seq: number } }).vigil.seq)).toEqual(range(0, 5));
    expect(f.counts.retries).toBe(1);
  });

  it('starts at the end or at a seq, and moves past rejected events', async () => {
    const dir = tempDir();
    const s = await store(dir);
    await s.append([{ events: prepared(10) }]);
    const tail = recorder('tail');
    await follow({ ledger: s, output: tail.output, dataDir: dir });
    const rejected: number[] = [];
    const picky: Output = { name: 'picky', deliver: async (b) => ({ status: 'delivered', rejected: b.events.filter((e) => e.seq % 2).map((e) => ({ seq: e.seq, reason: 'odd' })) }) };
    const p = await follow({ ledger: s, output: picky, dataDir: dir, startAt: 6, onRejected: (r) => rejected.push(r.seq) });
    await s.append([{ events: prepared(4, 10) }]);
    await until(() => tail.seqs.length >= 4 && p.position === 14);
    expect(tail.seqs).toEqual(range(10, 14));
    expect(rejected).toEqual([7, 9, 11, 13]);
    expect(p.counts).toMatchObject({ delivered: 4, rejected: 4 });
  });

  it('stops on a non-retriable error without moving its cursor', async () => {
    const dir = tempDir();
    const s = await store(dir);
    await s.append([{ events: prepared(3) }]);
    const errors: Error[] = [];
    const bad: Output = { name: 'bad', deliver: async () => Promise.reject(new Error('mapping conflict')) };
    const f = await follow({ ledger: s, output: bad, dataDir: dir, startAt: 'beginning', onError: (e) => errors.push(e) });
    await until(() => errors.length > 0);
    expect(errors[0].message).toBe('mapping conflict');
    expect(f.position).toBe(0);
    expect((await Cursor.open(dir, 'bad')).next).toBe(0);
  });
});

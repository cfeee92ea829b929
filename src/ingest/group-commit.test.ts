import { describe, expect, it } from 'vitest';
import { openTestStore } from '../testing/store.js';
import { prepared, tempDir } from '../testing/events.js';
import { docOf } from '../model/prepare.js';
import { BackpressureError, GroupCommitter } from './group-commit.js';

describe('GroupCommitter', () => {
  it('merges concurrent requests into few transactions, numbering them in submission order', async () => {
    const store = await openTestStore(tempDir());
    const rounds: number[] = [];
    const gc = new GroupCommitter(store, { maxBatchEvents: 1000, maxQueuedBytes: 1 << 30 }, { committed: (_e, requests) => rounds.push(requests) });
    const starts = await Promise.all(Array.from({ length: 20 }, (_, i) => gc.submit({ events: prepared(5, i * 5) })));
    expect(starts).toEqual(Array.from({ length: 20 }, (_, i) => i * 5));
    expect(rounds.reduce((a, b) => a + b, 0)).toBe(20);
    expect(rounds.length).toBeLessThan(20);
    await gc.close();
    await store.close();
  });

  it('waits up to maxWaitMs for announced requests, and not at all when none is announced', async () => {
    const store = await openTestStore(tempDir());
    const rounds: number[] = [];
    const gc = new GroupCommitter(store, { maxBatchEvents: 1000, maxQueuedBytes: 1 << 30, maxWaitMs: 2000 }, { committed: (_e, requests) => rounds.push(requests) });
    // One request announced while another is submitted: the round waits for it and takes both.
    const coming = gc.expect();
    const first = gc.submit({ events: prepared(3) });
    await new Promise((r) => setTimeout(r, 50));
    const second = gc.submit({ events: prepared(2, 3) });
    coming();
    expect(await Promise.all([first, second])).toEqual([0, 3]);
    expect(rounds).toEqual([2]);
    // Nothing announced: the round starts at once.
    let t = performance.now();
    await gc.submit({ events: prepared(1, 5) });
    expect(performance.now() - t).toBeLessThan(1500);
    // An announced request that never comes holds a round back only maxWaitMs.
    const gc2 = new GroupCommitter(store, { maxBatchEvents: 1000, maxQueuedBytes: 1 << 30, maxWaitMs: 100 });
    gc2.expect();
    t = performance.now();
    await gc2.submit({ events: prepared(1, 6) });
    expect(performance.now() - t).toBeGreaterThanOrEqual(95);
    await gc.close();
    await gc2.close();
    await store.close();
  });

  it('splits rounds at maxBatchEvents', async () => {
    const store = await openTestStore(tempDir());
    const sizes: number[] = [];
    const gc = new GroupCommitter(store, { maxBatchEvents: 10, maxQueuedBytes: 1 << 30 }, { committed: (e) => sizes.push(e) });
    await Promise.all(Array.from({ length: 6 }, () => gc.submit({ events: prepared(4) })));
    expect(sizes.every((n) => n <= 10)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(24);
    await gc.close();
    await store.close();
  });

  it('refuses new work with BackpressureError when the queue is full, and recovers', async () => {
    const store = await openTestStore(tempDir());
    const batch = prepared(10);
    const bytes = batch.reduce((n, e) => n + docOf(e).length, 0);
    const gc = new GroupCommitter(store, { maxBatchEvents: 1000, maxQueuedBytes: bytes + 10 });
    const first = gc.submit({ events: batch });
    await expect(gc.submit({ events: prepared(10) })).rejects.toBeInstanceOf(BackpressureError);
    await first;
    await expect(gc.submit({ events: prepared(10) })).resolves.toBe(10);
    await gc.close();
    await expect(gc.submit({ events: prepared(1) })).rejects.toThrow(/shutting down/);
    await store.close();
  });
});

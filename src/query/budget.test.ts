/**
 * Issue 19, items 1 and 2: a query's budget — its deadline cancels it (the
 * store's scan interrupted, TypeScript evaluation stopped), evaluation yields
 * to the event loop, and the samples it holds are bounded — and the gate
 * that admits a bounded number of queries at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditStore } from '../store/index.js';
import { storeWithSampleEvents } from '../testing/store.js';
import { QueryBudget } from './budget.js';
import { execute, runQuery } from './engine.js';
import { QueryLimitError, QueryRejectedError, QueryTimeoutError } from './errors.js';
import { QueryGate } from './gate.js';

const S = 1_000_000_000n;
const T0 = 1_767_225_600n * S;
const N = 20_000; // one event a millisecond: 20 s of events

let store: AuditStore;
beforeAll(async () => {
  store = await storeWithSampleEvents(N, T0);
});
afterAll(() => store.close());

/** A metric query evaluated in TypeScript (`| json` keeps it out of the store), over every event. */
const heavy = (budget: QueryBudget) =>
  execute(store, { query: 'sum by (user_name) (count_over_time({dataset=~".+"} | json [1s]))', startNs: T0, endNs: T0 + 20n * S, stepNs: S, limit: 100, direction: 'forward', view: 'ecs' }, undefined, budget);

describe('a query past its deadline', () => {
  it('is cancelled with the timeout error, log and metric queries alike', async () => {
    await expect(heavy(new QueryBudget({ timeoutMs: 1 }))).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(runQuery(store, { query: '{dataset=~".+"} |= "no such text"', from: '0', to: String(2n ** 62n) }, new QueryBudget({ timeoutMs: 1 }))).rejects.toThrow(
      'request timed out, decrease the duration of the request or add more label matchers',
    );
    // the same queries answer without a deadline
    const r = await heavy(new QueryBudget());
    expect(r.type === 'matrix' && r.series.length).toBe(50);
  });

  it("interrupts the store's own work: a scan DuckDB would run for minutes stops at the abort", async () => {
    const controller = new AbortController();
    const reason = new QueryTimeoutError();
    setTimeout(() => controller.abort(reason), 100);
    const rows = store.select('SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b', [], controller.signal);
    const drain = async () => {
      for await (const chunk of rows) void chunk;
    };
    await expect(drain()).rejects.toBe(reason);
  });
});

describe('evaluation', () => {
  it('lets the event loop run while a query is evaluated in TypeScript', async () => {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const budget = new QueryBudget();
    const done = heavy(budget).finally(() => (running = false));
    await done;
    // each yield lets the spinner take a turn; a loop blocked between the store's chunks would give it a dozen
    expect(turns).toBeGreaterThan(100);
  });

  it('fails with a limit error instead of holding more samples than allowed', async () => {
    await expect(heavy(new QueryBudget({ maxSamples: 1000 }))).rejects.toThrow(QueryLimitError);
    await expect(heavy(new QueryBudget({ maxSamples: 1000 }))).rejects.toThrow('more than 1000 samples in memory (query.max_samples)');
    await expect(runQuery(store, { query: '{dataset=~".+"}', from: '0', to: String(2n ** 62n), limit: 5000 }, new QueryBudget({ maxSamples: 4999 }))).rejects.toThrow(QueryLimitError);
    expect(await runQuery(store, { query: '{dataset=~".+"}', from: '0', to: String(2n ** 62n), limit: 5000 }, new QueryBudget({ maxSamples: 5000 }))).toHaveLength(5000);
  });
});

describe('the series limit', () => {
  const bySourceIp = (query: string, budget: QueryBudget) =>
    execute(store, { query, startNs: T0 + 3600n * S, endNs: T0 + 3600n * S, instant: true, limit: 100, direction: 'backward', view: 'ecs' }, undefined, budget);

  it('fails as series appear, holding no more than the limit of them (each event has its own source.ip)', async () => {
    // the store groups by source_ip: 20,000 series; a budget of 2,000 samples would fail if they were all built first
    const query = 'sum by (source_ip) (count_over_time({dataset=~".+"}[2h]))';
    await expect(bySourceIp(query, new QueryBudget({ maxSamples: 2000 }))).rejects.toThrow('maximum of series (500) reached for a single query');
    await expect(bySourceIp(`count_over_time({source_ip=~"10.0.+"}[2h])`, new QueryBudget({ maxSamples: 2000 }))).rejects.toThrow('maximum of series (500) reached');
    // under the limit, the same shape answers
    const few = await bySourceIp('sum by (source_ip) (count_over_time({source_ip=~"10.0.1.[0-9]+"}[2h]))', new QueryBudget({ maxSamples: 2000 }));
    expect(few.type === 'vector' && few.samples.length).toBe(256);
  });
});

describe('the query gate', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs at most max_concurrent queries, queues the next in order, refuses past the wait limit', async () => {
    const gate = new QueryGate({ maxConcurrent: 2, maxWaitMs: 200, timeoutMs: Infinity, maxSamples: Infinity });
    const order: string[] = [];
    const holds = [deferred(), deferred(), deferred()];
    const first = holds.slice(0, 2).map((h, i) => gate.run(async () => (order.push(`start ${i}`), await h.promise, i)));
    const queued = gate.run(async () => (order.push('start queued'), await holds[2].promise, 'queued'));
    expect(gate.load).toEqual({ running: 2, waiting: 1 });
    holds[0].resolve();
    expect(await first[0]).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['start 0', 'start 1', 'start queued']);
    expect(gate.load).toEqual({ running: 2, waiting: 0 });
    // both slots still held: a waiting query is refused once its wait runs out
    const refused = gate.run(async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(QueryRejectedError);
    await expect(refused).rejects.toMatchObject({ message: 'too many outstanding requests', retryAfterSeconds: 1 });
    expect(gate.load).toEqual({ running: 2, waiting: 0 });
    holds[1].resolve();
    holds[2].resolve();
    expect(await Promise.all([first[1], queued])).toEqual([1, 'queued']);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses at once with no wait allowed, and frees the slot of a query that failed', async () => {
    const gate = new QueryGate({ maxConcurrent: 1, maxWaitMs: 0, timeoutMs: 1, maxSamples: Infinity });
    const running = gate.run(heavy);
    await expect(gate.run(heavy)).rejects.toBeInstanceOf(QueryRejectedError);
    await expect(running).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });
});

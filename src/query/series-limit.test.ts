/**
 * max_query_series as Loki applies it: to the series a query returns, not to
 * those inside an aggregation (count or sum over many series answers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditStore } from '../store/index.js';
import { storeWithSampleEvents } from '../testing/store.js';
import { execute, type ExecRequest } from './engine.js';

const S = 1_000_000_000n;
const T0 = 1_767_225_600n * S;
const N = 10_050; // each event's request_id makes its own series: over 20 times the limit of 500

let store: AuditStore;
beforeAll(async () => {
  store = await storeWithSampleEvents(N, T0);
});
afterAll(() => store.close());

const at = T0 + 60n * S;
const instant = (query: string) => execute(store, { query, startNs: at, endNs: at, instant: true, limit: 100, direction: 'backward', view: 'ecs' });
const range = (query: string, over: Partial<ExecRequest> = {}) =>
  execute(store, { query, startNs: T0 + 30n * S, endNs: at, stepNs: 30n * S, limit: 100, direction: 'backward', view: 'ecs', ...over });
const TOO_MANY = 'maximum of series (500) reached for a single query';

describe('the series limit', () => {
  it('lets an aggregation reduce many inner series to few', async () => {
    const inner = 'count_over_time({dataset=~".+"} | json [5m])';
    expect(await instant(`count(${inner})`)).toMatchObject({ type: 'vector', samples: [{ labels: {}, value: N }] });
    const byDataset = await instant(`sum by (event_dataset) (${inner})`);
    expect(byDataset.type === 'vector' && byDataset.samples.map((s) => s.value)).toEqual([N / 2, N / 2]);
    const r = await range(`count(${inner})`);
    expect(r.type === 'matrix' && r.series.map((s) => s.points.map(([, v]) => v))).toEqual([[N, N]]);
  });

  it('refuses a result with more series than the limit', async () => {
    const many = 'count_over_time({dataset=~".+"} | json [5m])';
    await expect(instant(many)).rejects.toThrow(TOO_MANY);
    await expect(range(many)).rejects.toThrow(TOO_MANY);
    await expect(instant(`sum by (app_request_id) (${many})`)).rejects.toThrow(TOO_MANY);
  });
});

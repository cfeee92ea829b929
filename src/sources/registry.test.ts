import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '../testing/events.js';
import { testServer, type TestServer } from '../testing/server.js';
import { createSources } from './registry.js';

describe('sources', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer({ sources: [{ type: 'http-ecs' }] });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('serves the routes of the listed sources only', async () => {
    const body = `${JSON.stringify(sampleEvent(0))}\n`;
    const events = await s.call('/api/v1/events', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(events.status).toBe(200);
    expect(await events.json()).toEqual({ accepted: 1 });
    expect((await s.call('/loki/api/v1/push', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    expect((await s.call('/api/v1/k8s/audit', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('refuses a source listed twice', () => {
    expect(() => createSources([{ type: 'loki-push' }, { type: 'loki-push' }])).toThrow('sources: loki-push is listed twice');
  });
});

/** The Logs Drilldown reads against a running server: volume_range, detected_fields, detected_labels, patterns. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getText, testServer, type TestServer } from '../../testing/server.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, seconds
const ns = (sec: number) => `${T0 + sec}000000000`;
const event = (sec: number, outcome: string, user: string) => ({
  '@timestamp': new Date((T0 + sec) * 1000).toISOString(),
  event: { action: 'sign-in', outcome, dataset: 'app.audit', duration: 1500 },
  user: { name: user },
});

describe('Loki Logs Drilldown API', () => {
  let s: TestServer;
  const range = `start=${T0}&end=${T0 + 300}`;
  const get = (path: string) => getText(s, path);
  beforeAll(async () => {
    s = await testServer();
    const body = [event(10, 'failure', 'alice'), event(70, 'success', 'bob'), event(130, 'failure', 'alice')].map((e) => JSON.stringify(e)).join('\n');
    expect((await s.call('/api/v1/events', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(200);
    const push = JSON.stringify({
      streams: [{
        stream: { job: 'web', dataset: 'web.access', trace: '0b8f2d4e-6a1c-4f7e-9d3b-2c5a7e9f1b3d' },
        values: [[ns(5), 'GET /orders/17 status=200 took=12ms'], [ns(65), 'GET /orders/42 status=500 took=3ms'], [ns(66), 'user logged out']],
      }],
    });
    expect((await s.call('/loki/api/v1/push', { method: 'POST', body: push, headers: { 'content-type': 'application/json' } })).status).toBe(204);
  });
  afterAll(() => s.stop());

  it('answers index/volume_range as a matrix of bytes per label set per step', async () => {
    const q = encodeURIComponent('{dataset="app.audit"}');
    const r = await get(`/loki/api/v1/index/volume_range?query=${q}&${range}&step=60&targetLabels=outcome`);
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('matrix');
    const [failure, success] = body.data.result;
    expect(failure.metric).toEqual({ outcome: 'failure' });
    expect(failure.values.map((v: [number, string]) => v[0])).toEqual([T0 + 59.999, T0 + 179.999]);
    expect(Number(failure.values[0][1])).toBeGreaterThan(0);
    expect(success.metric).toEqual({ outcome: 'success' });
    const byLabel = (await get(`/loki/api/v1/index/volume_range?query=${q}&${range}&step=300&aggregateBy=labels`)).json();
    expect(byLabel.data.result.map((x: { metric: object }) => x.metric)).toEqual([{ dataset: '' }]);
  });

  it('answers detected_fields from JSON and logfmt lines, with types and parsers', async () => {
    const json = (await get(`/loki/api/v1/detected_fields?query=${encodeURIComponent('{dataset="app.audit"}')}&${range}`)).json();
    expect(json.limit).toBe(1000);
    const field = (name: string) => json.fields.find((f: { label: string }) => f.label === name);
    expect(field('user_name')).toEqual({ label: 'user_name', type: 'string', cardinality: 2, parsers: ['json'], jsonPath: ['user', 'name'] });
    expect(field('event_duration')).toMatchObject({ type: 'int', cardinality: 1 });
    expect(field('event_outcome')).toMatchObject({ cardinality: 2 });
    const logfmt = (await get(`/loki/api/v1/detected_fields?query=${encodeURIComponent('{job="web"}')}&${range}`)).json();
    expect(logfmt.fields).toEqual([
      { label: 'status', type: 'int', cardinality: 2, parsers: ['logfmt'] },
      { label: 'took', type: 'duration', cardinality: 2, parsers: ['logfmt'] },
    ]);
    const values = (await get(`/loki/api/v1/detected_field/status/values?query=${encodeURIComponent('{job="web"}')}&${range}`)).json();
    expect(values).toEqual({ values: ['200', '500'], limit: 1000 });
    expect((await get(`/loki/api/v1/detected_fields?start=1&end=2`)).json()).toEqual({});
  });

  it('answers detected_labels with cardinalities, leaving out ID-like labels', async () => {
    const r = (await get(`/loki/api/v1/detected_labels?query=${encodeURIComponent('{dataset="app.audit"}')}&${range}`)).json();
    const labels = Object.fromEntries(r.detectedLabels.map((l: { label: string; cardinality: number }) => [l.label, l.cardinality]));
    expect(labels).toMatchObject({ dataset: 1, outcome: 2, detected_level: 2 });
    const web = (await get(`/loki/api/v1/detected_labels?query=${encodeURIComponent('{job="web"}')}&${range}`)).json();
    expect(web.detectedLabels).toContainEqual({ label: 'job', cardinality: 1 });
    expect(web.detectedLabels.map((l: { label: string }) => l.label)).not.toContain('trace');
  });

  it('answers patterns: variable words as <_>, counted per step', async () => {
    const r = await get(`/loki/api/v1/patterns?query=${encodeURIComponent('{job="web"}')}&${range}&step=60`);
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.status).toBe('success');
    expect(body.data[0]).toEqual({ pattern: 'GET /orders/<_> status=<_> took=<_>', level: expect.any(String), samples: [[T0, 1], [T0 + 60, 1]] });
    expect(body.data[1]).toMatchObject({ pattern: 'user logged out', samples: [[T0 + 60, 1]] });
  });

  it('rejects bad parameters with Loki messages as text/plain 400', async () => {
    const cases: [string, string][] = [
      [`/loki/api/v1/patterns?query=%7Bjob%3D%22web%22%7D&${range}&step=0`, 'zero or negative query resolution step widths'],
      [`/loki/api/v1/index/volume_range?query=%7Bjob%3D%22web%22%7D&start=${T0}&end=${T0 + 86400}&step=1`, 'exceeded maximum resolution of 11,000 points'],
      [`/loki/api/v1/index/volume_range?query=%7Bjob%3D%22web%22%7D&${range}&aggregateBy=pods`, 'invalid aggregation option'],
      [`/loki/api/v1/detected_fields?query=%7Bjob%3D%22web%22%7D&${range}&line_limit=-1`, 'limit must be a positive value'],
      [`/loki/api/v1/detected_labels?start=${T0 + 10}&end=${T0}`, 'end timestamp must not be before or equal to start time'],
      [`/loki/api/v1/detected_labels?query=%7Bjob%3D&${range}`, 'parse error'],
    ];
    for (const [path, msg] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.type).toContain('text/plain');
      expect(r.text).toContain(msg);
    }
  });
});

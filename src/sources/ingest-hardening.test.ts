/**
 * Issue 19 items 8, 9 and 13 on the routes themselves (real server on
 * loopback): timestamps out of range or off the calendar refused with the
 * field; idempotency keys scoped to token and route, a reused key answered
 * 422; invalid UTF-8 refused on every route with its byte offset and
 * dead-lettered with its bytes; the webhook's record size limit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing/server.js';

const ts = () => new Date(Date.now() - 1000).toISOString();
const ecs = (time: string, extra = '') => `{"@timestamp":${JSON.stringify(time)},"event":{"dataset":"app.audit","action":"a"},"message":"m"${extra}}`;
const k8sItem = (time: string, extra = '') =>
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"id-${Math.random()}","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/pods","user":{"username":"alice"},"requestReceivedTimestamp":"${time}","stageTimestamp":"${time}"${extra}}`;
const eventList = (...items: string[]) => `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${items.join(',')}]}`;

const PushRequest = protobuf
  .parse(`syntax = "proto3"; package logproto;
    message Timestamp { int64 seconds = 1; int32 nanos = 2; }
    message EntryAdapter { Timestamp timestamp = 1; bytes line = 2; }
    message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
    message PushRequest { repeated StreamAdapter streams = 1; }`)
  .root.lookupType('logproto.PushRequest');

describe('ingest hardening (issue 19 items 8, 9, 13)', () => {
  let s: TestServer;
  let tokenA: string;
  let tokenB: string;
  beforeAll(async () => {
    s = await testServer({ 'ingest.max_record_bytes': 4096 });
    const mk = async (name: string) =>
      ((await (await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name, scopes: ['ingest'] }) })).json()) as { token: string }).token;
    tokenA = await mk('sender-a');
    tokenB = await mk('sender-b');
  });
  afterAll(() => s.stop());

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    s.call(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const deadLetters = () => {
    const dir = join(s.dataDir, 'rejected');
    return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as { source: string; reason: string; original_base64?: string });
  };
  const count = async (needle: string) => {
    const q = new URLSearchParams({ query: `{dataset=~".+"} |= "${needle}"`, since: '1h', limit: '1000' });
    return ((await (await s.call(`/api/v1/query?${q}`)).json()) as { events: unknown[] }).events.length;
  };

  it('item 8: refuses timestamps outside 1677-09-21..2262-04-11 and dates off the calendar, naming the field', async () => {
    for (const time of ['9999-12-31T23:59:59Z', '2263-01-01T00:00:00Z', '1600-01-01T00:00:00Z', '2025-02-30T00:00:00Z']) {
      const res = await post('/api/v1/events', ecs(time), { 'content-type': 'application/x-ndjson' });
      expect(res.status, time).toBe(400);
      const body = (await res.json()) as { errors: { path: string; reason: string }[] };
      expect(body.errors[0].path).toBe('@timestamp');
      expect(body.errors[0].reason).toMatch(time.startsWith('2025') ? /not a calendar date/ : /outside the range of timestamps/);
      const hook = (await (await post('/api/v1/k8s/audit', eventList(k8sItem(time)))).json()) as { accepted: number; rejected: number };
      expect(hook, time).toMatchObject({ accepted: 0, rejected: 1 });
    }
    const loki = await post('/loki/api/v1/push', `{"streams":[{"stream":{"job":"t"},"values":[["9999999999999999999","far"],["${Date.now()}000000","near"]]}]}`);
    expect(loki.status).toBe(400);
    expect(await loki.text()).toMatch(/entry 1: timestamp: 9999999999999999999 ns is outside the range/);
    expect(await count('near')).toBe(1);
    expect(await count('far')).toBe(0);
  });

  it('item 9: a key is scoped to the token and the route; reused with another body it is 422 and stores nothing', async () => {
    const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', 'idempotency-key': 'shared-1' });
    expect((await post('/api/v1/events', ecs(ts(), ',"labels":{"n":"idem-a"}'), as(tokenA))).status).toBe(200);
    // Another sender with the same key: its own batch, stored.
    expect((await post('/api/v1/events', ecs(ts(), ',"labels":{"n":"idem-b"}'), as(tokenB))).status).toBe(200);
    // The same key on the Loki route: another key.
    const push = `{"streams":[{"stream":{"job":"idem-loki"},"values":[["${Date.now()}000000","idem-loki line"]]}]}`;
    expect((await post('/loki/api/v1/push', push, { ...as(tokenA), 'content-type': 'application/json' })).status).toBe(204);
    // The same sender, route and key with another body: refused.
    const again = await post('/api/v1/events', ecs(ts(), ',"labels":{"n":"idem-a"}').replace(/"@timestamp":"[^"]+"/, '"@timestamp":"X"'), as(tokenA));
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ error: 'idempotency_key_reused' });
    // A resend of the same body: the first answer, nothing stored twice.
    const body = ecs(ts(), ',"labels":{"n":"idem-same"}');
    const key = { ...as(tokenA), 'idempotency-key': 'same-2' };
    expect(await (await post('/api/v1/events', body, key)).json()).toEqual({ accepted: 1 });
    expect(await (await post('/api/v1/events', body, key)).json()).toEqual({ accepted: 1 });
    expect(await count('idem-same')).toBe(1);
    expect(await count('idem-a')).toBe(1);
    expect(await count('idem-b')).toBe(1);
    expect(await count('idem-loki')).toBe(1);
    const reusedPush = await post('/loki/api/v1/push', push.replace('idem-loki line', 'other line'), { ...as(tokenA), 'content-type': 'application/json' });
    expect(reusedPush.status).toBe(422);
    expect(await count('other line')).toBe(0);
  });

  it('item 13: invalid UTF-8 is refused on every route with its byte offset, dead-lettered with its bytes', async () => {
    const bad = (text: string, at: number) => Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff]), Buffer.from(text.slice(at))]);
    const lokiText = `{"streams":[{"stream":{"job":"utf"},"values":[["${Date.now()}000000","bad line"]]}]}`;
    const loki = await post('/loki/api/v1/push', bad(lokiText, lokiText.indexOf('bad line') + 4));
    expect(loki.status).toBe(400);
    expect(await loki.text()).toMatch(new RegExp(`invalid UTF-8 at byte ${lokiText.indexOf('bad line') + 4}`));

    const msg = PushRequest.fromObject({ streams: [{ labels: '{job="utf-proto"}', entries: [{ timestamp: { seconds: Math.floor(Date.now() / 1000) }, line: Buffer.from([0x61, 0x62, 0xc3]) }] }] });
    const proto = await post('/loki/api/v1/push', snappy.compressSync(Buffer.from(PushRequest.encode(msg).finish())), { 'content-type': 'application/x-protobuf' });
    expect(proto.status).toBe(400);
    expect(await proto.text()).toMatch(/entry 1: line: invalid UTF-8 at byte 2/);

    const list = eventList(k8sItem(ts(), ',"annotations":{"x":"bad"}'));
    const hook = await post('/api/v1/k8s/audit', bad(list, list.indexOf('"bad"') + 2));
    expect(hook.status).toBe(200); // the API server retries anything else forever
    expect(await hook.json()).toMatchObject({ accepted: 0, rejected: 1, errors: [{ reason: `invalid UTF-8 at byte ${list.indexOf('"bad"') + 2}` }] });

    const nd = await post('/api/v1/events', bad(ecs(ts()), 10), { 'content-type': 'application/x-ndjson' });
    expect(nd.status).toBe(400);
    expect(((await nd.json()) as { errors: { reason: string }[] }).errors[0].reason).toBe('invalid UTF-8 at byte 10');

    const kept = deadLetters().filter((d) => /invalid UTF-8/.test(d.reason));
    expect(kept.map((d) => d.source).sort()).toEqual(['api.events', 'api.k8s-audit', 'loki.push', 'loki.push']);
    for (const d of kept) expect(Buffer.from(d.original_base64!, 'base64').includes(0xff) || Buffer.from(d.original_base64!, 'base64').includes(0xc3)).toBe(true);
  });

  it('item 13: a webhook item over ingest.max_record_bytes is refused, the others stored', async () => {
    const res = await post('/api/v1/k8s/audit', eventList(k8sItem(ts(), `,"requestObject":{"big":"${'x'.repeat(5000)}"}`), k8sItem(ts())));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: number; errors: { path: string; reason: string }[] };
    expect(body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.errors[0]).toMatchObject({ path: 'items[0]', reason: expect.stringMatching(/exceeds the limit of 4096 bytes \(ingest.max_record_bytes\)/) });
  });
});

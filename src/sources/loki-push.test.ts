/** POST /loki/api/v1/push: JSON, protobuf+snappy, gzip; labels kept as sent; read back through the Loki read API. */
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing/server.js';
import { labelsText, parseLabels } from './loki-push-body.js';

const T0 = 1_767_225_600n; // 2026-01-01T00:00:00Z, seconds
const ns = (sec: number) => ((T0 + BigInt(sec)) * 1_000_000_000n).toString();
const range = `start=${T0}&end=${T0 + 3600n}`;

/** The test's own copy of Loki's push.proto, built as a JSON descriptor (independent of the route's). */
const root = protobuf.Root.fromJSON({
  nested: {
    logproto: {
      nested: {
        PushRequest: { fields: { streams: { rule: 'repeated', type: 'StreamAdapter', id: 1 } } },
        StreamAdapter: { fields: { labels: { type: 'string', id: 1 }, entries: { rule: 'repeated', type: 'EntryAdapter', id: 2 }, hash: { type: 'uint64', id: 3 } } },
        EntryAdapter: {
          fields: {
            timestamp: { type: 'google.protobuf.Timestamp', id: 1 },
            line: { type: 'string', id: 2 },
            structuredMetadata: { rule: 'repeated', type: 'LabelPairAdapter', id: 3 },
          },
        },
        LabelPairAdapter: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
      },
    },
    google: { nested: { protobuf: { nested: { Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } } } } } },
  },
});
const PushRequest = root.lookupType('logproto.PushRequest');

describe('parseLabels', () => {
  it('reads Prometheus label text with escapes and round-trips labelsText', () => {
    expect(parseLabels('{job="api", msg="say \\"hi\\"\\n", x_1 = "é"}')).toEqual({ job: 'api', msg: 'say "hi"\n', x_1: 'é' });
    expect(parseLabels(labelsText({ b: 'x"y', a: '1' }))).toEqual({ a: '1', b: 'x"y' });
    expect(() => parseLabels('{job="api"')).toThrow(/parse error at line 1, col/);
    expect(() => parseLabels('job="api"')).toThrow(/expected \{/);
  });
});

describe('POST /loki/api/v1/push', () => {
  let s: TestServer;
  const push = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    s.call('/loki/api/v1/push', { method: 'POST', body, headers });
  const read = async (query: string, extra = '') => {
    const res = await s.call(`/loki/api/v1/query_range?query=${encodeURIComponent(query)}&${range}&direction=forward&limit=1000${extra}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { data: { resultType: string; result: { stream: Record<string, string>; values: [string, string][] }[] } };
  };
  beforeAll(async () => {
    s = await testServer();
  });
  afterAll(() => s.stop());

  it('stores a JSON push and answers 204; query_range returns the lines as sent with the labels as sent', async () => {
    const body = JSON.stringify({
      streams: [
        { stream: { app: 'web', env: 'prod' }, values: [[ns(1), 'user alice logged in'], [ns(2), 'user bob logged out', { trace_id: 'abc' }]] },
        { stream: { app: 'web', env: 'dev' }, values: [[ns(3), 'level=info msg="dev start"']] },
      ],
    });
    const res = await push(body);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const r = await read('{app="web"}');
    expect(r.data.resultType).toBe('streams');
    const values = r.data.result.flatMap((x) => x.values).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(values).toEqual([[ns(1), 'user alice logged in'], [ns(2), 'user bob logged out'], [ns(3), 'level=info msg="dev start"']]);
    const prod = r.data.result.find((x) => x.values.some((v) => v[1] === 'user alice logged in'))!;
    expect(prod.stream).toMatchObject({ app: 'web', env: 'prod', dataset: 'generic.log' });
    // structured metadata appears among the entry's labels, as Loki shows it without categorize-labels
    expect(r.data.result.find((x) => x.values.some((v) => v[1] === 'user bob logged out'))!.stream).toMatchObject({ app: 'web', trace_id: 'abc' });
    // a pushed label filters like any stream label, and line filters work on the line as sent
    const dev = await read('{app="web", env="dev"} |= "dev start"');
    expect(dev.data.result.flatMap((x) => x.values)).toEqual([[ns(3), 'level=info msg="dev start"']]);
    const parsed = await read('{env="dev"} | logfmt | msg="dev start"');
    expect(parsed.data.result).toHaveLength(1);
  });

  it('takes a protobuf PushRequest in a raw snappy block (no content type too), with structured metadata', async () => {
    const msg = PushRequest.fromObject({
      streams: [
        {
          labels: '{job="promtail", host="node-1"}',
          entries: [
            { timestamp: { seconds: Number(T0) + 10, nanos: 5 }, line: 'sshd[1]: Accepted publickey for carol', structuredMetadata: [{ name: 'pod', value: 'p-1' }] },
            { timestamp: { seconds: Number(T0) + 11, nanos: 0 }, line: 'sshd[1]: session closed for carol' },
          ],
        },
      ],
    });
    const body = snappy.compressSync(Buffer.from(PushRequest.encode(msg).finish()));
    expect((await push(body, { 'content-type': 'application/x-protobuf' })).status).toBe(204);
    const r = await read('{job="promtail"}');
    const values = r.data.result.flatMap((x) => x.values).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(values).toEqual([[`${T0 + 10n}000000005`, 'sshd[1]: Accepted publickey for carol'], [ns(11), 'sshd[1]: session closed for carol']]);
    expect(r.data.result[0].stream).toMatchObject({ job: 'promtail', host: 'node-1' });
    expect(r.data.result.some((x) => x.stream.pod === 'p-1')).toBe(true);

    const bare = snappy.compressSync(Buffer.from(PushRequest.encode(PushRequest.fromObject({
      streams: [{ labels: '{job="bare"}', entries: [{ timestamp: { seconds: Number(T0) + 12 }, line: 'no content type' }] }],
    })).finish()));
    expect((await s.call('/loki/api/v1/push', { method: 'POST', body: bare })).status).toBe(204);
    expect((await read('{job="bare"}')).data.result.flatMap((x) => x.values)).toEqual([[ns(12), 'no content type']]);
  });

  it('accepts gzip over JSON and over snappy protobuf', async () => {
    const json = gzipSync(JSON.stringify({ streams: [{ stream: { job: 'gz' }, values: [[ns(20), 'gzipped json']] }] }));
    expect((await push(json, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(204);
    const proto = gzipSync(snappy.compressSync(Buffer.from(PushRequest.encode(PushRequest.fromObject({
      streams: [{ labels: '{job="gz"}', entries: [{ timestamp: { seconds: Number(T0) + 21 }, line: 'gzipped proto' }] }],
    })).finish())));
    expect((await push(proto, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(204);
    const values = (await read('{job="gz"}')).data.result.flatMap((x) => x.values).map((v) => v[1]).sort();
    expect(values).toEqual(['gzipped json', 'gzipped proto']);
  });

  it('normalizes a pushed Kubernetes audit event like any other, and serves it byte for byte', async () => {
    const audit = JSON.stringify({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: '6f1c7a4e-0000-4000-8000-000000000001', stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/prod/secrets/db', verb: 'delete', user: { username: 'mallory' }, sourceIPs: ['10.0.0.9'],
      objectRef: { resource: 'secrets', namespace: 'prod', name: 'db', apiVersion: 'v1' }, responseStatus: { code: 200 },
      requestReceivedTimestamp: '2026-01-01T00:00:30.000000Z', stageTimestamp: '2026-01-01T00:00:30.100000Z',
    });
    expect((await push(JSON.stringify({ streams: [{ stream: { job: 'k8s-audit' }, values: [[ns(40), audit]] }] }))).status).toBe(204);
    const r = await read('{job="k8s-audit"} | json | verb="delete"');
    const values = r.data.result.flatMap((x) => x.values);
    expect(values.map((v) => v[1])).toEqual([audit]);
    expect(r.data.result[0].stream).toMatchObject({ job: 'k8s-audit', namespace: 'prod', dataset: 'kubernetes.audit_logs' });
  });

  it('accepts a line over Loki’s 256 KB default, up to ingest.max_record_bytes; longer ones get 400 while the rest is stored', async () => {
    const big = `big ${'x'.repeat(600_000)}`;
    const huge = `huge ${'y'.repeat(1024 * 1024)}`;
    const body = JSON.stringify({ streams: [{ stream: { job: 'sizes' }, values: [[ns(50), big], [ns(51), huge], [ns(52), 'small']] }] });
    const res = await push(body);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/entry 2: line too long/);
    const values = (await read('{job="sizes"}')).data.result.flatMap((x) => x.values).map((v) => v[1].length).sort();
    expect(values).toEqual([5, big.length].sort());
  });

  it('stores a resent body once, and honours Idempotency-Key', async () => {
    const body = JSON.stringify({ streams: [{ stream: { job: 'idem' }, values: [[ns(60), 'once']] }] });
    expect((await push(body)).status).toBe(204);
    expect((await push(body)).status).toBe(204);
    const keyed = (line: string) => push(JSON.stringify({ streams: [{ stream: { job: 'idem' }, values: [[ns(61), line]] }] }), { 'content-type': 'application/json', 'idempotency-key': 'push-42' });
    expect((await keyed('first')).status).toBe(204);
    const reused = await keyed('second'); // same key, another body: refused, nothing stored (issue 19 item 9)
    expect(reused.status).toBe(422);
    expect(await reused.text()).toMatch(/Idempotency-Key was used before with a different body/);
    const values = (await read('{job="idem"}')).data.result.flatMap((x) => x.values).map((v) => v[1]).sort();
    expect(values).toEqual(['first', 'once']);
  });

  it('answers bad bodies with a 400 text, and needs an ingest token (basic auth with the token as password works)', async () => {
    const cases: [string | Buffer, Record<string, string>, RegExp][] = [
      ['{"streams":[{"stream":{"a":"b"},"values":[[1767225600000000000,"x"]]}]}', { 'content-type': 'application/json' }, /timestamp must be a string/],
      ['{"streams":[{"stream":{},"values":[["1","x"]]}]}', { 'content-type': 'application/json' }, /at least one label pair is required/],
      ['{"streams":', { 'content-type': 'application/json' }, /invalid JSON push body/],
      [Buffer.from('not snappy at all'), { 'content-type': 'application/x-protobuf' }, /snappy|logproto/],
      [snappy.compressSync(Buffer.from(PushRequest.encode(PushRequest.fromObject({ streams: [{ labels: '{job=api}', entries: [] }] })).finish())), { 'content-type': 'application/x-protobuf' }, /parse error at line 1, col 6/],
    ];
    for (const [body, headers, message] of cases) {
      const res = await push(body, headers);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toMatch(message);
    }
    const body = JSON.stringify({ streams: [{ stream: { job: 'auth' }, values: [[ns(70), 'basic']] }] });
    expect((await push(body, { 'content-type': 'application/json', authorization: 'Bearer nope' })).status).toBe(401);
    const basic = `Basic ${Buffer.from(`tenant-1:${s.adminToken}`).toString('base64')}`;
    expect((await push(body, { 'content-type': 'application/json', authorization: basic })).status).toBe(204);
  });
});

describe('loki.line: ecs', () => {
  it('makes the Loki API serve and filter the normalized ECS JSON instead of the line as received', async () => {
    const s = await testServer({ 'loki.line': 'ecs' });
    try {
      const body = JSON.stringify({ streams: [{ stream: { job: 'view' }, values: [[ns(5), 'eve deleted the report']] }] });
      expect((await s.call('/loki/api/v1/push', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(204);
      const q = encodeURIComponent('{dataset="generic.log"} | json | event_module="generic"');
      const res = await s.call(`/loki/api/v1/query_range?query=${q}&${range}`);
      const r = (await res.json()) as { data: { result: { values: [string, string][] }[] } };
      const lines = r.data.result.flatMap((x) => x.values.map((v) => JSON.parse(v[1]) as { message: string; labels: Record<string, string> }));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ message: 'eve deleted the report', labels: { job: 'view' } });
    } finally {
      await s.stop();
    }
  });
});

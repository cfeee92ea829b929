/**
 * Interop: the real pino-loki (JSON bodies) and winston-loki (protobuf+snappy,
 * since `snappy` is installed) clients push to a running Vigil with a token as
 * basic-auth password; the lines come back through the Loki read API and
 * through Vigil's own query API (what `vigil query --server` calls).
 */
import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing/server.js';

type Streams = { data: { result: { stream: Record<string, string>; values: [string, string][] }[] } };

describe('Loki clients push to Vigil', () => {
  let s: TestServer;
  let ingestToken: string;
  beforeAll(async () => {
    s = await testServer();
    const res = await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'loki-clients', scopes: ['ingest'] }), headers: { 'content-type': 'application/json' } });
    ingestToken = ((await res.json()) as { token: string }).token;
  });
  afterAll(() => s.stop());

  /** Polls query_range (the clients send asynchronously) until `want` lines match or time runs out. */
  const waitFor = async (query: string, want: number): Promise<Streams['data']['result']> => {
    const end = Date.now() + 15_000;
    for (;;) {
      const now = BigInt(Date.now()) * 1_000_000n;
      const res = await s.call(`/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${now - 600_000_000_000n}&end=${now + 60_000_000_000n}&limit=100`);
      const body = (await res.json()) as Streams;
      const n = body.data.result.reduce((k, x) => k + x.values.length, 0);
      if (n >= want || Date.now() > end) return body.data.result;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('pino-loki (JSON push, basic auth) — lines readable as sent, with its labels', async () => {
    const stream = pinoLoki({
      host: s.url,
      basicAuth: { username: 'tenant-a', password: ingestToken },
      batching: false,
      labels: { app: 'billing' },
      silenceErrors: false,
    });
    const log = pino({ base: { hostname: 'box-1' } }, stream);
    log.info({ user: 'alice' }, 'alice signed in');
    log.warn({ user: 'bob' }, 'bob failed to sign in');
    const result = await waitFor('{app="billing"}', 2);
    stream.end();
    const lines = result.flatMap((x) => x.values.map((v) => JSON.parse(v[1]) as { msg: string; user: string }));
    expect(lines.map((l) => l.msg).sort()).toEqual(['alice signed in', 'bob failed to sign in']);
    const labels = result.map((x) => x.stream);
    expect(labels.every((l) => l.app === 'billing' && l.hostname === 'box-1')).toBe(true);
    expect(labels.map((l) => l.level).sort()).toEqual(['info', 'warning']);
    // `| json` over the line as sent, as a dashboard written for Loki would
    const parsed = await waitFor('{app="billing"} | json | user="bob"', 1);
    expect(parsed.flatMap((x) => x.values)).toHaveLength(1);
  });

  it('winston-loki (protobuf + snappy, basic auth) — lines readable through the Loki API and /api/v1/query', async () => {
    const transport = new LokiTransport({
      host: s.url,
      basicAuth: `tenant-b:${ingestToken}`,
      labels: { job: 'orders' },
      batching: false,
      onConnectionError: (err: unknown) => {
        throw err;
      },
    });
    const log = winston.createLogger({ transports: [transport] });
    log.info('order 17 created by carol');
    log.error('order 18 refused for dave');
    const result = await waitFor('{job="orders"}', 2);
    const lines = result.flatMap((x) => x.values.map((v) => v[1])).sort();
    // winston-loki's line is `message {json meta}`, kept as sent
    expect(lines).toEqual(['order 17 created by carol {"level":"info"}', 'order 18 refused for dave {"level":"error"}']);
    expect(result.map((x) => x.stream.level).sort()).toEqual(['error', 'info']);
    transport.close?.();

    // Vigil's own view (`vigil query --server … '{dataset="generic.log"} |= "carol"'`): the ECS event, with the pushed labels.
    const res = await s.call(`/api/v1/query?query=${encodeURIComponent('{dataset="generic.log"} |= "order 17"')}&since=1h`);
    expect(res.status).toBe(200);
    const { events } = (await res.json()) as { events: { message: string; labels: Record<string, string> }[] };
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ message: 'order 17 created by carol {"level":"info"}', labels: { job: 'orders', level: 'info' } });
  });
});

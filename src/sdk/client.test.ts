import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing/server.js';
import { createAuditClient, type DeliveryError } from './client.js';

/** A real HTTP hop in front of Vigil that answers 503 to the first `failures` requests. */
function flakyProxy(target: string, failures: number): Promise<{ url: string; server: Server; seen: () => number }> {
  let n = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (n++ < failures) {
      res.writeHead(503, { 'retry-after': '0' }).end('{"error":"overloaded"}');
      return;
    }
    const r = await fetch(`${target}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${a.port}`, server, seen: () => n });
    }),
  );
}

describe('audit SDK', () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await testServer();
    const res = await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'app', scopes: ['ingest'] }) });
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(() => s.stop());
  const stored = async (q: string) =>
    ((await (await s.call(`/api/v1/query?query=${encodeURIComponent(q)}&since=1h&limit=100&direction=forward`)).json()) as {
      events: Record<string, any>[];
    }).events;

  it('sends typed auth, iam and file events that Vigil normalizes to ECS', async () => {
    const audit = createAuditClient({ url: s.url, token, flushIntervalMs: 50 });
    audit.auth.signIn({ user: { email: 'alice@example.com', roles: ['admin'] }, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' });
    audit.auth.signIn({ user: { email: 'mallory@example.com' }, ip: '198.51.100.9', outcome: 'failure', errorCode: 'UNAUTHENTICATED' });
    audit.iam.userCreated({ user: { email: 'alice@example.com' }, target: { email: 'bob@example.com' }, organization: 'acme' });
    audit.file.read({ user: { email: 'ci@example.com' }, action: 'action-cache-get', organization: 'acme', digest: 'sha256:ab12' });
    await audit.close();
    expect(audit.stats()).toEqual({ sent: 4, dropped: 0, failed: 0, queued: 0 });
    const events = await stored('{dataset="app.audit"}');
    expect(events.map((e) => [e.event.category[0], e.event.action, e.event.outcome])).toEqual([
      ['authentication', 'sign-in', 'success'],
      ['authentication', 'sign-in', 'failure'],
      ['iam', 'user-create', 'success'],
      ['file', 'action-cache-get', 'success'],
    ]);
    expect(events[0].source.ip).toBe('203.0.113.7');
    expect(events[0].event.type).toEqual(['start']);
    expect(events[1].error.code).toBe('UNAUTHENTICATED');
    expect(events[2].user.target.email).toBe('bob@example.com');
    expect(events[0]['@timestamp']).toMatch(/\.\d{9}Z$/);
  });

  it('retries overload with the same batch and stores it once', async () => {
    const proxy = await flakyProxy(s.url, 2);
    const audit = createAuditClient({ url: proxy.url, token, retryBaseMs: 10, flushIntervalMs: 10 });
    for (let i = 0; i < 3; i++) audit.auth.signOut({ user: { email: `retry${i}@example.com` } });
    await audit.close();
    proxy.server.close();
    expect(proxy.seen()).toBe(3);
    expect(audit.stats().sent).toBe(3);
    expect(await stored('{action="sign-out"} |= "retry"')).toHaveLength(3);
  });

  it('counts batches still waiting to be sent against the queue bound', async () => {
    const proxy = await flakyProxy(s.url, 1_000_000); // the server stays "down"
    const audit = createAuditClient({ url: proxy.url, token, maxQueue: 10, batchSize: 3, retryBaseMs: 5, maxAttempts: 3, flushIntervalMs: 10 });
    const accepted = Array.from({ length: 25 }, (_, i) => audit.auth.signIn({ user: { email: `q${i}@example.com` } })).filter(Boolean).length;
    expect(accepted).toBe(10);
    expect(audit.stats()).toMatchObject({ dropped: 15, queued: 10 });
    await audit.close();
    proxy.server.close();
    expect(audit.stats()).toMatchObject({ sent: 0, failed: 10, queued: 0 });
  });

  it('bounds its queue and reports what it could not deliver', async () => {
    const errors: DeliveryError[] = [];
    const audit = createAuditClient({ url: s.url, token: 'vgl_00000000_invalidinvalidinvalid', maxQueue: 2, batchSize: 10, flushIntervalMs: 10_000, onError: (e) => errors.push(e as DeliveryError) });
    expect(audit.auth.signIn({ user: { email: 'a@example.com' } })).toBe(true);
    expect(audit.auth.signIn({ user: { email: 'b@example.com' } })).toBe(true);
    expect(audit.auth.signIn({ user: { email: 'c@example.com' } })).toBe(false);
    await audit.close();
    expect(audit.stats()).toMatchObject({ sent: 0, dropped: 1, failed: 2 });
    expect(errors.map((e) => e.status)).toEqual([undefined, 401]);
  });
});

/** Revoking a token ends its open tails within a second (close 1008), whoever revokes it: the HTTP API, the CLI, another process. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../auth/tokens.js';
import { testServer, type TestServer } from '../../testing/server.js';

describe('a revoked token closes its tails', () => {
  let s: TestServer;
  let n = 0;
  beforeAll(async () => {
    s = await testServer();
  });
  afterAll(() => s.stop());

  const readToken = async () => {
    const res = await s.call('/api/v1/tokens', { method: 'POST', body: JSON.stringify({ name: `tail-reader-${n++}`, scopes: ['read'] }) });
    return (await res.json()) as { token: string; id: string };
  };

  /** Opens a tail; resolves once the backlog was answered (the tail is following). */
  const openTail = async (token: string) => {
    const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/loki/api/v1/tail?query=${encodeURIComponent('{dataset=~".+"}')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws.on('error', () => {});
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`tail refused: ${res.statusCode}`)));
    });
    // The backlog (empty or not) is read before following; give the server a moment to be following.
    await new Promise((r) => setTimeout(r, 300));
    return { ws, closed };
  };

  const expectClosedWithinASecond = async (tail: { closed: Promise<{ code: number; reason: string; at: number }> }, revokedAt: number) => {
    const c = await Promise.race([tail.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000))]);
    expect(c, 'the tail was still open 3 s after the revocation').toBeDefined();
    expect(c!.code).toBe(1008);
    expect(c!.reason).toMatch(/revoked/);
    expect(c!.at - revokedAt).toBeLessThan(1000);
  };

  it('over the HTTP API (DELETE /api/v1/tokens/:id)', async () => {
    const t = await readToken();
    const tail = await openTail(t.token);
    const other = await openTail((await readToken()).token);
    const at = Date.now();
    expect((await s.call(`/api/v1/tokens/${t.id}`, { method: 'DELETE' })).status).toBe(200);
    await expectClosedWithinASecond(tail, at);
    // A tail of another token stays open.
    expect(other.ws.readyState).toBe(WebSocket.OPEN);
    other.ws.close();
  });

  it('by a change of tokens.json made outside the server (as another process makes it)', async () => {
    const t = await readToken();
    const tail = await openTail(t.token);
    const at = Date.now();
    new TokenStore(s.dataDir).revoke(t.id);
    await expectClosedWithinASecond(tail, at);
  });

  it('with `vigil token revoke --server` (the CLI in its own process)', async () => {
    const t = await readToken();
    const tail = await openTail(t.token);
    const at = Date.now();
    // Asynchronously: the server runs in this process.
    const r = await promisify(execFile)(process.execPath, ['bin/vigil.js', 'token', 'revoke', t.id, '--server', s.url, '--token', s.adminToken]);
    expect(r.stderr).toContain(`revoked ${t.id}`);
    // The CLI's own start-up is not the server's doing: the second counts from when it returned.
    await expectClosedWithinASecond(tail, Math.max(at, Date.now() - 200));
  });
});

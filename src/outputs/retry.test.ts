import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { backoffMs, isRetriable, retryAfterMs, retryDelayMs } from './retry.js';

const answer = (status: number, retryAfter?: string) => new Response(null, { status, headers: retryAfter ? { 'retry-after': retryAfter } : {} });
const coded = (code: string) => Object.assign(new Error(code), { code });

describe('isRetriable', () => {
  it('retries 429 and 5xx answers only', () => {
    expect([200, 400, 401, 404, 413, 429, 500, 502, 503].filter((s) => isRetriable(answer(s)))).toEqual([429, 500, 502, 503]);
  });

  it('retries connection errors and timeouts, also wrapped in a cause', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) expect(isRetriable(coded(code))).toBe(true);
    expect(isRetriable(new TypeError('fetch failed', { cause: coded('ECONNRESET') }))).toBe(true);
    expect(isRetriable(new DOMException('timed out', 'TimeoutError'))).toBe(true);
    expect(isRetriable(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isRetriable(Object.assign(new DOMException('aborted', 'AbortError'), { cause: new DOMException('t', 'TimeoutError') }))).toBe(true);
    expect(isRetriable(coded('ENOENT'))).toBe(false);
    expect(isRetriable(new Error('bad request'))).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
  });

  it('classifies what fetch really throws for a refused connection and a timeout', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r)); // nothing listens there now
    const refused = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(isRetriable(refused)).toBe(true);

    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/`;
    const timedOut = await fetch(url, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    silent.close();
    expect(isRetriable(timedOut)).toBe(true);
  });
});

describe('retry delays', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    const b = { baseMs: 100, capMs: 1000 };
    expect([0, 1, 2, 3, 10].map((n) => backoffMs(n, b, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffMs(5, b, () => 0)).toBe(0);
  });

  it('prefers the answer\'s Retry-After', () => {
    const b = { baseMs: 100, capMs: 1000 };
    expect(retryDelayMs(4, b, answer(503, '2'))).toBe(2000);
    expect(retryDelayMs(4, b, answer(503))).toBeLessThan(1000);
  });
});

/**
 * The one retry rule of everything that sends to a server: outputs, the SDK
 * (`vigil/sdk`) and `vigil ingest --server`. Node built-ins only, so the SDK
 * can import it without pulling the rest of Vigil in.
 */

/** What an HTTP answer offers the rule (a fetch `Response` is one). */
export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
}

/** Exponential backoff: the n-th retry waits a random time below min(capMs, baseMs·2ⁿ). */
export interface Backoff {
  baseMs: number;
  capMs: number;
}

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  // undici (fetch) transport failures; its other UND_ERR_* codes are caller errors.
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const isAnswer = (x: unknown): x is HttpAnswer =>
  typeof x === 'object' && x !== null && typeof (x as HttpAnswer).status === 'number' && typeof (x as HttpAnswer).headers?.get === 'function';

/** Whether repeating may succeed: HTTP 429 or 5xx, a timeout, or a connection error (anywhere in the `cause` chain, as fetch wraps them). */
export function isRetriable(failure: unknown): boolean {
  if (isAnswer(failure)) return failure.status === 429 || failure.status >= 500;
  for (let e = failure, depth = 0; typeof e === 'object' && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (name === 'TimeoutError' || (typeof code === 'string' && CONNECTION_CODES.has(code))) return true;
  }
  return false;
}

/** Milliseconds a Retry-After value asks to wait (delay-seconds or an HTTP date), or undefined when absent or malformed. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): spreads clients that failed together. */
export const backoffMs = (retry: number, b: Backoff, random = Math.random): number =>
  Math.floor(random() * Math.min(b.capMs, b.baseMs * 2 ** retry));

/** How long to wait before retry number `retry` (0 first): the answer's Retry-After if it has one, else backoff. */
export const retryDelayMs = (retry: number, b: Backoff, answer?: HttpAnswer): number =>
  retryAfterMs(answer?.headers.get('retry-after')) ?? backoffMs(retry, b);

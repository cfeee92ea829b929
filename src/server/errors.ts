/**
 * The one error catalogue of Vigil's own routes: every error answer is
 * `{"error": "<code>", "message": "…"}` with a code from here (listed in
 * docs/http-api.md). Loki routes answer Loki's own bodies instead, so that
 * Loki clients understand them.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, means: 'the request is malformed: a parameter, header or body names what is wrong' },
  bad_query: { status: 400, means: 'the LogQL query or its time range does not parse or cannot run, with line and column' },
  unauthorized: { status: 401, means: 'no bearer token, or one that is invalid or revoked' },
  forbidden: { status: 403, means: "the token lacks the route's scope" },
  not_found: { status: 404, means: 'no such route, token or checkpoint' },
  conflict: { status: 409, means: 'the state of the log does not allow it (e.g. no checkpoint yet, sealing off, a duplicate token name)' },
  payload_too_large: { status: 413, means: 'the body, or its decompressed form, exceeds the limit' },
  unsupported_media_type: { status: 415, means: 'a Content-Type or Content-Encoding the route does not take' },
  idempotency_key_reused: { status: 422, means: 'the Idempotency-Key was used before, by this token on this route, with a different body: nothing was stored; use a new key for new content' },
  too_many_requests: { status: 429, means: 'this token already runs as many exports as it may at once; retry when one has finished' },
  too_many_queries: { status: 429, means: 'query.max_concurrent queries are running and none finished within query.max_queue_wait; retry after Retry-After' },
  internal: { status: 500, means: 'a fault of the server; the message says no more, the server log has it' },
  overloaded: { status: 503, means: 'the ingest queue is full or the server is stopping; retry after Retry-After' },
  query_timeout: { status: 504, means: 'the query ran past query.timeout and was cancelled; narrow its time range or selector' },
  insufficient_storage: { status: 507, means: 'the data volume is full: nothing was stored; retry after Retry-After once space is freed' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error a route raises on purpose: answered with its code's status and this message. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

const BY_STATUS = new Map<number, ErrorCode>(
  (Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][]).filter(([c]) => c !== 'bad_query').map(([c, { status }]) => [status, c]),
);

/** The catalogue code for an HTTP status that Fastify or a plugin raised (413 for an oversized body, …). */
export function codeForStatus(status: number): ErrorCode {
  return BY_STATUS.get(status) ?? (status >= 500 ? 'internal' : 'bad_request');
}

/** The error body of a Vigil route. */
export const errorBody = (code: ErrorCode, message: string) => ({ error: code, message });

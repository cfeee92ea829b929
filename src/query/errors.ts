/** A LogQL error with its position, worded like Loki's (`parse error at line 1, col 17: …`). */
export class QueryParseError extends Error {
  override readonly name = 'QueryParseError';
  constructor(
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    // Loki prints errors without a position (semantic checks) as `parse error : …`.
    super(line === 0 ? `parse error : ${reason}` : `parse error at line ${line}, col ${col}: ${reason}`);
  }

  static at(query: string, offset: number, reason: string): QueryParseError {
    const before = query.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return new QueryParseError(line, col, reason);
  }

  /** An error found after parsing, without a position (as Loki reports them). */
  static semantic(reason: string): QueryParseError {
    return new QueryParseError(0, 0, reason);
  }
}

/** A bad query parameter (time, limit, direction). */
export class QueryArgumentError extends Error {
  override readonly name = 'QueryArgumentError';
}

/** A query that is valid but too expensive or unsupported at run time (Loki answers 400 too). */
export class QueryLimitError extends Error {
  override readonly name = 'QueryLimitError';
}

/** Whether an error is the caller's fault (HTTP 400, CLI exit 2). */
export const isClientError = (err: unknown) =>
  err instanceof QueryParseError || err instanceof QueryArgumentError || err instanceof QueryLimitError;

/** A query cancelled at its deadline (`query.timeout`); Loki answers 504 with this text. */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
  constructor() {
    super('request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed');
  }
}

/** A query refused because `query.max_concurrent` queries run and the queue wait ran out; Loki answers 429 with this text. */
export class QueryRejectedError extends Error {
  override readonly name = 'QueryRejectedError';
  constructor(readonly retryAfterSeconds: number) {
    super('too many outstanding requests');
  }
}

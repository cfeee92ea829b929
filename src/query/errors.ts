/** A LogQL error with its position, worded like Loki's (`parse error at line 1, col 17: …`). */
export class QueryParseError extends Error {
  override readonly name = 'QueryParseError';
  constructor(
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    super(`parse error at line ${line}, col ${col}: ${reason}`);
  }

  static at(query: string, offset: number, reason: string): QueryParseError {
    const before = query.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return new QueryParseError(line, col, reason);
  }
}

/** A bad query parameter (time, limit, direction). */
export class QueryArgumentError extends Error {
  override readonly name = 'QueryArgumentError';
}

/** Whether an error is the caller's fault (HTTP 400, CLI exit 2). */
export const isClientError = (err: unknown) => err instanceof QueryParseError || err instanceof QueryArgumentError;

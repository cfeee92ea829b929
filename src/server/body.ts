/** Request bodies: raw bytes for every content type (sources decompress them: src/sources/http-body.ts); HttpError for a route's 4xx. */
import type { FastifyInstance } from 'fastify';

/** Raised by routes that have not moved to the error catalogue (errors.ts) yet; answered with the code of its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Makes every body arrive as a Buffer; Fastify enforces `bodyLimit` on the wire bytes (413). */
export function registerRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

/** Request bodies: raw bytes for every content type, gunzipped with the same size cap. */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

const gunzipAsync = promisify(gunzip);

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

/** The request body, decompressed per Content-Encoding, never larger than `limit` bytes. */
export async function bodyOf(req: FastifyRequest, limit: number): Promise<Buffer> {
  const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new ApiError('unsupported_media_type', `unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or none`);
  }
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /too large|maxOutputLength/i.test((err as Error).message)) {
      throw new ApiError('payload_too_large', `decompressed body exceeds the limit of ${limit} bytes`);
    }
    throw new ApiError('bad_request', `invalid gzip body: ${(err as Error).message}`);
  }
}

/** Request bodies of HTTP sources: decompressed per Content-Encoding, never larger than the limit. */
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyRequest } from 'fastify';
import { IngestError } from '../ingest/errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** The raw body as the server received it (every content type arrives as a Buffer). */
export const rawBody = (req: FastifyRequest): Buffer => (req.body as Buffer | undefined) ?? Buffer.alloc(0);

const tooLarge = (limit: number) => new IngestError('too-large', `decompressed body exceeds the limit of ${limit} bytes`);

const isTooLarge = (err: unknown) =>
  (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /too large|maxOutputLength/i.test((err as Error).message);

/** The request body, gunzipped per Content-Encoding (gzip or none), never larger than `limit` bytes. */
export async function bodyOf(req: FastifyRequest, limit: number): Promise<Buffer> {
  const body = rawBody(req);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new IngestError('unsupported-encoding', `unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or none`);
  }
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (err) {
    if (isTooLarge(err)) throw tooLarge(limit);
    throw new IngestError('bad-body', `invalid gzip body: ${(err as Error).message}`);
  }
}

/** A deflate (zlib) body, never larger than `limit` bytes once inflated. */
export async function inflated(body: Buffer, limit: number): Promise<Buffer> {
  try {
    return await inflateAsync(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new IngestError('bad-body', `invalid deflate body: ${(err as Error).message}`);
  }
}

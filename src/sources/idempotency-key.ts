/**
 * An `Idempotency-Key` as the store records it: scoped to the route and to
 * the sender (its token, or its client certificate's name), so one sender
 * reusing another's key, or a Loki push reusing an `/api/v1/events` key,
 * cannot answer for (and lose) the other's batch.
 */
import type { FastifyRequest } from 'fastify';

export function scopedKey(req: FastifyRequest, route: string, key: string): string {
  const sender = req.principal.tokenId || req.principal.name;
  // The sender's length first: no name can make two scopes read alike.
  return `${route}:${sender.length}:${sender}:${key}`;
}

/** The request's `Idempotency-Key` header, scoped; undefined when it has none. */
export function idempotencyKeyOf(req: FastifyRequest, route: string): string | undefined {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key !== '' ? scopedKey(req, route, key) : undefined;
}

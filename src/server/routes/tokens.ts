/** Token administration over HTTP (scope admin): create, list, revoke; each change is audited. */
import type { FastifyInstance } from 'fastify';
import { isScope, SCOPES, type Scope, type TokenStore } from '../../auth/tokens.js';
import type { AccessLog } from '../access-log.js';
import { ApiError } from '../errors.js';

export function tokenRoutes(app: FastifyInstance, deps: { tokens: TokenStore; access: AccessLog }): void {
  app.get('/api/v1/tokens', { config: { scope: 'admin' } }, async () => ({
    tokens: deps.tokens.list().map(({ hash: _hash, ...rest }) => rest),
  }));

  app.post('/api/v1/tokens', { config: { scope: 'admin' } }, async (req, reply) => {
    let body: { name?: unknown; scopes?: unknown };
    try {
      body = JSON.parse((req.body as Buffer).toString('utf8'));
    } catch {
      throw new ApiError('bad_request', 'body must be JSON: {"name": "...", "scopes": ["read"]}');
    }
    const scopes = body.scopes;
    if (typeof body.name !== 'string' || body.name === '') throw new ApiError('bad_request', 'name: a non-empty string is required');
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && isScope(s))) {
      throw new ApiError('bad_request', `scopes: a list of ${SCOPES.join(', ')} is required`);
    }
    let created;
    try {
      created = deps.tokens.create(body.name, scopes as Scope[]);
    } catch (err) {
      throw new ApiError('conflict', (err as Error).message);
    }
    const { hash: _hash, ...record } = created.record;
    await deps.access.admin(req, { action: 'token-create', targetToken: record });
    return reply.code(201).send({ token: created.token, ...record });
  });

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', { config: { scope: 'admin' } }, async (req) => {
    let revoked;
    try {
      revoked = deps.tokens.revoke(req.params.id);
    } catch (err) {
      throw new ApiError('not_found', (err as Error).message);
    }
    const { hash: _hash, ...record } = revoked;
    await deps.access.admin(req, { action: 'token-revoke', targetToken: record });
    return record;
  });
}

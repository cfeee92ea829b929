/**
 * Authentication for every route unless it opts out: a bearer token (or HTTP
 * basic auth with the token as password, as Grafana and Loki clients send it)
 * with the scope the route asks for. 401 without a valid token, 403 with the
 * wrong scope; each refusal is handed to `denied` (audited, aggregated per
 * source: denied-access.ts).
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allows, type Principal, type Scope, type TokenStore } from '../auth/tokens.js';
import type { Denial } from './denied-access.js';
import { errorBody } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Scope the route needs; `public` for health probes; `any` for any valid token. */
    scope?: Scope | 'public' | 'any';
  }
}

export const ANONYMOUS: Principal = { tokenId: '', name: 'anonymous', scopes: ['admin'] };

function presentedToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const [kind, value = ''] = h.split(' ', 2);
  if (/^bearer$/i.test(kind)) return value.trim();
  if (/^basic$/i.test(kind)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

/** The principal of a verified TLS client certificate: it may ingest, nothing else. */
function certificatePrincipal(req: FastifyRequest): Principal | undefined {
  const socket = req.raw.socket as TLSSocket;
  if (!socket.encrypted || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  return { tokenId: '', name: `cert:${name ?? cert?.fingerprint256 ?? 'unknown'}`, scopes: ['ingest'] };
}

/** The path asked for, as recorded with a refusal (bounded: it is the caller's text). */
const routeOf = (req: FastifyRequest) => (req.routeOptions.url ?? req.url.split('?')[0]).slice(0, 200);

export function registerAuth(app: FastifyInstance, tokens: TokenStore | undefined, clientCerts = false, denied?: (d: Denial) => void): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (req, reply) => {
    const scope = req.routeOptions.config?.scope;
    if (scope === 'public') return;
    if (!tokens) {
      req.principal = ANONYMOUS;
      return;
    }
    const token = presentedToken(req);
    const principal = token ? tokens.authenticate(token) : clientCerts ? certificatePrincipal(req) : undefined;
    if (!principal) {
      const reason = token ? 'invalid or revoked token' : 'a bearer token is required';
      denied?.({ status: 401, reason, sourceIp: req.ip, route: routeOf(req), actor: { name: 'unauthenticated', scopes: [] } });
      reply.header('www-authenticate', 'Bearer realm="vigil"');
      return reply.code(401).send(errorBody('unauthorized', reason));
    }
    req.principal = principal;
    // Routes without a declared scope (including unknown paths) need admin.
    const needed = scope ?? 'admin';
    if (needed !== 'any' && !allows(principal, needed)) {
      const reason = `this route needs a token with scope ${needed}`;
      const actor = { name: principal.name, id: principal.tokenId || undefined, scopes: principal.scopes };
      denied?.({ status: 403, reason, sourceIp: req.ip, route: routeOf(req), actor });
      return reply.code(403).send(errorBody('forbidden', reason));
    }
  });
}

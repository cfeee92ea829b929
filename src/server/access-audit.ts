/**
 * Reading the audit log is itself audited: every read attempt that reaches a
 * route (with its outcome), every token change, and every rejected credential
 * (aggregated per source: denied-access.ts) becomes an event of dataset
 * `vigil.access` in the store.
 */
import type { AuditEvent } from '../model/event.js';
import { formatNs, nowNs } from '../model/time.js';

export interface AccessRecord {
  /** `query`, `export`, `token-create`, `token-revoke`, `auth-denied`, … */
  action: string;
  outcome: 'success' | 'failure';
  actor: { name: string; id?: string; scopes: string[] };
  sourceIp?: string;
  userAgent?: string;
  route: string;
  query?: string;
  results?: number;
  /** For token changes: the token acted upon. */
  targetToken?: { name: string; id: string; scopes: string[] };
  reason?: string;
  /** The HTTP status answered (auth-denied: 401 or 403). */
  status?: number;
  /** How many attempts the record stands for (auth-denied: one record per source and window). */
  count?: number;
}

export function accessEvent(r: AccessRecord): AuditEvent {
  const isToken = r.action.startsWith('token-');
  const isAuth = r.action === 'auth-denied';
  const e: AuditEvent = {
    '@timestamp': formatNs(nowNs()),
    event: {
      kind: 'event',
      category: isToken ? ['iam'] : isAuth ? ['authentication'] : ['database'],
      type: isToken ? [r.action === 'token-create' ? 'creation' : 'deletion'] : isAuth ? ['start'] : ['access'],
      action: r.action,
      outcome: r.outcome,
      dataset: 'vigil.access',
      module: 'vigil',
      provider: 'vigil',
      ...(r.reason ? { reason: r.reason } : {}),
    },
    user: {
      name: r.actor.name,
      ...(r.actor.id ? { id: r.actor.id } : {}),
      roles: r.actor.scopes,
      ...(r.targetToken ? { target: { name: r.targetToken.name, id: r.targetToken.id, roles: r.targetToken.scopes } } : {}),
    },
    url: { path: r.route },
    access: {
      route: r.route,
      scope: r.actor.scopes.join(','),
      ...(r.query !== undefined ? { query: r.query } : {}),
      ...(r.results !== undefined ? { results: r.results } : {}),
      ...(r.count !== undefined ? { count: r.count } : {}),
    },
  };
  if (r.status !== undefined) e.http = { response: { status_code: r.status } };
  if (r.sourceIp) e.source = { ip: r.sourceIp };
  if (r.userAgent) e.user_agent = { original: r.userAgent };
  return e;
}

/**
 * Reading the audit log is itself audited: every authenticated read and every
 * token change becomes an event of dataset `vigil.access` in the store.
 */
import type { AuditEvent } from '../model/event.js';
import { formatNs, nowNs } from '../model/time.js';

export interface AccessRecord {
  /** `query`, `export`, `token-create`, `token-revoke`, … */
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
}

export function accessEvent(r: AccessRecord): AuditEvent {
  const isToken = r.action.startsWith('token-');
  const e: AuditEvent = {
    '@timestamp': formatNs(nowNs()),
    event: {
      kind: 'event',
      category: isToken ? ['iam'] : ['database'],
      type: isToken ? [r.action === 'token-create' ? 'creation' : 'deletion'] : ['access'],
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
    },
  };
  if (r.sourceIp) e.source = { ip: r.sourceIp };
  if (r.userAgent) e.user_agent = { original: r.userAgent };
  return e;
}

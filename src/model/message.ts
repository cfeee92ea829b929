/** The one-line human summary of an event: `<actor> <action> <target> (<outcome>)`. */
import type { AuditEvent } from './event.js';

export function actorOf(e: AuditEvent): string {
  const u = e.user;
  if (u?.name) return u.name;
  if (u?.email) return u.email;
  if (u?.id) return `uid=${u.id}`;
  return '-';
}

/** What was acted upon, as the event's own fields best say it. */
export function targetOf(e: AuditEvent): string | undefined {
  const t = e.user?.target;
  const o = e.orchestrator;
  if (o?.resource?.type) {
    return [o.namespace, o.resource.type, o.resource.name].filter(Boolean).join('/');
  }
  return (
    e.url?.path ??
    e.url?.original ??
    e.file?.path ??
    (e.process?.args?.length ? e.process.args.join(' ') : undefined) ??
    t?.name ??
    t?.email ??
    e.organization?.id
  );
}

export function summarize(e: AuditEvent): string {
  const action = e.event?.action ?? e.event?.type?.join(',') ?? 'event';
  const target = targetOf(e);
  const outcome = e.event?.outcome ?? 'unknown';
  return `${actorOf(e)} ${action}${target ? ` ${target}` : ''} (${outcome})`;
}

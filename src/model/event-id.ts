/**
 * A stable id for events that arrive without `event.id`: a hash of the
 * event's canonical (RFC 8785) form, so the same event sent twice, in any key
 * order, gets the same id. `event.ingested` is left out: it differs per send.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { AuditEvent } from './event.js';

export function contentId(e: AuditEvent): string {
  const ev = e.event;
  let copy: AuditEvent = e;
  if (ev && (ev.id !== undefined || ev.ingested !== undefined)) {
    const { id: _id, ingested: _ingested, ...rest } = ev;
    copy = { ...e, event: rest };
  }
  return createHash('sha256').update(canonicalJson(copy)).digest('hex').slice(0, 32);
}

/**
 * A stable id for events that arrive without `event.id`: the SHA-256 of the
 * record as received (its original text when there is one, else its JSON
 * serialization), so a resent record gets the same id and can be recognised.
 * Hashing the received bytes costs a fraction of canonicalizing the event.
 */
import { hash } from 'node:crypto';
import type { AuditEvent } from './event.js';

export function contentId(e: AuditEvent, receivedText?: string): string {
  return hash('sha256', receivedText ?? JSON.stringify(e), 'hex').slice(0, 32);
}

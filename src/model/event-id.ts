/**
 * A stable id for events that arrive without `event.id`: the SHA-256 of the
 * record as received (its original text when there is one, else its JSON
 * serialization), so a resent record gets the same id and can be recognised.
 * Hashing the received bytes costs a fraction of canonicalizing the event.
 */
import { hash } from 'node:crypto';
import { hashSlices } from '../integrity/leaf-hashes.js';
import type { AuditEvent } from './event.js';

/** Hex digits of the SHA-256 an id keeps. */
const ID_HEX = 32;

export function contentId(e: AuditEvent, receivedText?: string): string {
  return hash('sha256', receivedText ?? JSON.stringify(e), 'hex').slice(0, ID_HEX);
}

/**
 * The ids of many records at once, each `source[starts[i], ends[i])` being a
 * record's UTF-8 as received: the same ids as contentId of its text, hashed
 * together in WebAssembly (NDJSON decoding, where most of the per-id cost of
 * node:crypto is its per-call overhead).
 */
export function contentIds(source: Uint8Array, starts: ArrayLike<number>, ends: ArrayLike<number>, n: number): string[] {
  const digests = Buffer.from(hashSlices(source, starts, ends, n).buffer);
  const hex = digests.toString('hex');
  const ids: string[] = new Array(n);
  for (let i = 0; i < n; i++) ids[i] = hex.slice(64 * i, 64 * i + ID_HEX);
  return ids;
}

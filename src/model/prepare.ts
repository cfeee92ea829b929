/**
 * Turns a validated ECS object into the form the store writes: the completed
 * event (defaults, id, summary, related.*) plus the values of the typed
 * filter columns. The caller supplies the ingest time. On the ingest path the
 * encoder (src/model/encoded.ts) writes the stored document right away, so
 * the parsed object dies young (cheap for the garbage collector).
 */
import { canonicalJson } from './canonical.js';
import type { AuditEvent } from './event.js';
import { contentId } from './event-id.js';
import { summarize, targetOf } from './message.js';
import { formatNs, parseRfc3339 } from './time.js';

export interface PreparedEvent {
  /**
   * The completed event. The stored document is its RFC 8785 (JCS) canonical
   * JSON, which is also the byte string the integrity layer seals (leaf hash
   * = SHA-256(0x00 || doc)), so sealing never serializes the event again.
   */
  event: AuditEvent;
  /** The stored document as text, when a producer already holds it; else the encoder writes it from `event`. */
  doc?: string;
  ts: bigint;
  /** `event.id`, given or derived. */
  id: string;
  /** `event.module`: which format decoded the event. */
  module: string | null;
  dataset: string | null;
  category: string[] | null;
  action: string | null;
  outcome: string | null;
  userName: string | null;
  userEmail: string | null;
  sourceIp: string | null;
  target: string | null;
  namespace: string | null;
  host: string | null;
}

/** The ingest time of a batch, formatted once for all its events. */
export interface Ingested {
  ns: bigint;
  iso: string;
}

export const ingestedAt = (ns: bigint): Ingested => ({ ns, iso: formatNs(ns) });

function pushUnique(list: string[], value: unknown): void {
  if (typeof value === 'string' && value !== '' && !list.includes(value)) list.push(value);
}

/** Fills `related.ip` and `related.user` from the fields that name addresses and users. */
function fillRelated(e: AuditEvent): void {
  const ips = [...(e.related?.ip ?? [])];
  for (const ip of [e.source?.ip, e.client?.ip, e.destination?.ip]) pushUnique(ips, ip);
  const users = [...(e.related?.user ?? [])];
  const u = e.user;
  for (const v of [u?.name, u?.email, u?.id, u?.target?.name, u?.target?.email, u?.effective?.name]) {
    pushUnique(users, v);
  }
  if (ips.length === 0 && users.length === 0) return;
  e.related = { ...e.related };
  if (ips.length) e.related.ip = ips;
  if (users.length) e.related.user = users;
}

/**
 * Completes an event in place and returns its stored form. `raw` must have
 * passed `validateEvent`; `receivedText` is the record as it arrived, which a
 * missing `event.id` is derived from (`derivedId`: already derived from it).
 */
export function prepareEvent(raw: AuditEvent, ingested: Ingested, receivedText?: string, derivedId?: string): PreparedEvent {
  const e = raw;
  const id = (e.event?.id as string | undefined) ?? derivedId ?? contentId(e, receivedText);
  const time = parseRfc3339(e['@timestamp'])!;
  e['@timestamp'] = time.iso;
  const ev = (e.event ??= {});
  ev.kind ??= 'event';
  ev.outcome ??= 'unknown';
  if (e.message === undefined) e.message = summarize(e);
  fillRelated(e);
  ev.id = id;
  ev.ingested = ingested.iso;
  // `vigil` is Vigil's own namespace (seq, leaf hash), added on read; one that
  // arrives (say, in events exported from another store) is not part of the event.
  if (e.vigil !== undefined) delete e.vigil;
  const u = e.user;
  return {
    event: e,
    ts: time.ns,
    id,
    module: ev.module ?? null,
    dataset: ev.dataset ?? null,
    category: ev.category?.length ? ev.category : null,
    action: ev.action ?? null,
    outcome: ev.outcome ?? null,
    userName: u?.name ?? null,
    userEmail: u?.email ?? null,
    sourceIp: e.source?.ip ?? null,
    target: targetOf(e) ?? null,
    namespace: e.orchestrator?.namespace ?? null,
    host: e.host?.name ?? null,
  };
}

/** The document a prepared event is stored as. */
export const docOf = (p: PreparedEvent): string => p.doc ?? canonicalJson(p.event);

/**
 * `ecs`: documents that are already ECS (Vigil's own output, another
 * normalizer's, an SDK that writes ECS). They pass through as sent; the
 * common rules fill what is missing (`ecs.version`, `event.kind`,
 * `event.outcome`, `event.original`, `message`, `related.*`), empty values are
 * dropped, `@timestamp` is written in UTC, and the result must pass the event
 * schema and ECS's allowed categorization values, or the record is rejected
 * with the offending field path.
 */
import type { AuditEvent } from '../model/event.js';
import { summarize } from '../model/message.js';
import { validateEvent } from '../model/validate.js';
import {
  clean, ECS_CATEGORIES, ECS_TYPES, ECS_VERSION, hasKey, ipOf, isObj, jsonFormat, looksLikeObject,
  pushUnique, rfc3339, typeError, type Obj,
} from './common.js';
import { FormatError } from './format.js';

function checkAllowed(list: string[] | undefined, field: string, allowed: ReadonlySet<string>): void {
  if (!list) return;
  for (let i = 0; i < list.length; i++) {
    if (!allowed.has(list[i])) {
      throw new FormatError(`is not an ECS 8.11 ${field} value: ${JSON.stringify(list[i])}`, `event.${field}[${i}]`);
    }
  }
}

/** Every `*.ip` field must hold IPs (written in RFC 5952 form for IPv6). */
function checkIps(e: AuditEvent): void {
  for (const f of ['source', 'destination', 'client'] as const) {
    const o = e[f] as { ip?: string } | undefined;
    if (o?.ip === undefined) continue;
    const ip = ipOf(o.ip);
    if (ip === undefined) throw new FormatError(`is not an IP address: ${JSON.stringify(o.ip.slice(0, 64))}`, `${f}.ip`);
    o.ip = ip;
  }
  for (const [f, list] of [['related.ip', e.related?.ip], ['host.ip', e.host?.ip]] as const) {
    list?.forEach((v, i) => {
      const ip = ipOf(v);
      if (ip === undefined) throw new FormatError(`is not an IP address: ${JSON.stringify(v.slice(0, 64))}`, `${f}[${i}]`);
      list[i] = ip;
    });
  }
}

/** `related.ip` / `related.user`: the given lists de-duplicated, then the event's own addresses and users. */
function fillRelated(e: AuditEvent): void {
  const r = e.related;
  const ips: string[] = [];
  const users: string[] = [];
  for (const v of r?.ip ?? []) pushUnique(ips, v);
  for (const v of r?.user ?? []) pushUnique(users, v);
  for (const v of [e.source?.ip, e.client?.ip, e.destination?.ip]) pushUnique(ips, v);
  const u = e.user;
  for (const v of [u?.name, u?.email, u?.id, u?.target?.name, u?.target?.email, u?.effective?.name]) pushUnique(users, v);
  if (ips.length === 0 && users.length === 0) return;
  const out = (e.related = { ...r });
  if (ips.length) out.ip = ips;
  if (users.length) out.user = users;
}

/** Completes and checks one parsed ECS document; `parsed` is taken over (completed in place). */
export function normalizeEcs(parsed: Obj, original: string | undefined): AuditEvent {
  // `vigil` is bookkeeping Vigil adds when it returns stored events; it is never part of a document.
  if (parsed.vigil !== undefined) delete parsed.vigil;
  const doc = clean(parsed) as Obj | undefined;
  if (doc === undefined) throw new FormatError('is required', '@timestamp');
  const at = doc['@timestamp'];
  if (at === undefined) throw new FormatError('is required', '@timestamp');
  if (typeof at !== 'string') throw typeError('@timestamp', 'an RFC 3339 string', at);
  doc['@timestamp'] = rfc3339(at, '@timestamp');

  if (doc.ecs === undefined) doc.ecs = { version: ECS_VERSION };
  else if (isObj(doc.ecs) && doc.ecs.version === undefined) doc.ecs.version = ECS_VERSION;
  if (doc.event === undefined) doc.event = {};
  if (!isObj(doc.event)) throw typeError('event', 'an object', doc.event);
  const ev = doc.event;
  ev.kind ??= 'event';
  ev.outcome ??= 'unknown';
  // module/dataset: as given; a missing one is derived from the other (`<module>.<name>`), both missing → ecs/ecs.event.
  if (ev.module === undefined) ev.module = typeof ev.dataset === 'string' ? ev.dataset.split('.')[0] || 'ecs' : 'ecs';
  if (ev.dataset === undefined) ev.dataset = `${typeof ev.module === 'string' ? ev.module : 'ecs'}.event`;
  if (original !== undefined && ev.original === undefined) ev.original = original;

  const problems = validateEvent(doc);
  if (problems.length) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new FormatError(problems[0].reason + more, problems[0].path);
  }
  const e = doc as AuditEvent;
  if (ev.kind === 'pipeline_error') throw new FormatError('pipeline_error documents are not accepted', 'event.kind');
  checkAllowed(e.event?.category, 'category', ECS_CATEGORIES);
  checkAllowed(e.event?.type, 'type', ECS_TYPES);
  checkIps(e);
  fillRelated(e);
  e.message ??= summarize(e);
  return e;
}

export const ecsFormat = jsonFormat({
  name: 'ecs',
  /** An ECS document names its schema version (`ecs.version`); every normalizer writes it. */
  detect: (line) => looksLikeObject(line) && hasKey(line, '@timestamp') && hasKey(line, 'ecs'),
  detectObject: (doc) => doc['@timestamp'] !== undefined && doc.ecs !== undefined,
  decodeObject: (doc, text, opts) => [normalizeEcs(doc, opts.keepOriginal ? text : undefined)],
});

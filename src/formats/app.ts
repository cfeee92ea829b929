/**
 * `app`: application audit events in the EngFlow audit-log shape
 * (`{"level":"I","ts":"<s>.<ns>","event":{…},"user":{"email":…},…}`), which is
 * also what Vigil's SDK emits (ECS-shaped objects with `@timestamp`).
 * Mapping: ecs-mapping.md §2. Known ECS fields keep their place, everything
 * else of the input is kept under `app.*` with its original name and nesting.
 */
import { OUTCOMES, type AuditEvent } from '../model/event.js';
import { validateEvent } from '../model/validate.js';
import {
  clean, ECS_CATEGORIES, ECS_TYPES, ECS_VERSION, epochToRfc3339, hasKey, idStr, ipOf, isObj, jsonFormat, looksLikeObject,
  messageOf, pushUnique, related, rfc3339, setOwn, str, strList, typeError, type Obj,
} from './common.js';
import { FormatError } from './format.js';

const LEVELS = new Map([['I', 'info'], ['W', 'warning'], ['E', 'error'], ['D', 'debug']]);

/** Top-level ECS field sets an SDK event may carry; they pass through unchanged (mapping table, last rows). */
const PASS_THROUGH = new Set(['file', 'url', 'http', 'host', 'service', 'labels', 'tags', 'trace']);

/** `event.*` fields with an ECS home besides the mapped kind/action/outcome/category/type. */
const EVENT_ECS = new Set([
  'id', 'code', 'created', 'start', 'end', 'duration', 'provider', 'reason', 'reference', 'risk_score',
  'risk_score_norm', 'severity', 'sequence', 'timezone', 'url', 'hash', 'agent_id_status',
]);
const USER_STRINGS = ['email', 'name', 'full_name', 'domain', 'hash'] as const;
const SOURCE_ECS = new Set([
  'address', 'domain', 'bytes', 'packets', 'mac', 'geo', 'as', 'nat', 'registered_domain', 'subdomain', 'top_level_domain', 'user',
]);
const USER_AGENT_ECS = new Set(['original', 'name', 'version', 'device', 'os']);
const ERROR_ECS = new Set(['id', 'type', 'stack_trace']);

/** Leftovers collector: `app.<path>` objects created on first use. */
class Rest {
  root: Obj | undefined;
  put(parent: string | undefined, key: string, value: unknown): void {
    const root = (this.root ??= {});
    let target = root;
    if (parent !== undefined) {
      let o = root[parent] as Obj | undefined;
      if (o === undefined) setOwn(root, parent, (o = {}));
      target = o;
    }
    setOwn(target, key, value);
  }
}

/** Maps category/type values: ECS-allowed ones are kept, others go to `app.event.<field>`. */
function ecsValues(raw: unknown, field: 'category' | 'type', allowed: ReadonlySet<string>, rest: Rest): string[] | undefined {
  const list = strList(raw, `event.${field}`);
  if (list === undefined) return undefined;
  let out: string[] | undefined;
  let bad: string[] | undefined;
  for (let v of list) {
    if (v === '') continue;
    if (field === 'category' && v === 'auth') v = 'authentication';
    if (allowed.has(v)) (out ??= []).includes(v) || out.push(v);
    else (bad ??= []).push(v);
  }
  if (bad) rest.put('event', field, bad);
  return out;
}

/** Authentication events come without `event.type` (EngFlow); derive it from the action name. */
function authType(action: string | undefined): string[] {
  const a = action?.toLowerCase() ?? '';
  if (a.includes('sign-out') || a.includes('logout')) return ['end'];
  if (a.includes('sign-in') || a.includes('login')) return ['start'];
  return ['info'];
}

/** A `user`-like object (actor, target, effective, changes): ECS string fields, roles, group. */
function userFields(u: Obj, path: string, rest: Rest, restKey: string, nested: boolean): Obj {
  const out: Obj = {};
  for (const k in u) {
    const v = u[k];
    if ((USER_STRINGS as readonly string[]).includes(k)) out[k] = str(v, `${path}.${k}`);
    else if (k === 'id') out.id = idStr(v, `${path}.id`);
    else if (k === 'roles') out.roles = strList(v, `${path}.roles`);
    else if (k === 'group' && isObj(v)) out.group = v;
    else if (nested && (k === 'target' || k === 'effective' || k === 'changes') && isObj(v)) {
      const sub = userFields(v, `${path}.${k}`, rest, `${restKey}.${k}`, false);
      if (nonEmpty(sub)) out[k] = sub;
    } else {
      const r = (rest.root ??= {});
      let o = r.user as Obj | undefined;
      if (o === undefined) r.user = o = {};
      if (!nested) {
        const sub = restKey.slice('user.'.length);
        let n = o[sub] as Obj | undefined;
        if (n === undefined) setOwn(o, sub, (n = {}));
        o = n;
      }
      setOwn(o, k, v);
    }
  }
  return out;
}

/** A number `ts` as written in the line (a double cannot hold 19 significant digits). */
function tsLiteral(line: string, v: number): string {
  const re = /"ts"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) if (Number(m[1]) === v) return m[1];
  return String(v);
}

function timestampOf(doc: Obj, text: string, rest: Rest): string {
  const ts = clean(doc.ts);
  const at = clean(doc['@timestamp']);
  if (ts !== undefined) {
    if (at !== undefined) rest.put(undefined, '@timestamp', at);
    const s = typeof ts === 'number' ? tsLiteral(text, ts) : typeof ts === 'string' ? ts : undefined;
    if (s === undefined) throw typeError('ts', 'a "<seconds>.<fraction>" string or number', ts);
    return epochToRfc3339(s, 'ts') ?? rfc3339(s, 'ts');
  }
  if (typeof at === 'string') return rfc3339(at, '@timestamp');
  if (at !== undefined) throw typeError('@timestamp', 'an RFC 3339 string', at);
  throw new FormatError('is required (or @timestamp)', 'ts');
}

/** Normalizes one parsed app record to ECS (`text` is the record as read; `original` goes to event.original). */
export function normalizeApp(doc: Obj, text: string, original: string | undefined): AuditEvent {
  const rest = new Rest();
  const ts = timestampOf(doc, text, rest);
  let action: string | undefined;
  let id: string | undefined;
  let outcome: string | undefined;
  let category: string[] | undefined;
  let type: string[] | undefined;
  let typeGiven = false;
  let evMore: Obj | undefined;
  let level: string | undefined;
  let error: Obj | undefined;
  let user: Obj | undefined;
  let source: Obj | undefined;
  let sourceIp: string | undefined;
  let ua: Obj | undefined;
  let org: Obj | undefined;
  let pass: Obj | undefined;

  for (const k in doc) {
    let v = doc[k];
    if (typeof v === 'object') v = clean(v, 1); // primitives need no call; "" and null are empty
    if (v === undefined || v === '') continue;
    switch (k) {
      case 'ts':
      case '@timestamp':
        break;
      case 'level': {
        const l = str(v, 'level')!;
        level = LEVELS.get(l) ?? l;
        break;
      }
      case 'event':
        if (!isObj(v)) throw typeError('event', 'an object', v);
        for (const ek in v) {
          const x = v[ek];
          if (ek === 'action') action = str(x, 'event.action');
          else if (ek === 'outcome') {
            const lo = str(x, 'event.outcome')!.toLowerCase();
            if ((OUTCOMES as readonly string[]).includes(lo)) outcome = lo;
            else rest.put('event', 'outcome', x);
          } else if (ek === 'category') category = ecsValues(x, 'category', ECS_CATEGORIES, rest);
          else if (ek === 'type') {
            typeGiven = true;
            type = ecsValues(x, 'type', ECS_TYPES, rest);
          } else if (ek === 'id') id = idStr(x, 'event.id');
          else if (ek === 'kind' && x === 'event') continue;
          else if (EVENT_ECS.has(ek)) setOwn((evMore ??= {}), ek, x);
          else rest.put('event', ek, x); // kind other than "event", module, dataset, original, ingested, non-ECS names
        }
        break;
      case 'error':
        if (!isObj(v)) throw typeError('error', 'an object', v);
        error = {};
        for (const ek in v) {
          const x = v[ek];
          if (ek === 'code') error.code = idStr(x, 'error.code');
          else if (ek === 'message') error.message = str(x, 'error.message');
          else if (ERROR_ECS.has(ek)) setOwn(error, ek, x);
          else rest.put('error', ek, x);
        }
        break;
      case 'user':
        if (!isObj(v)) throw typeError('user', 'an object', v);
        user = userFields(v, 'user', rest, 'user', true);
        break;
      case 'source':
        if (!isObj(v)) throw typeError('source', 'an object', v);
        source = {};
        for (const sk in v) {
          const x = v[sk];
          if (sk === 'ip') {
            const s = str(x, 'source.ip')!;
            sourceIp = ipOf(s);
            if (sourceIp) source.ip = sourceIp;
            else rest.put('source', 'ip', s); // not an IP: no ECS home
          } else if (sk === 'port') {
            if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 65535) throw typeError('source.port', 'a port number', x);
            source.port = x;
          } else if (SOURCE_ECS.has(sk)) setOwn(source, sk, x);
          else rest.put('source', sk, x);
        }
        break;
      case 'user_agent':
        if (!isObj(v)) throw typeError('user_agent', 'an object', v);
        ua = {};
        for (const uk in v) {
          if (uk === 'original') ua.original = str(v[uk], 'user_agent.original');
          else if (USER_AGENT_ECS.has(uk)) setOwn(ua, uk, v[uk]);
          else rest.put('user_agent', uk, v[uk]);
        }
        break;
      case 'organization':
        if (!isObj(v)) throw typeError('organization', 'an object', v);
        org = {};
        for (const ok in v) {
          if (ok === 'id') org.id = idStr(v[ok], 'organization.id');
          else if (ok === 'name') org.name = str(v[ok], 'organization.name');
          else rest.put('organization', ok, v[ok]);
        }
        break;
      default:
        if (PASS_THROUGH.has(k)) setOwn((pass ??= {}), k, k === 'tags' ? strList(v, 'tags') : v);
        else rest.put(undefined, k, v);
    }
  }

  const hasError = error !== undefined && nonEmpty(error);
  if (!typeGiven && category?.includes('authentication')) type = authType(action);
  const ev: Obj = { kind: 'event', module: 'app', dataset: 'app.audit' };
  if (id !== undefined) ev.id = id;
  if (action !== undefined) ev.action = action;
  if (category) ev.category = category;
  if (type) ev.type = type;
  ev.outcome = outcome ?? (hasError ? 'failure' : 'unknown');
  if (evMore) for (const k in evMore) setOwn(ev, k, evMore[k]);
  if (original !== undefined) ev.original = original;

  const out: Obj = { '@timestamp': ts, message: '', ecs: { version: ECS_VERSION }, event: ev };
  if (level !== undefined) out.log = { level };
  if (hasError) out.error = error;
  if (user && nonEmpty(user)) out.user = user;
  if (source && nonEmpty(source)) out.source = source;
  if (sourceIp) out.client = { ip: sourceIp };
  if (ua && nonEmpty(ua)) out.user_agent = ua;
  if (org && nonEmpty(org)) out.organization = org;
  if (pass) for (const k in pass) setOwn(out, k, pass[k]);

  const u = out.user as { email?: string; name?: string; target?: { email?: string; name?: string } } | undefined;
  const users: string[] = [];
  pushUnique(users, u?.email);
  pushUnique(users, u?.name);
  pushUnique(users, u?.target?.email);
  pushUnique(users, u?.target?.name);
  const rel = related(sourceIp ? [sourceIp] : [], users);
  if (rel) out.related = rel;
  if (rest.root) out.app = rest.root;

  const e = out as AuditEvent;
  e.message = messageOf(e, (org?.id as string | undefined) ?? u?.target?.name ?? u?.target?.email);
  if (pass) {
    // SDK events may carry any of these ECS field sets; check them against the schema here so a
    // bad type is reported by this decoder, with its field path.
    const problems = validateEvent(e);
    if (problems.length) throw new FormatError(problems[0].reason, problems[0].path);
  }
  return e;
}

function nonEmpty(o: Obj): boolean {
  for (const _ in o) return true;
  return false;
}

export const appFormat = jsonFormat({
  name: 'app',
  /** EngFlow entries carry `ts`; SDK events `@timestamp` (ECS documents with `ecs` go to `ecs` first under `auto`). */
  detect: (line) => looksLikeObject(line) && (hasKey(line, 'ts') || hasKey(line, '@timestamp')),
  detectObject: (doc) => doc.ts !== undefined || doc['@timestamp'] !== undefined,
  decodeObject: (doc, text, opts) => [normalizeApp(doc, text, opts.keepOriginal ? text : undefined)],
});

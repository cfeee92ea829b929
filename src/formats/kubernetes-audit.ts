/**
 * `kubernetes-audit`: `audit.k8s.io/v1` (or `v1beta1`) Events as the API
 * server's log backend writes them, one per line, or an `EventList` (the
 * webhook backend's POST body) that yields one document per item, in order.
 * GDCH's `_gdch_*` wrapper fields are mapped as for the proxy.
 * Mapping: ecs-mapping.md §4, after Elastic's `kubernetes.audit_logs` pipeline:
 * the whole event is kept under `kubernetes.audit.*`, a few ECS fields derived.
 */
import type { AuditEvent } from '../model/event.js';
import {
  clean, ECS_VERSION, hasKey, idStr, ipOf, isObj, jsonFormat, looksLikeObject, messageOf,
  pushUnique, related, rfc3339, setOwn, splitUrl, str, typeError, type Obj,
} from './common.js';
import { FormatError, type DecodeOptions } from './format.js';
import { takeGdch } from './gdch-proxy.js';

const API_VERSIONS = new Set(['audit.k8s.io/v1', 'audit.k8s.io/v1beta1']);

const VERB_TYPE = new Map([
  ['get', 'access'], ['list', 'access'], ['watch', 'access'],
  ['create', 'creation'],
  ['update', 'change'], ['patch', 'change'],
  ['delete', 'deletion'], ['deletecollection', 'deletion'],
]);

/** `--audit-log-format=legacy` lines: `<time> AUDIT: id="…" stage="…" …`. */
const LEGACY = /^\S+ AUDIT: id="/;

interface Who {
  name?: string;
  id?: string;
}

function who(v: unknown, path: string): Who | undefined {
  if (!isObj(v)) throw typeError(path, 'an object', v);
  const name = str(v.username, `${path}.username`);
  const id = idStr(v.uid, `${path}.uid`);
  if (name === undefined && id === undefined) return undefined;
  const w: Who = {};
  if (name !== undefined) w.name = name;
  if (id !== undefined) w.id = id;
  return w;
}

const renamed = new Map<string, string>();

/**
 * Annotations with `.` in keys replaced by `_` (`authorization_k8s_io/decision`), as Elastic's
 * pipeline does, and empty values left out. Undefined when nothing is left.
 */
function renameAnnotations(a: Obj): Obj | undefined {
  let out: Obj | undefined;
  for (const k in a) {
    const v = typeof a[k] === 'object' ? clean(a[k], 2) : a[k];
    if (v === undefined || v === '') continue;
    let key = renamed.get(k);
    if (key === undefined) {
      key = k.replaceAll('.', '_');
      if (renamed.size < 1024) renamed.set(k, key);
    }
    setOwn((out ??= {}), key, v);
  }
  return out;
}

function imagesOf(requestObject: Obj): string[] {
  const images: string[] = [];
  const spec = requestObject.spec;
  const containers = isObj(spec) ? spec.containers : undefined;
  if (Array.isArray(containers)) {
    for (const c of containers) if (isObj(c) && typeof c.image === 'string') pushUnique(images, c.image);
  }
  return images;
}

/** `o` without its key `key` (a copy; the parsed object is not reshaped by `delete`). */
function without(o: Obj, key: string): Obj | undefined {
  const out: Obj = {};
  let kept = false;
  for (const k in o) {
    if (k === key) continue;
    setOwn(out, k, o[k]);
    kept = true;
  }
  return kept ? out : undefined;
}

/**
 * Normalizes one parsed audit Event. `listApiVersion` is the EventList's
 * `apiVersion`, for items that carry no type header. `doc` is taken over: it
 * becomes `kubernetes.audit` (cleaned in place), so pass a copy to keep it.
 */
export function normalizeK8sEvent(doc: Obj, original: string | undefined, listApiVersion?: string): AuditEvent {
  const kind = clean(doc.kind);
  if (kind !== undefined && kind !== 'Event') throw new FormatError(`must be "Event", got ${JSON.stringify(kind)}`, 'kind');
  const apiVersion = str(clean(doc.apiVersion), 'apiVersion') ?? listApiVersion;
  if (apiVersion !== undefined && !API_VERSIONS.has(apiVersion)) {
    throw new FormatError(`must be audit.k8s.io/v1 or audit.k8s.io/v1beta1, got ${JSON.stringify(apiVersion)}`, 'apiVersion');
  }
  const received = str(clean(doc.requestReceivedTimestamp), 'requestReceivedTimestamp');
  const stage = str(clean(doc.stageTimestamp), 'stageTimestamp');
  const legacyTs = str(clean(doc.timestamp), 'timestamp'); // v1beta1's deprecated event time
  const start = received === undefined ? undefined : rfc3339(received, 'requestReceivedTimestamp');
  const end = stage === undefined ? undefined : rfc3339(stage, 'stageTimestamp');
  const ts = start ?? end ?? (legacyTs === undefined ? undefined : rfc3339(legacyTs, 'timestamp'));
  if (ts === undefined) throw new FormatError('is required (or stageTimestamp)', 'requestReceivedTimestamp');

  // kubernetes.audit is the event itself, cleaned in place where values change; it is copied
  // only when members must go (empty values, `_gdch_*` wrapper fields).
  const gdch: Obj = {};
  let copy = false;
  let user: Who | undefined;
  let effective: Who | undefined;
  let sourceIps: string[] | undefined;
  let objectRef: Obj | undefined;
  let code: number | undefined;
  let status: Obj | undefined;
  let decision: unknown;
  let images: string[] | undefined;

  for (const k in doc) {
    const raw = doc[k];
    let v = k === 'annotations' && isObj(raw) ? raw : clean(raw, 1); // annotations: cleaned while renamed
    if (v === undefined || takeGdch(gdch, k, v)) {
      doc[k] = undefined; // dropped from kubernetes.audit (an assignment keeps the object's shape; copied below)
      copy = true;
      continue;
    }
    switch (k) {
      case 'user':
        user = who(v, 'user');
        break;
      case 'impersonatedUser':
        effective = who(v, 'impersonatedUser');
        break;
      case 'sourceIPs':
        if (!Array.isArray(v)) throw typeError('sourceIPs', 'an array of strings', v);
        for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw typeError(`sourceIPs[${i}]`, 'a string', v[i]);
        sourceIps = v as string[];
        break;
      case 'objectRef':
        if (!isObj(v)) throw typeError('objectRef', 'an object', v);
        for (const f of ['namespace', 'resource', 'name', 'uid']) str(v[f], `objectRef.${f}`);
        objectRef = v;
        break;
      case 'responseStatus':
        if (!isObj(v)) throw typeError('responseStatus', 'an object', v);
        if (v.code !== undefined && (typeof v.code !== 'number' || !Number.isSafeInteger(v.code))) {
          throw typeError('responseStatus.code', 'an integer', v.code);
        }
        code = v.code as number | undefined;
        str(v.message, 'responseStatus.message');
        str(v.reason, 'responseStatus.reason');
        status = v;
        break;
      case 'annotations':
        if (!isObj(v)) throw typeError('annotations', 'an object', v);
        decision = v['authorization.k8s.io/decision'];
        v = renameAnnotations(v);
        if (v === undefined) copy = true;
        break;
      case 'requestObject':
      case 'responseObject':
        if (isObj(v)) {
          if (k === 'requestObject') images = imagesOf(v);
          if (v.metadata !== undefined) v = without(v, 'metadata'); // as Elastic's pipeline does
          if (v === undefined) copy = true;
        }
        break;
    }
    if (v !== raw) doc[k] = v;
  }
  let audit = doc;
  if (copy) {
    audit = {};
    for (const k in doc) if (doc[k] !== undefined) setOwn(audit, k, doc[k]);
  }

  const verb = str(doc.verb, 'verb');
  const outcome =
    code !== undefined ? (code < 400 ? 'success' : 'failure')
    : decision === 'allow' ? 'success'
    : decision === 'forbid' ? 'failure'
    : 'unknown';

  const ev: Obj = { kind: 'event', module: 'kubernetes', dataset: 'kubernetes.audit_logs' };
  const auditId = idStr(doc.auditID, 'auditID');
  if (auditId !== undefined) ev.id = auditId;
  if (verb !== undefined) ev.action = verb;
  ev.category = ['api'];
  ev.type = [(verb !== undefined && VERB_TYPE.get(verb)) || 'info'];
  ev.outcome = outcome;
  if (start !== undefined) ev.start = start;
  if (end !== undefined) ev.end = end;
  if (original !== undefined) ev.original = original;

  const out: Obj = { '@timestamp': ts, message: '', ecs: { version: ECS_VERSION }, event: ev };
  if (user || effective) {
    const u: Obj = { ...user };
    if (effective) u.effective = effective;
    out.user = u;
  }
  const ips: string[] = [];
  let sourceIp: string | undefined;
  if (sourceIps) {
    for (let i = 0; i < sourceIps.length; i++) {
      const ip = ipOf(sourceIps[i]);
      if (ip === undefined) continue; // stays in kubernetes.audit.sourceIPs only
      if (i === 0) sourceIp = ip;
      pushUnique(ips, ip);
    }
  }
  if (sourceIp) {
    out.source = { ip: sourceIp };
    out.client = { ip: sourceIp };
  }
  const userAgent = str(doc.userAgent, 'userAgent');
  if (userAgent !== undefined) out.user_agent = { original: userAgent };
  const uri = str(doc.requestURI, 'requestURI');
  if (uri !== undefined) out.url = splitUrl(uri);
  if (code !== undefined) out.http = { response: { status_code: code } };
  if (outcome === 'failure' && status && (status.message !== undefined || status.reason !== undefined)) {
    const err: Obj = {};
    if (status.reason !== undefined) err.code = status.reason;
    if (status.message !== undefined) err.message = status.message;
    out.error = err;
  }

  const orch: Obj = { type: 'kubernetes' };
  if (apiVersion !== undefined) orch.api_version = apiVersion;
  if (objectRef?.namespace !== undefined) orch.namespace = objectRef.namespace;
  if (gdch.cluster !== undefined) orch.cluster = { name: str(gdch.cluster, '_gdch_cluster') };
  if (objectRef && (objectRef.resource !== undefined || objectRef.name !== undefined || objectRef.uid !== undefined)) {
    const r: Obj = {};
    if (objectRef.resource !== undefined) r.type = objectRef.resource;
    if (objectRef.name !== undefined) r.name = objectRef.name;
    if (objectRef.uid !== undefined) r.id = objectRef.uid;
    orch.resource = r;
  }
  out.orchestrator = orch;
  if (gdch.service_name !== undefined) out.service = { name: str(gdch.service_name, '_gdch_service_name') };
  if (images?.length) out.container = { image: { name: images.length === 1 ? images[0] : images } };

  const users: string[] = [];
  pushUnique(users, user?.name);
  pushUnique(users, user?.id);
  pushUnique(users, effective?.name);
  const rel = related(ips, users);
  if (rel) out.related = rel;
  out.kubernetes = { audit };
  for (const _ in gdch) {
    out.gdch = gdch;
    break;
  }

  const e = out as AuditEvent;
  const res = e.orchestrator?.resource?.type;
  e.message = messageOf(e, res ? [e.orchestrator?.namespace, res, e.orchestrator?.resource?.name].filter(Boolean).join('/') : uri);
  return e;
}

/** Decodes one parsed record: an Event, or an EventList (one document per item; errors name `items[i]`). */
function decodeK8s(doc: Obj, text: string, opts: DecodeOptions): AuditEvent[] {
  if (doc.kind !== 'EventList') return [normalizeK8sEvent(doc, opts.keepOriginal ? text : undefined)];
  const listVersion = str(clean(doc.apiVersion), 'apiVersion');
  if (listVersion !== undefined && !API_VERSIONS.has(listVersion)) {
    throw new FormatError(`must be audit.k8s.io/v1 or audit.k8s.io/v1beta1, got ${JSON.stringify(listVersion)}`, 'apiVersion');
  }
  const items = doc.items ?? [];
  if (!Array.isArray(items)) throw typeError('items', 'an array of Events', items);
  const out: AuditEvent[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    try {
      if (!isObj(item)) throw typeError('', 'an Event object', item);
      // An item's own record is its JSON text (the list as a whole was read, not each item).
      out[i] = normalizeK8sEvent(item, opts.keepOriginal ? JSON.stringify(item) : undefined, listVersion);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      throw new FormatError(err.reason, err.path ? `items[${i}].${err.path}` : `items[${i}]`);
    }
  }
  return out;
}

export const kubernetesAuditFormat = jsonFormat({
  name: 'kubernetes-audit',
  detect: (line) =>
    looksLikeObject(line) &&
    (line.includes('"apiVersion":"audit.k8s.io/') ||
      line.includes('"apiVersion": "audit.k8s.io/') ||
      (hasKey(line, 'requestReceivedTimestamp') && hasKey(line, 'verb'))),
  detectObject: (doc) =>
    (typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('audit.k8s.io/')) ||
    (doc.requestReceivedTimestamp !== undefined && doc.verb !== undefined),
  decodeObject: decodeK8s,
  explain(text) {
    if (LEGACY.test(text)) throw new FormatError('the legacy text audit format (--audit-log-format=legacy) is not supported; write json');
  },
});

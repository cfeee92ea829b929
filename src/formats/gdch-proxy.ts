/**
 * `gdch-proxy`: data-plane audit entries of the Google Distributed Cloud
 * (air-gapped) proxy (`{"user":{"identity":…},"resource":…,"action":"QUERY",
 * "time":…,"sourceIPs":[…],"response":"Successful: 200 OK",…}`).
 * Mapping: ecs-mapping.md §3 (Vigil's own; no Elastic integration exists).
 */
import type { AuditEvent } from '../model/event.js';
import {
  clean, ECS_VERSION, count, hasKey, idStr, ipOf, isObj, jsonFormat, looksLikeObject, messageOf,
  pushUnique, related, rfc3339, setOwn, splitUrl, str, typeError, type Obj,
} from './common.js';
import { FormatError } from './format.js';

/** `local@domain`, no spaces, no `:` (service accounts such as `system:serviceaccount:…` are no e-mail). */
const EMAIL = /^[^\s@:]+@[^\s@:]+$/;
/** The first stand-alone 3-digit number of the response text. */
const STATUS = /(?:^|\D)(\d{3})(?!\d)/;

/**
 * `_gdch_<name>` wrapper fields (GDCH metadata, also on GDCH's Kubernetes audit events)
 * → `gdch.<name>`; returns whether the key was one.
 */
export function takeGdch(gdch: Obj, key: string, value: unknown): boolean {
  if (key.charCodeAt(0) !== 0x5f || !key.startsWith('_gdch_') || key.length === 6) return false;
  // Literal property names for the known fields keep the object's shape predictable (and fast).
  switch (key) {
    case '_gdch_cluster':
      gdch.cluster = value;
      break;
    case '_gdch_namespace':
      gdch.namespace = value;
      break;
    case '_gdch_service_name':
      gdch.service_name = value;
      break;
    case '_gdch_service_tenant':
      gdch.service_tenant = value;
      break;
    case '_gdch_fluentbit_pod':
      gdch.fluentbit_pod = value;
      break;
    default:
      setOwn(gdch, key.slice(6), value);
  }
  return true;
}

/** Status and outcome from the proxy's `response` text (`Successful: 200 OK`, `Failed: 403 Forbidden`). */
export function responseOutcome(response: unknown): { status?: number; outcome: 'success' | 'failure' | 'unknown' } {
  let status: number | undefined;
  if (typeof response === 'number') {
    if (Number.isInteger(response) && response >= 100 && response <= 599) status = response;
  } else if (typeof response === 'string') {
    const m = STATUS.exec(response);
    const n = m ? Number(m[1]) : 0;
    if (n >= 100 && n <= 599) status = n;
  } else if (response === undefined) return { outcome: 'unknown' };
  if (status !== undefined) return { status, outcome: status < 400 ? 'success' : 'failure' };
  const t = typeof response === 'string' ? response.trimStart().toLowerCase() : '';
  if (t.startsWith('success')) return { outcome: 'success' };
  if (t.startsWith('fail') || t.startsWith('error') || t.startsWith('denied')) return { outcome: 'failure' };
  return { outcome: 'unknown' };
}

/**
 * Flattens `sourceIPs` (the seed's field table prints them nested: `[["a","b"]]`).
 * Every element must be a string; the error path names the element (`sourceIPs[0][1]`).
 */
function flattenIps(v: unknown, path: string, into: string[], depth: number): void {
  if (typeof v === 'string') into.push(v);
  else if (Array.isArray(v) && depth < 8) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'string') into.push(x); // the usual flat list: no path strings built
      else flattenIps(x, `${path}[${i}]`, into, depth + 1);
    }
  } else throw typeError(path, depth === 0 ? 'an array of IP strings' : 'a string', v);
}

/** Normalizes one parsed proxy entry to ECS. */
export function normalizeGdchProxy(doc: Obj, original: string | undefined): AuditEvent {
  const time = clean(doc.time);
  if (time === undefined) throw new FormatError('is required', 'time');
  if (typeof time !== 'string') throw typeError('time', 'an RFC 3339 string', time);
  const ts = rfc3339(time, 'time');

  const proxy: Obj = {};
  const gdch: Obj = {};
  let action: string | undefined;
  let id: string | undefined;
  let url: Obj | undefined;
  let user: Obj | undefined;
  const ips: string[] = [];
  let sourceIp: string | undefined;
  let sent: number | undefined;
  let received: number | undefined;
  let service: string | undefined;
  let cluster: string | undefined;
  let namespace: string | undefined;

  let response: unknown;
  for (const k in doc) {
    let v = doc[k];
    if (typeof v === 'object') v = clean(v, 1); // primitives need no call; "" and null are empty
    if (v === undefined || v === '') continue;
    switch (k) {
      case 'time':
        break;
      case 'response':
        if (typeof v !== 'string' && typeof v !== 'number') throw typeError('response', 'a string', v);
        response = v;
        break;
      case 'auditID':
        id = idStr(v, 'auditID');
        break;
      case 'action':
        action = str(v, 'action')!.toLowerCase();
        break;
      case 'resource':
        url = splitUrl(str(v, 'resource')!);
        break;
      case 'user': {
        if (!isObj(v)) throw typeError('user', 'an object', v);
        const pu: Obj = {};
        for (const uk in v) {
          if (uk === 'identity') {
            const name = str(v.identity, 'user.identity')!;
            user = EMAIL.test(name) ? { name, email: name } : { name };
          } else if (uk === 'issuer') pu.issuer = str(v.issuer, 'user.issuer');
          else setOwn(pu, uk, v[uk]);
        }
        for (const _ in pu) {
          proxy.user = pu;
          break;
        }
        break;
      }
      case 'sourceIPs': {
        const all: string[] = [];
        flattenIps(v, 'sourceIPs', all, 0);
        let nonIp = false;
        for (let i = 0; i < all.length; i++) {
          const ip = ipOf(all[i]);
          if (ip === undefined) nonIp = true;
          else {
            if (i === 0) sourceIp = ip; // the originating client (X-Forwarded-For order)
            pushUnique(ips, ip);
          }
        }
        if (nonIp) proxy.sourceIPs = all; // values that are not IPs have no ECS home
        break;
      }
      case 'numBytesSent':
        sent = count(v, 'numBytesSent');
        break;
      case 'numBytesReceived':
        received = count(v, 'numBytesReceived');
        break;
      case '_gdch_service_name':
        gdch.service_name = service = str(v, k);
        break;
      case '_gdch_cluster':
        gdch.cluster = cluster = str(v, k);
        break;
      case '_gdch_namespace':
        gdch.namespace = namespace = str(v, k);
        break;
      case 'description':
        proxy.description = v; // often a JSON request body: kept as the text it is
        break;
      default:
        if (!takeGdch(gdch, k, v)) setOwn(proxy, k, v);
    }
  }

  const { status, outcome } = responseOutcome(response);
  if (response !== undefined) proxy.response = response;

  const ev: Obj = { kind: 'event', module: 'gdch', dataset: 'gdch.proxy' };
  if (id !== undefined) ev.id = id;
  if (action !== undefined) ev.action = action;
  ev.category = ['web'];
  ev.type = ['access'];
  ev.outcome = outcome;
  if (original !== undefined) ev.original = original;

  const out: Obj = { '@timestamp': ts, message: '', ecs: { version: ECS_VERSION }, event: ev };
  if (user) out.user = user;
  if (sourceIp) {
    out.source = { ip: sourceIp };
    out.client = { ip: sourceIp };
  }
  if (url) out.url = url;
  if (status !== undefined || sent !== undefined || received !== undefined) {
    const http: Obj = {};
    if (received !== undefined) http.request = { bytes: received };
    if (status !== undefined || sent !== undefined) {
      const res: Obj = {};
      if (status !== undefined) res.status_code = status;
      if (sent !== undefined) res.bytes = sent;
      http.response = res;
    }
    out.http = http;
  }
  if (service !== undefined) out.service = { name: service };
  if (cluster !== undefined || namespace !== undefined) {
    const o: Obj = {};
    if (namespace !== undefined) o.namespace = namespace;
    if (cluster !== undefined) o.cluster = { name: cluster };
    out.orchestrator = o;
  }
  const rel = related(ips, user ? [user.name as string] : []);
  if (rel) out.related = rel;
  for (const _ in proxy) {
    gdch.proxy = proxy;
    break;
  }
  for (const _ in gdch) {
    out.gdch = gdch;
    break;
  }
  const e = out as AuditEvent;
  e.message = messageOf(e, url?.path as string | undefined);
  return e;
}

export const gdchProxyFormat = jsonFormat({
  name: 'gdch-proxy',
  detect: (line) =>
    looksLikeObject(line) &&
    hasKey(line, 'time') &&
    (hasKey(line, 'resource') || hasKey(line, 'sourceIPs')) &&
    (hasKey(line, 'response') || hasKey(line, 'action')),
  detectObject: (doc) =>
    doc.time !== undefined &&
    (doc.resource !== undefined || doc.sourceIPs !== undefined) &&
    (doc.response !== undefined || doc.action !== undefined),
  decodeObject: (doc, text, opts) => [normalizeGdchProxy(doc, opts.keepOriginal ? text : undefined)],
});

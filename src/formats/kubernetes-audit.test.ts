import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../model/event.js';
import { FormatError } from './format.js';
import { eventProblems } from '../bench/formats/fuzz.js';
import { kubernetesAuditFormat as k8s } from './kubernetes-audit.js';
import { decodeAll } from './registry.js';

type Doc = AuditEvent & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

const base = {
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a-1', stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/default/pods/my-pod', verb: 'get',
  user: { username: 'system:serviceaccounts:default:default', uid: '12345678', groups: ['system:serviceaccounts'] },
  sourceIPs: ['67.43.156.1'], userAgent: 'kubectl/v1.26.1',
  objectRef: { resource: 'pods', namespace: 'default', name: 'my-pod', apiVersion: 'v1' },
  requestReceivedTimestamp: '2023-03-01T10:00:00.123456Z', stageTimestamp: '2023-03-01T10:00:00.223456Z',
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
};

function all(record: unknown, keepOriginal = true): Doc[] {
  const out = k8s.createDecoder({ keepOriginal }).push(typeof record === 'string' ? record : JSON.stringify(record), { line: 1, offset: 0 });
  for (const d of out) expect(eventProblems(d.event)).toEqual([]);
  return out.map((d) => d.event as Doc);
}
const one = (record: unknown): Doc => {
  const out = all(record);
  expect(out).toHaveLength(1);
  return out[0];
};
function rejects(record: unknown): FormatError {
  try {
    all(record);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('kubernetes-audit: samples (spot values of samples/README.md)', () => {
  const events = decodeAll(k8s, testdata('kubernetes-audit.ndjson'), { keepOriginal: true }).events.map((d) => d.event as Doc);
  it('line 1: requestReceivedTimestamp (not stageTimestamp), GDCH cluster and service', () => {
    const e = events[0];
    expect(e['@timestamp']).toBe('2022-12-06T14:37:40.942762Z');
    expect(e.event?.start).toBe('2022-12-06T14:37:40.942762Z');
    expect(e.event?.end).toBe('2022-12-06T14:37:41.035715Z');
    expect(e.orchestrator?.resource?.type).toBe('loggingtargets');
    expect(e.orchestrator?.cluster?.name).toBe('org-1-admin');
    expect(e.service?.name).toBe('apiserver');
    expect(e.gdch).toEqual({ cluster: 'org-1-admin', fluentbit_pod: 'anthos-audit-logs-forwarder-4gwpn', service_name: 'apiserver' });
    expect(e.kubernetes.audit).not.toHaveProperty('_gdch_cluster');
    expect(e.kubernetes.audit.annotations['authorization_k8s_io/decision']).toBe('allow');
    expect(e.kubernetes.audit.user.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:gpc-system', 'system:authenticated']);
  });
  it('line 2: stage RequestReceived, no status, no annotations → unknown', () => {
    expect(events[1].event?.outcome).toBe('unknown');
    expect(events[1]).not.toHaveProperty('http');
  });
  it('line 7: 403 with decision forbid → failure', () => {
    expect(events[6].event?.outcome).toBe('failure');
    expect(events[6].http?.response?.status_code).toBe(403);
  });
  it('line 16: exec → 101, success, subresource kept', () => {
    expect(events[15].http?.response?.status_code).toBe(101);
    expect(events[15].event?.outcome).toBe('success');
    expect(events[15].kubernetes.audit.objectRef.subresource).toBe('exec');
  });
  it('line 17: impersonation → user.effective', () => {
    expect(events[16].user).toEqual({ name: 'kubernetes-admin', effective: { name: 'system:serviceaccount:web:deployer' } });
    expect(events[16].related?.user).toEqual(['kubernetes-admin', 'system:serviceaccount:web:deployer']);
  });
  it('line 18: non-resource URL → no orchestrator.resource, message with the URI', () => {
    expect(events[17].orchestrator).toEqual({ type: 'kubernetes', api_version: 'audit.k8s.io/v1' });
    expect(events[17].message).toBe('system:anonymous get /readyz (success)');
  });
  it('line 19: IPv6 first, both addresses related', () => {
    expect(events[18].source?.ip).toBe('2001:db8:42::7');
    expect(events[18].related?.ip).toEqual(['2001:db8:42::7', '10.96.0.1']);
  });
  it('401/404/409/500 are failures with the status message where the server gave one; verbs map to types', () => {
    expect(events[13].error).toEqual({ code: 'Unauthorized', message: 'Unauthorized' });
    expect(events.filter((e) => (e.http?.response?.status_code ?? 0) >= 400).map((e) => e.event?.outcome)).toEqual(Array(5).fill('failure'));
    expect(events.map((e) => `${e.event?.action}:${e.event?.type}`)).toContain('deletecollection:deletion');
    expect(events.map((e) => `${e.event?.action}:${e.event?.type}`)).toContain('watch:access');
    expect(events[20].user?.name).toBe('oidc:jürgen@beispiel.de');
  });
});

describe('kubernetes-audit: mapping', () => {
  it("Elastic's fixture: decision allow without a code → success, orchestrator.*, related.*", () => {
    const e = one(base);
    expect(e.event).toMatchObject({ action: 'get', outcome: 'success', category: ['api'], type: ['access'], id: 'a-1' });
    expect(e.user).toEqual({ name: 'system:serviceaccounts:default:default', id: '12345678' });
    expect(e.user_agent).toEqual({ original: 'kubectl/v1.26.1' });
    expect(e.orchestrator).toEqual({ type: 'kubernetes', api_version: 'audit.k8s.io/v1', namespace: 'default', resource: { type: 'pods', name: 'my-pod' } });
    expect(e.related).toEqual({ ip: ['67.43.156.1'], user: ['system:serviceaccounts:default:default', '12345678'] });
    expect(e.message).toBe('system:serviceaccounts:default:default get default/pods/my-pod (success)');
    expect(e.kubernetes.audit.annotations).toEqual({ 'authorization_k8s_io/decision': 'allow' });
  });
  it('verbs → event.type', () => {
    const want: Record<string, string> = { get: 'access', list: 'access', watch: 'access', create: 'creation', update: 'change', patch: 'change', delete: 'deletion', deletecollection: 'deletion', proxy: 'info', constructor: 'info' };
    for (const [verb, type] of Object.entries(want)) expect(one({ ...base, verb }).event?.type, verb).toEqual([type]);
  });
  it('no code: forbid → failure; neither → unknown; error fields only on failure', () => {
    expect(one({ ...base, annotations: { 'authorization.k8s.io/decision': 'forbid' } }).event?.outcome).toBe('failure');
    expect(one({ ...base, annotations: undefined }).event?.outcome).toBe('unknown');
    const ok = one({ ...base, responseStatus: { code: 200, message: 'fine', reason: 'OK' } });
    expect(ok).not.toHaveProperty('error');
    expect(one({ ...base, responseStatus: { code: 500, message: 'etcd timeout', reason: 'InternalError' } }).error).toEqual({ code: 'InternalError', message: 'etcd timeout' });
  });
  it('requestObject/responseObject metadata removed; container images from a pod spec', () => {
    const e = one({
      ...base, verb: 'create', requestObject: { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'busybox' }] } },
      responseObject: { metadata: { uid: 'x' } },
    });
    expect(e.container).toEqual({ image: { name: ['nginx:1.27', 'busybox'] } });
    expect(e.kubernetes.audit.requestObject).toEqual({ kind: 'Pod', spec: { containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'busybox' }] } });
    expect(e.kubernetes.audit).not.toHaveProperty('responseObject');
    expect(one({ ...base, requestObject: { spec: { containers: [{ image: 'nginx' }] } } }).container).toEqual({ image: { name: 'nginx' } });
  });
  it('time: falls back to stageTimestamp, then v1beta1 timestamp; microseconds kept', () => {
    const e = one({ ...base, requestReceivedTimestamp: undefined });
    expect(e['@timestamp']).toBe('2023-03-01T10:00:00.223456Z');
    expect(e.event).not.toHaveProperty('start');
    const b = one({ ...base, apiVersion: 'audit.k8s.io/v1beta1', requestReceivedTimestamp: undefined, stageTimestamp: undefined, timestamp: '2019-01-01T00:00:00Z' });
    expect(b['@timestamp']).toBe('2019-01-01T00:00:00Z');
    expect(b.orchestrator?.api_version).toBe('audit.k8s.io/v1beta1');
  });
  it('v1beta1 events map like v1', () => {
    const e = one({ ...base, apiVersion: 'audit.k8s.io/v1beta1' });
    expect(e.orchestrator?.api_version).toBe('audit.k8s.io/v1beta1');
    expect(e.event?.outcome).toBe('success');
  });
  it('source.ip is the first entry only if it is an IP; every IP is related', () => {
    const e = one({ ...base, sourceIPs: ['bogus', '10.0.0.1', '10.0.0.1'] });
    expect(e).not.toHaveProperty('source');
    expect(e.related?.ip).toEqual(['10.0.0.1']);
    expect(e.kubernetes.audit.sourceIPs).toEqual(['bogus', '10.0.0.1', '10.0.0.1']);
  });
  it('keepOriginal: false', () => {
    expect(all(base, false)[0].event).not.toHaveProperty('original');
  });
});

describe('kubernetes-audit: EventList and multi-line documents', () => {
  it('an EventList on one line → one document per item, in order, each item as its own original', () => {
    const list = JSON.parse(testdata('kubernetes-eventlist.json')) as { items: unknown[] };
    const events = all(JSON.stringify(list));
    expect(events.map((e) => e.event?.id)).toEqual(['22222222-bbbb-4ccc-8ddd-000000000001', '22222222-bbbb-4ccc-8ddd-000000000002', '22222222-bbbb-4ccc-8ddd-000000000003']);
    expect(events.map((e) => e.event?.outcome)).toEqual(['success', 'success', 'failure']);
    expect(JSON.parse(events[2].event?.original as string)).toEqual(list.items[2]);
  });
  it('the pretty-printed webhook body decodes too, positioned at its first line', () => {
    const { events, rejected } = decodeAll(k8s, testdata('kubernetes-eventlist.json'), { keepOriginal: true });
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(3);
    expect(events.map((d) => d.position.line)).toEqual([1, 1, 1]);
  });
  it('items without kind/apiVersion take the list apiVersion; an empty list yields nothing', () => {
    const { kind: _k, apiVersion: _a, ...item } = base;
    const e = all({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [item] });
    expect(e[0].orchestrator?.api_version).toBe('audit.k8s.io/v1');
    expect(all({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [] })).toEqual([]);
  });
  it('a bad item rejects the list with the item in the path', () => {
    expect(rejects({ kind: 'EventList', items: [base, { ...base, sourceIPs: [1] }] }).path).toBe('items[1].sourceIPs[0]');
    expect(rejects({ kind: 'EventList', items: [base, 'x'] }).path).toBe('items[1]');
    expect(rejects({ kind: 'EventList', items: {} }).path).toBe('items');
  });
  it('the seed examples, pretty-printed, decode document by document', () => {
    const { events, rejected } = decodeAll(k8s, testdata('seed-gdch-kubernetes.json'), { keepOriginal: true });
    expect(rejected).toEqual([]);
    expect(events.map((d) => d.position.line)).toEqual([1, 53, 85, 137]);
    expect(events.map((d) => d.event.orchestrator?.resource?.type)).toEqual(['loggingtargets', 'auditloggingtargets', 'loggingrules', 'observabilitypipelines']);
  });
  it('input ending inside a document is a FormatError at flush', () => {
    const d = k8s.createDecoder({ keepOriginal: true });
    expect(d.push('{', { line: 1, offset: 0 })).toEqual([]);
    expect(d.push('  "kind": "Event",', { line: 2, offset: 2 })).toEqual([]);
    expect(() => d.flush()).toThrow(/input ended inside a JSON document starting at line 1/);
    expect(d.push(JSON.stringify(base), { line: 3, offset: 30 })).toHaveLength(1); // still usable
  });
});

describe('kubernetes-audit: rejected records', () => {
  it('missing time, wrong kinds and types, with field paths', () => {
    expect(rejects({ ...base, requestReceivedTimestamp: undefined, stageTimestamp: undefined }).path).toBe('requestReceivedTimestamp');
    expect(rejects({ ...base, requestReceivedTimestamp: 'today' }).path).toBe('requestReceivedTimestamp');
    expect(rejects({ ...base, sourceIPs: ['10.0.0.1', 5] }).path).toBe('sourceIPs[1]');
    expect(rejects({ ...base, sourceIPs: '10.0.0.1' }).path).toBe('sourceIPs');
    expect(rejects({ ...base, responseStatus: { code: '200' } }).path).toBe('responseStatus.code');
    expect(rejects({ ...base, user: { username: 7 } }).path).toBe('user.username');
    expect(rejects({ ...base, objectRef: { namespace: ['a'] } }).path).toBe('objectRef.namespace');
    expect(rejects({ ...base, kind: 'Pod' }).path).toBe('kind');
    expect(rejects({ ...base, apiVersion: 'v1' }).path).toBe('apiVersion');
  });
  it('the legacy text format is named as such', () => {
    expect(rejects('2017-02-28T10:00:00Z AUDIT: id="c939b" stage="ResponseComplete" ip="10.0.0.1" method="get"').message).toMatch(/legacy text audit format/);
  });
});

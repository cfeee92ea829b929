import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../model/event.js';
import { FormatError } from './format.js';
import { eventProblems } from '../bench/formats/fuzz.js';
import { gdchProxyFormat, responseOutcome } from './gdch-proxy.js';
import { decodeAll } from './registry.js';

type Doc = AuditEvent & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const base = {
  sourceIPs: ['10.253.165.26', '127.0.0.6'], response: 'Successful: 200 OK', time: '2022-12-02T21:37:03.657277582Z',
  user: { issuer: 'https://ais-core.example', identity: 'ops@example.com' }, resource: '/infra-obs/grafana/api/ds/query', action: 'QUERY',
};

function one(record: unknown): Doc {
  const out = gdchProxyFormat.createDecoder({ keepOriginal: true }).push(JSON.stringify(record), { line: 1, offset: 0 });
  expect(out).toHaveLength(1);
  expect(eventProblems(out[0].event)).toEqual([]);
  return out[0].event as Doc;
}

function rejects(record: unknown): FormatError {
  try {
    gdchProxyFormat.createDecoder({ keepOriginal: true }).push(typeof record === 'string' ? record : JSON.stringify(record), { line: 1, offset: 0 });
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('gdch-proxy: samples (spot values of samples/README.md)', () => {
  const events = decodeAll(gdchProxyFormat, readFileSync(new URL('./testdata/gdch-proxy.ndjson', import.meta.url), 'utf8'), { keepOriginal: true })
    .events.map((d) => d.event as Doc);
  it('line 1: the seed example', () => {
    const e = events[0];
    expect(e['@timestamp']).toBe('2022-12-02T21:37:03.657277582Z');
    expect(e.event?.action).toBe('query');
    expect(e.event?.category).toEqual(['web']);
    expect(e.event?.type).toEqual(['access']);
    expect(e.event?.id).toBe('b519ec65-d906-4a79-bcfe-a4e1984045fe');
    expect(e.http?.response?.status_code).toBe(200);
    expect(e.event?.outcome).toBe('success');
    expect(e.url?.path).toBe('/infra-obs/grafana/api/ds/query');
    expect(e.user?.name).toBe('fop-infrastructure-operator@example.com');
    expect(e.user?.email).toBe('fop-infrastructure-operator@example.com');
    expect(e.source?.ip).toBe('10.253.165.26');
    expect(e.client?.ip).toBe('10.253.165.26');
    expect(e.related?.ip).toEqual(['10.253.165.26', '127.0.0.6']);
    expect(e.related?.user).toEqual(['fop-infrastructure-operator@example.com']);
    expect(e.http?.response?.bytes).toBe(190079);
    expect(e.http?.request?.bytes).toBe(3172);
    expect(e.service?.name).toBe('grafana');
    expect(e.orchestrator?.cluster?.name).toBe('org-1-admin');
    expect(e.orchestrator?.namespace).toBe('infra-obs-obs-system');
    expect(e.gdch).toMatchObject({ cluster: 'org-1-admin', namespace: 'infra-obs-obs-system', service_name: 'grafana', service_tenant: 'infra-obs', fluentbit_pod: 'anthos-audit-logs-forwarder-9x9pd' });
    expect(e.gdch.proxy.user.issuer).toBe('https://ais-core.org-1.zone1.google.gdch.test');
    expect(e.gdch.proxy.response).toBe('Successful: 200 OK');
    expect(typeof e.gdch.proxy.description).toBe('string'); // kept as text, not parsed
    expect(e.message).toBe('fop-infrastructure-operator@example.com query /infra-obs/grafana/api/ds/query (success)');
  });
  it('line 8: 401, failure, no user.*, first of three source IPs', () => {
    const e = events[7];
    expect(e.http?.response?.status_code).toBe(401);
    expect(e.event?.outcome).toBe('failure');
    expect(e).not.toHaveProperty('user');
    expect(e.source?.ip).toBe('203.0.113.9');
    expect(e.related).toEqual({ ip: ['203.0.113.9', '10.253.165.1', '127.0.0.6'] });
    expect(e.message).toBe('- query /infra-obs/grafana/api/ds/query (failure)');
  });
  it('line 9: query string split off, a service account has no e-mail', () => {
    const e = events[8];
    expect(e.url?.query).toBe('query=%7Bservice_name%3D%22grafana%22%7D&limit=500');
    expect(e.url?.path).toBe('/infra-obs/loki/loki/api/v1/query_range');
    expect(e.user).toEqual({ name: 'system:serviceaccount:obs-system:log-exporter' });
  });
  it('403, 500, 504 are failures; 201 a success; IPv6; CREATE/UPDATE; non-ASCII identity', () => {
    expect([events[3], events[5], events[11]].map((e) => [e.http?.response?.status_code, e.event?.outcome])).toEqual([[403, 'failure'], [500, 'failure'], [504, 'failure']]);
    expect(events[4].event?.outcome).toBe('success');
    expect(events[9].source?.ip).toBe('2001:db8:100::25');
    expect(events[2].event?.action).toBe('create/update');
    expect(events[10].user?.email).toBe('åsa.lindqvist@example.se');
  });
});

describe('gdch-proxy: mapping', () => {
  it('responses: first 3-digit status, else the leading word; missing → unknown', () => {
    const cases: [unknown, number | undefined, string][] = [
      ['Successful: 200 OK', 200, 'success'], ['Failed: 403 Forbidden', 403, 'failure'], ['Failed: 500 Internal Server Error', 500, 'failure'],
      ['302 Found', 302, 'success'], ['Success', undefined, 'success'], ['Error: upstream reset', undefined, 'failure'],
      ['Denied by policy', undefined, 'failure'], ['Failed: 4031', undefined, 'failure'], ['request 999 done', undefined, 'unknown'],
      ['pending', undefined, 'unknown'], [undefined, undefined, 'unknown'], [404, 404, 'failure'],
    ];
    for (const [response, status, outcome] of cases) expect(responseOutcome(response), String(response)).toEqual(status === undefined ? { outcome } : { status, outcome });
  });
  it('nested sourceIPs (as the seed table prints them) are flattened', () => {
    const e = one({ ...base, sourceIPs: [['10.253.165.26', '127.0.0.6']] });
    expect(e.source?.ip).toBe('10.253.165.26');
    expect(e.related?.ip).toEqual(['10.253.165.26', '127.0.0.6']);
    expect(e.gdch).not.toHaveProperty('proxy.sourceIPs');
  });
  it('addresses that are not IPs stay under gdch.proxy.sourceIPs; duplicates are listed once', () => {
    const e = one({ ...base, sourceIPs: ['unknown', '10.0.0.1', '10.0.0.1', '2001:DB8::7'] });
    expect(e).not.toHaveProperty('source');
    expect(e.related?.ip).toEqual(['10.0.0.1', '2001:db8::7']);
    expect(e.gdch.proxy.sourceIPs).toEqual(['unknown', '10.0.0.1', '10.0.0.1', '2001:DB8::7']);
  });
  it('e-mail only for identities that look like one', () => {
    for (const id of ['system:serviceaccount:ns:sa', 'two words@example.com', 'a@b:c', 'no-at-sign']) expect(one({ ...base, user: { identity: id } }).user).toEqual({ name: id });
    expect(one({ ...base, user: { identity: '李雷@example.cn' } }).user?.email).toBe('李雷@example.cn');
  });
  it('other fields: unknown ones under gdch.proxy, other _gdch_ ones under gdch; byte counts as integers', () => {
    const e = one({ ...base, latencyMs: 12, _gdch_zone: 'zone1', numBytesSent: '77', user: { identity: 'x@example.com', groups: ['a'] } });
    expect(e.gdch.proxy.latencyMs).toBe(12);
    expect(e.gdch.proxy.user).toEqual({ groups: ['a'] });
    expect(e.gdch.zone).toBe('zone1');
    expect(e.http?.response?.bytes).toBe(77);
  });
  it('missing optional fields are absent', () => {
    const e = one({ time: '2022-12-02T21:37:03Z', resource: '/x' });
    expect(Object.keys(e)).toEqual(['@timestamp', 'message', 'ecs', 'event', 'url']);
    expect(e.event?.outcome).toBe('unknown');
    expect(e.message).toBe('- access /x (unknown)'); // no action: the types stand in, as in model/message.ts
  });
});

describe('gdch-proxy: rejected records', () => {
  it('missing or bad time, wrong types with their paths', () => {
    expect(rejects({ ...base, time: undefined }).path).toBe('time');
    expect(rejects({ ...base, time: '2022-12-02 21:37' }).path).toBe('time');
    expect(rejects({ ...base, sourceIPs: ['10.0.0.1', 7] }).path).toBe('sourceIPs[1]');
    expect(rejects({ ...base, sourceIPs: [['10.0.0.1', null]] }).path).toBe('sourceIPs[0][1]');
    expect(rejects({ ...base, sourceIPs: 7 }).path).toBe('sourceIPs');
    expect(rejects({ ...base, numBytesSent: -1 }).path).toBe('numBytesSent');
    expect(rejects({ ...base, user: 'ops' }).path).toBe('user');
    expect(rejects({ ...base, response: { code: 200 } }).path).toBe('response');
    expect(rejects('{"time":').message).toMatch(/invalid JSON/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../model/event.js';
import { appFormat } from './app.js';
import { FormatError } from './format.js';
import { eventProblems } from '../bench/formats/fuzz.js';
import { decodeAll } from './registry.js';

type Doc = AuditEvent & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function one(record: unknown, keepOriginal = true): Doc {
  const line = typeof record === 'string' ? record : JSON.stringify(record);
  const out = appFormat.createDecoder({ keepOriginal }).push(line, { line: 1, offset: 0 });
  expect(out).toHaveLength(1);
  expect(eventProblems(out[0].event)).toEqual([]);
  return out[0].event as Doc;
}

function rejects(record: unknown): FormatError {
  const line = typeof record === 'string' ? record : JSON.stringify(record);
  try {
    appFormat.createDecoder({ keepOriginal: true }).push(line, { line: 1, offset: 0 });
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}

const base = { level: 'I', ts: '1763812800.000000001', event: { kind: 'event', outcome: 'success', category: ['file'], type: ['access'], action: 'cas-read' }, user: { email: 'a@example.org' } };

describe('app: samples (spot values of samples/README.md)', () => {
  const text = readFileSync(new URL('./testdata/app.ndjson', import.meta.url), 'utf8');
  const events = decodeAll(appFormat, text, { keepOriginal: true }).events.map((d) => d.event as Doc);
  it('line 1: all 9 digits, authentication, type start (EngFlow omits it), success', () => {
    const e = events[0];
    expect(e['@timestamp']).toBe('2025-11-22T12:00:00.104233871Z');
    expect(e.event?.category).toEqual(['authentication']);
    expect(e.event?.type).toEqual(['start']);
    expect(e.event?.outcome).toBe('success');
    expect(e.event?.original).toBe(text.split('\n')[0]);
    expect(e.source?.ip).toBe('198.51.100.10');
    expect(e.client?.ip).toBe('198.51.100.10');
    expect(e.log?.level).toBe('info');
  });
  it('line 12: a cache miss stays success with error.code NOT_FOUND', () => {
    expect(events[11].event?.outcome).toBe('success');
    expect(events[11].error?.code).toBe('NOT_FOUND');
  });
  it('line 20: no source, user_agent, organization: absent, not empty', () => {
    const e = events[19];
    for (const k of ['source', 'client', 'user_agent', 'organization']) expect(e).not.toHaveProperty(k);
    expect(e.related).toEqual({ user: ['batch@example.org'] });
    expect(e.message).toBe('batch@example.org action-cache-get (success)');
  });
  it('line 22: user.target.email, in related.user after the actor', () => {
    expect(events[21].user?.target?.email).toBe('tomás.ruiz@example.org');
    expect(events[21].related?.user).toEqual(['okta-scim@example.org', 'tomás.ruiz@example.org']);
  });
  it('failed sign-ins, 409/403 SCIM failures, unknown outcome, IPv6, non-ASCII, empty roles omitted', () => {
    expect(events[1].event?.outcome).toBe('failure');
    expect(events[1].user).toEqual({ email: 'unknown@example.org' });
    expect([events[8].error?.code, events[9].error?.code]).toEqual(['409', '403']);
    expect(events[18].event?.outcome).toBe('unknown');
    expect(events[4].source?.ip).toBe('2001:db8:ace::17');
    expect(events[20].message).toBe('李雷@example.cn sign-in (success)');
    expect(events[3].event?.type).toEqual(['end']);
  });
});

describe('app: mapping', () => {
  it('the EngFlow documentation example', () => {
    const e = one('{"level":"I","ts":"1766435832.671421000","organization":{"id":"my-tenant"},"event":{"kind":"event","outcome":"success","category":["file"],"type":["access"],"action":"action-cache-get"},"error":{"code":"NOT_FOUND"},"user":{"email":"alice@example.com","roles":["admin"]},"source":{"ip":"203.0.113.4"},"user_agent":{"original":"grpc-go/1.57.0"}}');
    expect(e['@timestamp']).toBe('2025-12-22T20:37:12.671421000Z');
    expect(e.message).toBe('alice@example.com action-cache-get my-tenant (success)');
    expect(e.event).toMatchObject({ kind: 'event', module: 'app', dataset: 'app.audit', outcome: 'success', category: ['file'], type: ['access'] });
    expect(e.ecs?.version).toBe('8.11.0');
    expect(e.user).toEqual({ email: 'alice@example.com', roles: ['admin'] });
    expect(e.related).toEqual({ ip: ['203.0.113.4'], user: ['alice@example.com'] });
    expect(e).not.toHaveProperty('app');
  });
  it('a numeric ts keeps the digits written in the line', () => {
    expect(one('{"ts":1766435832.671421000,"event":{"action":"x"}}')['@timestamp']).toBe('2025-12-22T20:37:12.671421000Z');
    expect(one('{"ts":1766435832,"event":{"action":"x"}}')['@timestamp']).toBe('2025-12-22T20:37:12Z');
  });
  it('@timestamp is accepted instead of ts (converted to UTC); ts wins and the other is kept under app', () => {
    expect(one({ '@timestamp': '2025-11-22T13:00:00.5+01:00', event: { action: 'x' } })['@timestamp']).toBe('2025-11-22T12:00:00.5Z');
    const e = one({ ts: '1763812800.5', '@timestamp': '2001-01-01T00:00:00Z' });
    expect(e['@timestamp']).toBe('2025-11-22T12:00:00.5Z');
    expect(e.app).toEqual({ '@timestamp': '2001-01-01T00:00:00Z' });
  });
  it('outcome: as given (any case); missing → failure with an error, else unknown; other values kept under app', () => {
    expect(one({ ...base, event: { action: 'a', outcome: 'SUCCESS' } }).event?.outcome).toBe('success');
    expect(one({ ts: '1', event: { action: 'a' }, error: { code: 'INTERNAL' } }).event?.outcome).toBe('failure');
    expect(one({ ts: '1', event: { action: 'a' }, error: { code: '' } }).event?.outcome).toBe('unknown');
    const e = one({ ts: '1', event: { action: 'a', outcome: 'ok' } });
    expect(e.event?.outcome).toBe('unknown');
    expect(e.app).toEqual({ event: { outcome: 'ok' } });
  });
  it('categories: auth → authentication, a string becomes an array, non-ECS values go to app.event', () => {
    expect(one({ ts: '1', event: { category: 'auth', action: 'sign-in' } }).event?.category).toEqual(['authentication']);
    const e = one({ ts: '1', event: { category: ['file', 'cache'], type: ['access', 'read'] } });
    expect(e.event?.category).toEqual(['file']);
    expect(e.event?.type).toEqual(['access']);
    expect(e.app).toEqual({ event: { category: ['cache'], type: ['read'] } });
  });
  it('authentication without type: sign-out/logout → end, sign-in/login → start, else info; others get none', () => {
    const t = (action: string) => one({ ts: '1', event: { category: ['authentication'], action } }).event?.type;
    expect([t('sign-out'), t('user-logout'), t('sign-in'), t('LOGIN'), t('token-refresh')]).toEqual([['end'], ['end'], ['start'], ['start'], ['info']]);
    expect(one({ ts: '1', event: { category: ['file'], action: 'x' } }).event).not.toHaveProperty('type');
  });
  it('ids are strings; levels map I/W/E/D', () => {
    const e = one({ ts: '1', level: 'W', error: { code: 403, message: 'denied' }, user: { id: 1000 }, organization: { id: 7 } });
    expect(e.error).toEqual({ code: '403', message: 'denied' });
    expect(e.user?.id).toBe('1000');
    expect(e.organization?.id).toBe('7');
    expect(e.log?.level).toBe('warning');
    expect(one({ ts: '1', level: 'E' }).log?.level).toBe('error');
    expect(one({ ts: '1', level: 'D' }).log?.level).toBe('debug');
    expect(one({ ts: '1', level: 'NOTICE' }).log?.level).toBe('NOTICE');
  });
  it('IPs: IPv6 in RFC 5952 form; a value that is not an IP stays under app.source', () => {
    expect(one({ ts: '1', source: { ip: '2001:DB8:0:0::1' } }).related?.ip).toEqual(['2001:db8::1']);
    const e = one({ ts: '1', source: { ip: 'proxy.internal', port: 443 } });
    expect(e.source).toEqual({ port: 443 });
    expect(e).not.toHaveProperty('client');
    expect(e).not.toHaveProperty('related');
    expect(e.app).toEqual({ source: { ip: 'proxy.internal' } });
  });
  it('payload fields go to app.*, ECS field sets pass through, empty values are omitted', () => {
    const e = one({ ...base, digest: { hash: 'abc', size: 12 }, instance_name: '', url: { path: '/x' }, tags: 'cache', labels: { team: 'build' }, user: { email: 'a@example.org', name: 'Ann', roles: [], mystery: 1, target: { name: 'bob', nick: 'b' } } });
    expect(e.app).toEqual({ digest: { hash: 'abc', size: 12 }, user: { mystery: 1, target: { nick: 'b' } } });
    expect(e.url).toEqual({ path: '/x' });
    expect(e.tags).toEqual(['cache']);
    expect(e.labels).toEqual({ team: 'build' });
    expect(e.user).toEqual({ email: 'a@example.org', name: 'Ann', target: { name: 'bob' } });
    expect(e.related?.user).toEqual(['a@example.org', 'Ann', 'bob']);
    expect(e.message).toBe('Ann cas-read bob (success)');
  });
  it('keepOriginal: false leaves event.original out', () => {
    expect(one(base, false).event).not.toHaveProperty('original');
  });
  it('a __proto__ payload key is kept as data', () => {
    const e = one('{"ts":"1","__proto__":{"polluted":true}}');
    expect(Object.keys(e.app as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('app: rejected records', () => {
  it('bad JSON, non-objects', () => {
    expect(rejects('{"ts":"1",').message).toMatch(/invalid JSON/);
    expect(rejects('[1,2]').message).toMatch(/expected a JSON object/);
  });
  it('missing or unreadable time', () => {
    expect(rejects({ event: { action: 'x' } }).path).toBe('ts');
    expect(rejects({ ts: '' }).path).toBe('ts');
    expect(rejects({ ts: 'soon' }).path).toBe('ts');
    expect(rejects({ ts: true }).path).toBe('ts');
    expect(rejects({ ts: '1.1234567890' }).path).toBe('ts');
    expect(rejects({ '@timestamp': 5 }).path).toBe('@timestamp');
  });
  it('wrong types name the field path', () => {
    expect(rejects({ ts: '1', event: { category: ['file', 7] } }).path).toBe('event.category[1]');
    expect(rejects({ ts: '1', event: 'login' }).path).toBe('event');
    expect(rejects({ ts: '1', user: { roles: ['a', {}] } }).path).toBe('user.roles[1]');
    expect(rejects({ ts: '1', user: { email: ['a@b'] } }).path).toBe('user.email');
    expect(rejects({ ts: '1', source: { port: 70000 } }).path).toBe('source.port');
    expect(rejects({ ts: '1', url: { path: 5 } }).path).toBe('url.path');
  });
});

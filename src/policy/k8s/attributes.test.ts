import { describe, expect, it } from 'vitest';
import { attributesFromEvent, emptyAttributes, pathOfRequestURI } from './attributes.js';

describe('attributesFromEvent', () => {
  it('reads a namespaced resource request', () => {
    expect(
      attributesFromEvent({
        verb: 'get',
        requestURI: '/apis/apps/v1/namespaces/web/deployments/api/scale?x=1',
        user: { username: 'alice', groups: ['dev'] },
        objectRef: { apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', namespace: 'web', name: 'api', subresource: 'scale' },
      }),
    ).toEqual({
      user: { name: 'alice', groups: ['dev'] },
      verb: 'get',
      resourceRequest: true,
      namespace: 'web',
      apiGroup: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      name: 'api',
      path: '/apis/apps/v1/namespaces/web/deployments/api/scale',
    });
  });

  it('core group and cluster scope: missing fields are ""', () => {
    const a = attributesFromEvent({ verb: 'get', requestURI: '/api/v1/nodes/n1', user: { username: 'u' }, objectRef: { resource: 'nodes', name: 'n1' } });
    expect([a.apiGroup, a.namespace, a.subresource, a.resourceRequest]).toEqual(['', '', '', true]);
  });

  it('any objectRef makes a resource request, even an empty one', () => {
    expect(attributesFromEvent({ objectRef: {} }).resourceRequest).toBe(true);
    expect(attributesFromEvent({ requestURI: '/healthz' }).resourceRequest).toBe(false);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty object', {}],
    ['all fields empty', { username: '', groups: [], extra: {} }],
    ['not an object', 'alice'],
  ])('no user when user is %s', (_n, user) => {
    expect(attributesFromEvent({ verb: 'get', user }).user).toBeNull();
  });

  it('a user with groups but no name is still a user', () => {
    expect(attributesFromEvent({ user: { groups: ['system:unauthenticated'] } }).user).toEqual({ name: '', groups: ['system:unauthenticated'] });
  });

  it('uses user, never impersonatedUser', () => {
    const a = attributesFromEvent({ user: { username: 'admin' }, impersonatedUser: { username: 'system:kube-proxy', groups: ['x'] } });
    expect(a.user).toEqual({ name: 'admin', groups: [] });
  });

  it('create without subresource: name is "" (the apiserver decided before the body was read)', () => {
    const ref = { resource: 'serviceaccounts', namespace: 'batch', name: 'nightly' };
    expect(attributesFromEvent({ verb: 'create', objectRef: ref }).name).toBe('');
    expect(attributesFromEvent({ verb: 'update', objectRef: ref }).name).toBe('nightly');
    expect(attributesFromEvent({ verb: 'create', objectRef: { ...ref, resource: 'pods', subresource: 'exec' } }).name).toBe('nightly');
  });

  it('non-string fields are ignored', () => {
    const a = attributesFromEvent({ verb: 7, requestURI: ['/x'], user: { username: 5, groups: 'g' }, objectRef: { resource: 1 } });
    expect(a).toMatchObject({ verb: '', path: '', resource: '', user: { name: '', groups: [] } });
  });

  it('any input yields attributes', () => {
    for (const v of [undefined, null, 0, 'x', [], [1]]) expect(attributesFromEvent(v)).toEqual(emptyAttributes());
  });

  it('reuses the target object and its user', () => {
    const into = emptyAttributes();
    const a = attributesFromEvent({ user: { username: 'a' } }, into);
    const u = a.user;
    const b = attributesFromEvent({ user: { username: 'b' }, objectRef: { resource: 'pods' } }, into);
    expect(b).toBe(into);
    expect(b.user).toBe(u);
    expect(b).toMatchObject({ user: { name: 'b' }, resourceRequest: true, resource: 'pods' });
    expect(attributesFromEvent({ requestURI: '/x' }, into)).toMatchObject({ user: null, resourceRequest: false, resource: '' });
  });
});

describe('pathOfRequestURI', () => {
  it.each([
    ['/healthz?verbose', '/healthz'],
    ['/healthz', '/healthz'],
    ['', ''],
    ['/logs/my%20file.log', '/logs/my file.log'],
    ['/bad%zzescape', '/bad%zzescape'],
    ['/a#b?c', '/a#b'],
    ['https://10.0.0.1:6443/version?x', '/version'],
  ])('%s → %s', (uri, want) => {
    expect(pathOfRequestURI(uri)).toBe(want);
  });
});

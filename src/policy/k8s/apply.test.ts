import { describe, expect, it } from 'vitest';
import { appliedLevel, applyDecision, applyPolicy, keepAll, withoutManagedFields } from './apply.js';
import { compilePolicy } from './evaluate.js';
import type { AuditEvent, Decision, Level, Stage } from './types.js';

const decision = (level: Level, omitStages: Stage[] = [], omitManagedFields = false): Decision => ({
  level,
  omitStages,
  omitManagedFields,
  rule: 1,
});

const MF = [{ manager: 'kubectl', operation: 'Update' }];

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}

const event = (o: Partial<AuditEvent> = {}): AuditEvent =>
  deepFreeze({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'a1',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/web/configmaps',
    verb: 'create',
    user: { username: 'alice' },
    objectRef: { resource: 'configmaps', namespace: 'web', name: 'c' },
    responseStatus: { code: 201 },
    requestObject: { kind: 'ConfigMap', metadata: { name: 'c', managedFields: MF }, data: { a: '1' } },
    responseObject: { kind: 'ConfigMap', metadata: { name: 'c', uid: 'u', managedFields: MF }, data: { a: '1' } },
    annotations: { 'authorization.k8s.io/decision': 'allow' },
    ...o,
  });

describe('applyDecision', () => {
  it('level None drops the event', () => {
    expect(applyDecision(event(), decision('None'))).toMatchObject({ event: null, dropped: 'level' });
  });

  it('a stage in omitStages drops the event', () => {
    const r = applyDecision(event({ stage: 'RequestReceived' }), decision('Request', ['RequestReceived']));
    expect(r).toMatchObject({ event: null, dropped: 'stage' });
    expect(applyDecision(event(), decision('Request', ['RequestReceived'])).event).not.toBeNull();
  });

  it('Metadata strips both bodies and keeps status, annotations, objectRef', () => {
    const out = applyDecision(event(), decision('Metadata')).event!;
    expect(out.level).toBe('Metadata');
    expect('requestObject' in out || 'responseObject' in out).toBe(false);
    expect(out.responseStatus).toEqual({ code: 201 });
    expect(out.annotations).toEqual({ 'authorization.k8s.io/decision': 'allow' });
    expect(out.objectRef).toEqual({ resource: 'configmaps', namespace: 'web', name: 'c' });
  });

  it('Request strips only the response', () => {
    const out = applyDecision(event(), decision('Request')).event!;
    expect(out.level).toBe('Request');
    expect(out.requestObject).toBeDefined();
    expect('responseObject' in out).toBe(false);
  });

  it('RequestResponse keeps everything', () => {
    expect(applyDecision(event(), decision('RequestResponse')).event).toEqual(event());
  });

  it('an event recorded at a lower level is kept as it is, not upgraded', () => {
    const low = event({ level: 'Metadata', requestObject: undefined, responseObject: undefined });
    const out = applyDecision(low, decision('RequestResponse')).event!;
    expect(out.level).toBe('Metadata');
    expect(out).toEqual(low);
  });

  it.each<[unknown, Level, Level]>([
    ['Metadata', 'Request', 'Metadata'],
    ['RequestResponse', 'Request', 'Request'],
    ['Request', 'Request', 'Request'],
    [undefined, 'Request', 'Request'],
    ['Verbose', 'Metadata', 'Metadata'],
  ])('appliedLevel(recorded %s, decision %s) = %s', (recorded, d, want) => {
    expect(appliedLevel(d, recorded)).toBe(want);
  });

  it('does not mutate the input (frozen input works) and keeps field order', () => {
    const input = event();
    const out = applyDecision(input, decision('Request', [], true)).event!;
    expect(out).not.toBe(input);
    expect(Object.keys(out)).toEqual(Object.keys(input).filter((k) => k !== 'responseObject'));
  });

  it('omitManagedFields strips metadata.managedFields from both bodies', () => {
    const out = applyDecision(event(), decision('RequestResponse', [], true)).event!;
    expect(out.requestObject).toEqual({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    expect(out.responseObject).toEqual({ kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' }, data: { a: '1' } });
  });

  it('without omitManagedFields, managed fields stay', () => {
    const out = applyDecision(event(), decision('RequestResponse')).event!;
    expect((out.requestObject as { metadata: object }).metadata).toHaveProperty('managedFields');
  });

  it('PATCH request bodies are stored as sent', () => {
    const patch = { metadata: { managedFields: MF, labels: { a: 'b' } } };
    const out = applyDecision(event({ verb: 'patch', requestObject: patch }), decision('RequestResponse', [], true)).event!;
    expect(out.requestObject).toEqual(patch);
    expect((out.responseObject as { metadata: object }).metadata).not.toHaveProperty('managedFields');
  });
});

describe('withoutManagedFields', () => {
  it('strips list items', () => {
    const list = deepFreeze({ kind: 'PodList', metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'a', managedFields: MF } }, { metadata: { name: 'b' } }] });
    expect(withoutManagedFields(list)).toEqual({ kind: 'PodList', metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] });
  });

  it('strips Table row objects', () => {
    const table = deepFreeze({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [{ cells: ['a'], object: { kind: 'PartialObjectMetadata', metadata: { name: 'a', managedFields: MF } } }] });
    expect(withoutManagedFields(table)).toEqual({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [{ cells: ['a'], object: { kind: 'PartialObjectMetadata', metadata: { name: 'a' } } }] });
  });

  it('returns the same value when there is nothing to strip', () => {
    const o = { metadata: { name: 'x' }, items: [{ metadata: {} }] };
    expect(withoutManagedFields(o)).toBe(o);
    expect(withoutManagedFields('raw')).toBe('raw');
    expect(withoutManagedFields([{ metadata: { managedFields: [] } }])).toEqual([{ metadata: { managedFields: [] } }]);
  });
});

describe('applyPolicy / keepAll', () => {
  const policy = compilePolicy({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    rules: [
      { level: 'None', users: ['system:kube-proxy'] },
      { level: 'Metadata', resources: [{ resources: ['configmaps'] }], omitStages: ['RequestReceived'] },
    ],
  });

  it('evaluates and applies', () => {
    const r = applyPolicy(policy, event());
    expect(r.decision?.rule).toBe(2);
    expect(r.event?.level).toBe('Metadata');
    expect(applyPolicy(policy, event({ user: { username: 'system:kube-proxy' } }))).toMatchObject({ event: null, dropped: 'level' });
    expect(applyPolicy(policy, event({ stage: 'RequestReceived' }))).toMatchObject({ event: null, dropped: 'stage' });
    expect(applyPolicy(policy, event({ objectRef: { resource: 'pods' } }))).toMatchObject({ event: null, dropped: 'level', decision: { rule: null } });
  });

  it('no policy keeps everything unchanged', () => {
    for (const r of [applyPolicy(null, event()), applyPolicy(undefined, event()), keepAll(event())]) {
      expect(r.decision).toBeNull();
      expect(r.dropped).toBeNull();
      expect(r.event).toEqual(event());
    }
  });
});

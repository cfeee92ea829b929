import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/events.js';
import { testServer, type TestServer } from '../testing/server.js';

const POLICY = new URL('../policy/k8s/testdata/giantswarm-policy.yaml', import.meta.url).pathname;
const SAMPLE = new URL('../formats/testdata/kubernetes-eventlist.json', import.meta.url).pathname;
const now = new Date(Date.now() - 60_000).toISOString().replace('Z', '000Z');

/** An audit event at level RequestResponse with both bodies. */
function event(id: string, over: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: id,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/secrets/db',
    verb: 'get',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.7'],
    objectRef: { resource: 'secrets', namespace: 'shop', name: 'db', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestObject: { kind: 'DeleteOptions' },
    responseObject: { kind: 'Secret', data: { password: 'aHVudGVyMg==' } },
    requestReceivedTimestamp: now,
    stageTimestamp: now,
    ...over,
  };
}

const list = (items: unknown[]) => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

describe('POST /api/v1/k8s/audit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer({ 'kubernetes.policy': [POLICY] });
  });
  afterAll(() => s.stop());
  const post = (body: string) => s.call('/api/v1/k8s/audit', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const stored = async (q: string) =>
    ((await (await s.call(`/api/v1/query?query=${encodeURIComponent(q)}&since=1h&limit=1000&direction=forward`)).json()) as {
      events: { event: { id: string; original: string }; kubernetes: { audit: Record<string, unknown> } }[];
    }).events;

  it('applies the policy, normalizes and stores the level-reduced events', async () => {
    const body = list([
      event('a-secret', {}),
      event('b-status', {
        verb: 'update',
        requestURI: '/api/v1/namespaces/web/pods/api-1/status',
        user: { username: 'system:node:w1', groups: ['system:nodes', 'system:authenticated'] },
        objectRef: { resource: 'pods', subresource: 'status', namespace: 'web', name: 'api-1', apiVersion: 'v1' },
      }),
      event('c-healthz', { requestURI: '/healthz', objectRef: undefined, verb: 'get' }),
      event('d-early', { stage: 'RequestReceived' }),
    ]);
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, dropped: 2 });
    const events = await stored('{dataset="kubernetes.audit_logs", user="alice@example.com"} |= "a-secret"');
    expect(events).toHaveLength(1);
    const secret = events[0].kubernetes.audit;
    expect(secret.level).toBe('Metadata'); // rule 14: secrets at Metadata
    expect(secret.requestObject).toBeUndefined();
    expect(secret.responseObject).toBeUndefined();
    expect(events[0].event.original).not.toContain('aHVudGVyMg=='); // the secret never reaches the store
    const status = (await stored('{dataset="kubernetes.audit_logs"} |= "b-status"'))[0].kubernetes.audit;
    expect(status.level).toBe('Request'); // rule 13: nodes updating pods/status
    expect(status.requestObject).toEqual({ kind: 'DeleteOptions' });
    expect(status.responseObject).toBeUndefined();
  });

  it('stores the valid items of a batch with invalid ones, reporting them by index, and a retry stores nothing twice', async () => {
    const body = list([event('e-ok', {}), 'not an event', event('f-bad', { requestReceivedTimestamp: 42, stageTimestamp: 42 })]);
    const first = await post(body);
    expect(first.status).toBe(200);
    const result = (await first.json()) as { accepted: number; rejected: number; errors: { path: string }[] };
    expect(result.accepted).toBe(1);
    expect(result.rejected).toBe(2);
    expect(result.errors.map((e) => e.path)).toEqual(['items[1]', expect.stringMatching(/^items\[2\]\.requestReceivedTimestamp/)]);
    const again = await post(body);
    expect(await again.json()).toEqual(result);
    expect(await stored('{dataset="kubernetes.audit_logs"} |= "e-ok"')).toHaveLength(1);
  });

  it('stores a batch once when the API server resends it while the first attempt is still running', async () => {
    const body = list([event('g-twice', {})]);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    for (const a of answers) expect(await a.json()).toEqual({ accepted: 1 });
    expect(await stored('{dataset="kubernetes.audit_logs"} |= "g-twice"')).toHaveLength(1);
  });

  it('accepts the API server sample EventList', async () => {
    const res = await post(readFileSync(SAMPLE, 'utf8'));
    expect(await res.json()).toEqual({ accepted: 3 });
  });

  it('answers a body that is not an EventList with 400', async () => {
    expect((await post('{"kind":"Event"}')).status).toBe(400);
    expect((await post('{nope')).status).toBe(400);
  });
});

describe('webhook authentication by client certificate (mTLS)', () => {
  const haveOpenssl = (() => {
    try {
      execFileSync('openssl', ['version']);
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!haveOpenssl)('takes a certificate signed by client_ca as an ingest credential (needs openssl: apt-get install openssl)', async () => {
    const d = tempDir('vigil-tls-');
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca');
    writeFileSync(join(d, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, cn, ext] of [['server', '127.0.0.1', ['-extfile', 'san.cnf']], ['client', 'kube-apiserver', []]] as const) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...ext);
    }
    expect(existsSync(join(d, 'client.crt'))).toBe(true);
    const s = await testServer({
      'server.tls.cert': join(d, 'server.crt'),
      'server.tls.key': join(d, 'server.key'),
      'server.tls.client_ca': join(d, 'ca.crt'),
    });
    const send = (path: string, withCert: boolean, method = 'POST') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${s.url}${path}`,
          {
            method,
            ca: readFileSync(join(d, 'ca.crt')),
            ...(withCert ? { cert: readFileSync(join(d, 'client.crt')), key: readFileSync(join(d, 'client.key')) } : {}),
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        req.end(method === 'POST' ? list([event('g-mtls', {})]) : undefined);
      });
    expect(s.url.startsWith('https://')).toBe(true);
    expect(await send('/api/v1/k8s/audit', true)).toEqual({ status: 200, body: '{"accepted":1}' });
    expect((await send('/api/v1/k8s/audit', false)).status).toBe(401);
    // a certificate grants ingest only
    expect((await send('/api/v1/query?query=%7Bdataset%3D%22x%22%7D', true, 'GET')).status).toBe(403);
    await s.stop();
  });
});

/**
 * Throughput of the JSON formats against raw `JSON.parse` on the same bytes.
 * `benchFormats()` generates realistic records (≈20k per format, varied
 * users, addresses, times, verbs and outcomes), then measures, in the same
 * run and interleaved, how many records a second `JSON.parse` reads and how
 * many events a second the format's decoder produces. The goal is a ratio
 * (decoder / JSON.parse) of at least 0.5.
 */
import { performance } from 'node:perf_hooks';
import { prng } from '../auditd/generate.js';
import { getFormat } from '../../formats/registry.js';

export interface BenchResult {
  format: string;
  eventsPerSec: number;
  jsonParsePerSec: number;
  ratio: number;
}

type Pick = <T>(xs: readonly T[]) => T;

function picker(r: () => number): Pick {
  return (xs) => xs[Math.floor(r() * xs.length)];
}

const USERS = ['priya.n@example.org', 'ci-bot@example.org', 'okta-scim@example.org', 'tomás.ruiz@example.org', 'viewer@example.org', '李雷@example.cn'];
const IPS = ['198.51.100.10', '203.0.113.250', '10.8.0.21', '192.0.2.140', '2001:db8:ace::17', '10.253.165.26'];
const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Log time of the i-th record: about ten records a second, as an active cluster or build farm writes them. */
const sec = (i: number) => Math.floor(i / 10);

function isoAt(sec: number, frac: string): string {
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

function appLine(i: number, r: () => number, pick: Pick): string {
  const ts = `${1763812800 + sec(i)}.${pad(Math.floor(r() * 1e9), 9)}`;
  const kind = pick(['file', 'file', 'file', 'iam', 'authentication'] as const);
  const action =
    kind === 'file' ? pick(['action-cache-get', 'action-cache-put', 'cas-read', 'cas-write'])
    : kind === 'iam' ? pick(['scim-user-create', 'scim-user-update', 'scim-user-delete'])
    : pick(['sign-in', 'sign-out']);
  const ev: Record<string, unknown> = { kind: 'event', outcome: pick(['success', 'success', 'failure', 'unknown']), category: [kind], action };
  if (kind === 'file') ev.type = [pick(['access', 'change', 'creation', 'deletion'])];
  if (kind === 'iam') ev.type = [pick(['creation', 'change', 'deletion'])];
  const o: Record<string, unknown> = { level: 'I', ts };
  if (kind !== 'authentication') o.organization = { id: pick(['prod', 'staging']) };
  o.event = ev;
  if (ev.outcome === 'failure') o.error = { code: pick(['NOT_FOUND', 'PERMISSION_DENIED', '403']) };
  o.user = { email: pick(USERS), roles: [pick(['admin', 'ci', 'user'])] };
  o.source = { ip: pick(IPS) };
  o.user_agent = { original: pick(['bazel/7.4.1', 'curl/8.4.0', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36']) };
  return JSON.stringify(o);
}

function gdchLine(i: number, r: () => number, pick: Pick): string {
  const status = pick(['Successful: 200 OK', 'Successful: 200 OK', 'Successful: 201 Created', 'Failed: 403 Forbidden', 'Failed: 500 Internal Server Error']);
  return JSON.stringify({
    sourceIPs: [pick(IPS), '127.0.0.6'],
    description: r() < 0.2 ? '{"queries":[{"refId":"A","expr":"{service_name=\\"grafana\\"}","maxLines":1000}]}' : '',
    response: status,
    _gdch_namespace: 'infra-obs-obs-system',
    numBytesSent: Math.floor(r() * 200000),
    time: isoAt(1670016000 + sec(i), pad(Math.floor(r() * 1e9), 9)),
    user: { issuer: 'https://ais-core.org-1.zone1.google.gdch.test', identity: pick([...USERS, 'system:serviceaccount:obs-system:log-exporter']) },
    _gdch_service_name: pick(['grafana', 'loki']),
    _gdch_service_tenant: 'infra-obs',
    numBytesReceived: Math.floor(r() * 5000),
    resource: pick(['/infra-obs/grafana/api/ds/query', '/infra-obs/loki/loki/api/v1/query_range?query=%7Bx%3D%22y%22%7D&limit=500', '/infra-obs/grafana/api/dashboards/db']),
    auditID: `0d6f3a2e-5b1c-4e8a-9f77-${pad(i, 12)}`,
    action: pick(['QUERY', 'READ', 'CREATE', 'UPDATE', 'DELETE', 'CREATE/UPDATE']),
    _gdch_cluster: 'org-1-admin',
    _gdch_fluentbit_pod: 'anthos-audit-logs-forwarder-9x9pd',
  });
}

function k8sEvent(i: number, r: () => number, pick: Pick): Record<string, unknown> {
  const verb = pick(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
  const ns = pick(['web', 'batch', 'kube-system']);
  const resource = pick(['pods', 'secrets', 'configmaps', 'deployments']);
  const name = verb === 'list' || verb === 'watch' ? undefined : `${resource.slice(0, -1)}-${i % 97}`;
  const code = pick([200, 200, 200, 201, 403, 404, 409]);
  const start = 1763827200 + sec(i);
  const ev: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `11111111-aaaa-4bbb-8ccc-${pad(i, 12)}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${ns}/${resource}${name ? `/${name}` : ''}${verb === 'watch' ? '?watch=true' : ''}`,
    verb,
    user: { username: pick(['kubernetes-admin', 'system:serviceaccount:web:frontend', 'oidc:jürgen@beispiel.de']), uid: '8f14e45f-ceea-467f-a8c4-1d2e3f4a5b6c', groups: ['system:authenticated'] },
    sourceIPs: r() < 0.2 ? [pick(IPS), '10.96.0.1'] : [pick(IPS)],
    userAgent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
    objectRef: { resource, namespace: ns, ...(name ? { name } : {}), apiVersion: 'v1' },
    responseStatus: { metadata: {}, code },
    requestReceivedTimestamp: isoAt(start, pad(Math.floor(r() * 1e6), 6)),
    stageTimestamp: isoAt(start, '999999'),
    annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': '' },
  };
  if (r() < 0.3) ev._gdch_cluster = 'org-1-admin';
  return ev;
}

function ecsLine(i: number, r: () => number, pick: Pick): string {
  const ip = pick(IPS);
  return JSON.stringify({
    '@timestamp': isoAt(1763812800 + sec(i), pad(Math.floor(r() * 1e9), 9)),
    message: 'stored by vigil',
    ecs: { version: '8.11.0' },
    event: { kind: 'event', module: 'app', dataset: 'app.audit', action: 'cas-read', category: ['file'], type: ['access'], outcome: pick(['success', 'failure']) },
    user: { email: pick(USERS), roles: ['ci'] },
    source: { ip },
    client: { ip },
    related: { ip: [ip], user: [pick(USERS)] },
  });
}

/** Realistic records of each JSON format (deterministic). */
export function benchData(perFormat = 20_000): Record<string, string[]> {
  const r = prng(42);
  const pick = picker(r);
  const make = (f: (i: number) => string) => Array.from({ length: perFormat }, (_, i) => f(i));
  const k8s = make((i) => JSON.stringify(k8sEvent(i, r, pick)));
  const app = make((i) => appLine(i, r, pick));
  const gdch = make((i) => gdchLine(i, r, pick));
  const ecs = make((i) => ecsLine(i, r, pick));
  const mixed = make((i) => [app, gdch, k8s, ecs][i % 4][i]);
  return { app, 'gdch-proxy': gdch, 'kubernetes-audit': k8s, ecs, auto: mixed };
}

/** Records a second over one round of at least `roundMs`. */
function rate(lines: string[], run: (lines: string[]) => number, roundMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < roundMs) {
    n += run(lines);
    t = performance.now();
  }
  return (n / (t - t0)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measures every JSON format (and `auto` on a mix of them) against JSON.parse
 * on the same lines, in interleaved rounds of `roundMs`; rates are medians.
 */
export function benchFormats(perFormat = 20_000, roundMs = 100): BenchResult[] {
  const data = benchData(perFormat);
  const out: BenchResult[] = [];
  let sink = 0;
  for (const [name, lines] of Object.entries(data)) {
    const format = getFormat(name);
    const parse = (ls: string[]) => {
      for (let i = 0; i < ls.length; i++) sink += (JSON.parse(ls[i]) as object) ? 1 : 0;
      return ls.length;
    };
    const decode = (ls: string[]) => {
      const d = format.createDecoder({ keepOriginal: true });
      let n = 0;
      for (let i = 0; i < ls.length; i++) n += d.push(ls[i], { line: i + 1, offset: 0 }).length;
      return n;
    };
    decode(lines); // warm up both paths before measuring
    parse(lines);
    // Rounds alternate (parse, decode) and (decode, parse), so both see the same machine
    // conditions; the ratio is the median of the per-pair ratios, robust against noisy neighbours.
    const parseRates: number[] = [];
    const decodeRates: number[] = [];
    const ratios: number[] = [];
    for (let k = 0; k < 12; k++) {
      const p1 = k % 2 === 0 ? rate(lines, parse, roundMs) : 0;
      const d = rate(lines, decode, roundMs);
      const p = k % 2 === 0 ? p1 : rate(lines, parse, roundMs);
      parseRates.push(p);
      decodeRates.push(d);
      ratios.push(d / p);
    }
    out.push({ format: name, eventsPerSec: Math.round(median(decodeRates)), jsonParsePerSec: Math.round(median(parseRates)), ratio: median(ratios) });
  }
  if (sink < 0) throw new Error('unreachable');
  return out;
}

/**
 * Property tests of the formats, runnable at any scale: `fuzzFormats(n)` runs
 * about `n` generated or mutated inputs through each format (the unit suite
 * uses ≈2,000; a fuzz script can ask for 100,000 and more). Properties:
 * a decoder never throws anything but FormatError and never hangs (each push
 * must return within a time limit), and every event it emits is a valid,
 * complete ECS document (`eventProblems`). Uses fast-check (a dev dependency).
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { OUTCOMES } from '../../model/event.js';
import { validateEvent } from '../../model/validate.js';
import { benchData } from './throughput.js';
import { ECS_CATEGORIES, ECS_TYPES, ECS_VERSION, isObj } from '../../formats/common.js';
import { FormatError, type Decoded, type Format } from '../../formats/format.js';
import { getFormat } from '../../formats/registry.js';

const UTC_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
/** Longest a single push or flush may take before it counts as a hang. */
const PUSH_LIMIT_MS = 2000;

function emptyMembers(v: unknown, path: string, out: string[], depth = 0): void {
  if (depth > 200 || typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    v.forEach((x, i) => emptyMembers(x, `${path}[${i}]`, out, depth + 1));
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = path ? `${path}.${k}` : k;
    if (x === undefined || x === null || x === '' || (Array.isArray(x) && x.length === 0) || (isObj(x) && Object.keys(x).length === 0)) {
      out.push(`${p}: empty value ${JSON.stringify(x)}`);
    } else emptyMembers(x, p, out, depth + 1);
  }
}

/** What is wrong with a decoder's output event (empty when nothing): schema, common rules, empties. */
export function eventProblems(e: unknown, passthrough = false): string[] {
  const out = validateEvent(e).map((p) => `${p.path}: ${p.reason}`);
  if (!isObj(e)) return out;
  const ev = e.event as Record<string, unknown> | undefined;
  const ts = e['@timestamp'];
  if (typeof ts !== 'string' || !UTC_TS.test(ts)) out.push(`@timestamp: not RFC 3339 UTC: ${JSON.stringify(ts)}`);
  if ((e.ecs as { version?: unknown } | undefined)?.version === undefined) out.push('ecs.version missing');
  if (typeof e.message !== 'string' || e.message === '') out.push('message missing');
  if (!ev) return [...out, 'event missing'];
  // Every normalizer writes kind "event"; passed-through ECS documents keep theirs, never pipeline_error.
  if (passthrough ? ev.kind === 'pipeline_error' : ev.kind !== 'event') out.push(`event.kind ${JSON.stringify(ev.kind)}`);
  if (!(OUTCOMES as readonly unknown[]).includes(ev.outcome)) out.push(`event.outcome ${JSON.stringify(ev.outcome)}`);
  if (typeof ev.module !== 'string' || typeof ev.dataset !== 'string') out.push('event.module/dataset missing');
  for (const [field, allowed] of [['category', ECS_CATEGORIES], ['type', ECS_TYPES]] as const) {
    const list = ev[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) out.push(`event.${field} is not an array`);
    else for (const v of list) if (!allowed.has(v as string)) out.push(`event.${field}: ${JSON.stringify(v)} not allowed`);
  }
  for (const f of ['source', 'destination', 'client']) {
    const ip = (e[f] as { ip?: unknown } | undefined)?.ip;
    if (ip !== undefined && (typeof ip !== 'string' || isIP(ip) === 0)) out.push(`${f}.ip: not an IP: ${JSON.stringify(ip)}`);
  }
  const rel = e.related as Record<string, unknown[]> | undefined;
  for (const ip of rel?.ip ?? []) if (typeof ip !== 'string' || isIP(ip) === 0) out.push(`related.ip: not an IP: ${JSON.stringify(ip)}`);
  for (const k of ['ip', 'user']) {
    const l = rel?.[k];
    if (Array.isArray(l) && new Set(l).size !== l.length) out.push(`related.${k} has duplicates`);
  }
  emptyMembers(e, '', out);
  if (ECS_VERSION !== '8.11.0') out.push('ECS version constant changed');
  return out;
}

/** Pushes lines through a fresh decoder: events, or a non-FormatError / hang / bad event as a thrown Error. */
export function runDecoder(
  format: Format,
  lines: readonly string[],
  opts = { keepOriginal: true, defaultTimeNs: 1763812800123456789n },
): { events: Decoded[]; rejected: number } {
  const decoder = format.createDecoder(opts);
  const events: Decoded[] = [];
  let rejected = 0;
  const step = (what: string, f: () => Decoded[]) => {
    const t0 = Date.now();
    try {
      events.push(...f());
    } catch (err) {
      if (!(err instanceof FormatError)) {
        throw new Error(`${format.name}: ${what} threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
      }
      rejected++;
    }
    const ms = Date.now() - t0;
    if (ms > PUSH_LIMIT_MS) throw new Error(`${format.name}: ${what} took ${ms} ms`);
  };
  lines.forEach((l, i) => step(`push(line ${i + 1})`, () => decoder.push(l, { line: i + 1, offset: 0 })));
  step('flush()', () => decoder.flush());
  for (const d of events) {
    const problems = eventProblems(d.event, format.name === 'ecs' || format.name === 'auto');
    if (problems.length) throw new Error(`${format.name}: bad event ${JSON.stringify(d.event).slice(0, 400)}: ${problems.join('; ')}`);
  }
  return { events, rejected };
}

// ---- generators -------------------------------------------------------------

const anyJson = fc.jsonValue({ maxDepth: 3 });
const weirdString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '?', 'null', '{', '}', '[[', '\u0000', '\ud800', '__proto__', 'constructor', '1e400', '-1', '0.0', '9'.repeat(30)),
);
const tsLike = fc.oneof(
  { weight: 4, arbitrary: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date('9999-12-31') }).map((d) => d.toISOString()) },
  fc.constantFrom('2022-12-02T21:37:03.657277582Z', '2025-11-22T16:00:00.101010Z', '2025-01-01T10:00:00.5+02:00', '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59-01:00', '0050-06-01T00:00:00+01:00', '2024-02-30T00:00:00Z', '1766435832.671421000', '253402300800.1', '1.1234567890', '1e9'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  weirdString,
);
const ipLike = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('2001:DB8:0:0::1', '::ffff:10.0.0.1', 'fe80::1%eth0', 'not-an-ip', '', '1.2.3.4.5'), weirdString);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 20, arbitrary: a }, { weight: 1, arbitrary: anyJson });

const appRecord = fc.record(
  {
    level: maybe(fc.constantFrom('I', 'W', 'E', 'D', 'X')),
    ts: maybe(tsLike),
    '@timestamp': maybe(tsLike),
    organization: maybe(fc.record({ id: maybe(weirdString), name: maybe(weirdString) }, { requiredKeys: [] })),
    event: maybe(fc.record({
      kind: maybe(fc.constantFrom('event', 'alert')),
      outcome: maybe(fc.constantFrom('success', 'failure', 'unknown', 'SUCCESS', 'ok', '')),
      category: maybe(fc.oneof(fc.array(fc.constantFrom('auth', 'authentication', 'iam', 'file', 'bogus', '')), fc.constantFrom('auth', 'file'))),
      type: maybe(fc.array(fc.constantFrom('access', 'change', 'start', 'bogus'))),
      action: maybe(fc.constantFrom('sign-in', 'sign-out', 'logout', 'LOGIN', 'action-cache-get')),
      id: maybe(weirdString),
    }, { requiredKeys: [] })),
    error: maybe(fc.record({ code: maybe(fc.oneof(fc.integer(), weirdString)), message: maybe(weirdString) }, { requiredKeys: [] })),
    user: maybe(fc.record({ email: maybe(weirdString), name: maybe(weirdString), roles: maybe(fc.array(weirdString)), target: maybe(fc.record({ email: maybe(weirdString) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    source: maybe(fc.record({ ip: maybe(ipLike), port: maybe(fc.integer({ min: -5, max: 70000 })) }, { requiredKeys: [] })),
    user_agent: maybe(fc.record({ original: maybe(weirdString) }, { requiredKeys: [] })),
    url: maybe(fc.record({ path: maybe(weirdString) }, { requiredKeys: [] })),
    tags: maybe(fc.array(weirdString)),
    payload: anyJson,
  },
  { requiredKeys: ['ts', 'event'] },
);

const gdchRecord = fc.record(
  {
    sourceIPs: maybe(fc.oneof(fc.array(ipLike), fc.array(fc.array(ipLike)), ipLike)),
    description: maybe(weirdString),
    response: maybe(fc.oneof(fc.constantFrom('Successful: 200 OK', 'Failed: 403 Forbidden', 'Error', 'Denied', 'Success', '999 x', '4031'), weirdString)),
    time: maybe(tsLike),
    user: maybe(fc.record({ issuer: maybe(weirdString), identity: maybe(fc.oneof(fc.emailAddress(), weirdString)) }, { requiredKeys: [] })),
    numBytesSent: maybe(fc.oneof(fc.nat(), fc.double(), fc.constantFrom('12', '-1', '1e3'))),
    numBytesReceived: maybe(fc.nat()),
    resource: maybe(fc.oneof(fc.webUrl(), fc.constantFrom('/a?b=c', '?', '/x?'), weirdString)),
    auditID: maybe(weirdString),
    action: maybe(fc.constantFrom('QUERY', 'CREATE/UPDATE', 'delete')),
    _gdch_cluster: maybe(weirdString),
    _gdch_service_name: maybe(weirdString),
    _gdch_: maybe(weirdString),
    _gdch_other: maybe(weirdString),
  },
  { requiredKeys: ['time', 'resource'] },
);

const k8sEvent = fc.record(
  {
    kind: maybe(fc.constantFrom('Event', 'Event', 'Event', 'Pod')),
    apiVersion: maybe(fc.constantFrom('audit.k8s.io/v1', 'audit.k8s.io/v1', 'audit.k8s.io/v1', 'audit.k8s.io/v1beta1', 'v1')),
    auditID: maybe(weirdString),
    verb: maybe(fc.constantFrom('get', 'create', 'deletecollection', 'proxy', 'constructor')),
    requestURI: maybe(fc.oneof(fc.constantFrom('/readyz', '/api/v1/pods?watch=true', '?'), weirdString)),
    user: maybe(fc.record({ username: maybe(weirdString), uid: maybe(weirdString), groups: maybe(fc.array(weirdString)) }, { requiredKeys: [] })),
    impersonatedUser: maybe(fc.record({ username: maybe(weirdString) }, { requiredKeys: [] })),
    sourceIPs: maybe(fc.array(ipLike)),
    objectRef: maybe(fc.record({ namespace: maybe(weirdString), resource: maybe(weirdString), name: maybe(weirdString), subresource: maybe(weirdString) }, { requiredKeys: [] })),
    responseStatus: maybe(fc.record({ code: maybe(fc.oneof(fc.integer({ min: 0, max: 700 }), fc.double())), message: maybe(weirdString), reason: maybe(weirdString), metadata: maybe(fc.constant({})) }, { requiredKeys: [] })),
    annotations: maybe(fc.dictionary(fc.constantFrom('authorization.k8s.io/decision', 'a.b', '__proto__', 'x'), fc.constantFrom('allow', 'forbid', ''))),
    requestObject: maybe(fc.record({ metadata: anyJson, spec: maybe(fc.record({ containers: maybe(fc.array(fc.record({ image: maybe(weirdString) }, { requiredKeys: [] }))) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    requestReceivedTimestamp: maybe(tsLike),
    stageTimestamp: maybe(tsLike),
    timestamp: maybe(tsLike),
    _gdch_cluster: maybe(weirdString),
  },
  { requiredKeys: ['requestReceivedTimestamp'] },
);
const k8sRecord = fc.oneof(
  { weight: 3, arbitrary: k8sEvent },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('EventList'), apiVersion: maybe(fc.constantFrom('audit.k8s.io/v1', 'x')), items: maybe(fc.array(fc.oneof(k8sEvent, anyJson), { maxLength: 4 })) }, { requiredKeys: ['kind'] }) },
);

const ecsRecord = fc.record(
  {
    '@timestamp': maybe(tsLike),
    ecs: maybe(fc.record({ version: maybe(weirdString) }, { requiredKeys: [] })),
    event: maybe(fc.record({ kind: maybe(fc.constantFrom('event', 'alert', 'bogus')), outcome: maybe(fc.constantFrom('success', 'nope')), category: maybe(fc.array(fc.constantFrom('web', 'bogus'))), original: maybe(weirdString) }, { requiredKeys: [] })),
    user: maybe(fc.record({ name: maybe(weirdString), id: maybe(fc.oneof(fc.integer(), weirdString)) }, { requiredKeys: [] })),
    source: maybe(fc.record({ ip: maybe(ipLike), port: maybe(fc.integer({ min: -1, max: 70000 })) }, { requiredKeys: [] })),
    related: maybe(fc.record({ ip: maybe(fc.array(ipLike)) }, { requiredKeys: [] })),
    vigil: maybe(fc.record({ seq: fc.nat() })),
    message: maybe(weirdString),
    extra: anyJson,
  },
  { requiredKeys: ['@timestamp'] },
);

/** auditd records (for `auto`, which hands them to the auditd decoder), complete and cut short. */
const AUDIT_LINES = [
  'type=SYSCALL msg=audit(1763830005.010:30008): arch=c000003e syscall=59 success=yes exit=0 pid=5100 auid=1000 uid=0 comm="sh" exe="/bin/sh"',
  'type=EXECVE msg=audit(1763830005.010:30008): argc=2 a0="ls" a1=2D6C',
  'type=EOE msg=audit(1763830005.010:30008):',
  'type=USER_LOGIN msg=audit(1763830000.105:30002): pid=5001 uid=0 auid=4294967295 msg=\'op=login acct="x" res=failed\'',
  'type=SYSCALL msg=audit(1763830005.010:',
  '{"_AUDIT_ID":"30008","MESSAGE":"type=EOE msg=audit(1763830005.010:30008):"}',
];

/** Random edits of a realistic record: values replaced, keys dropped or added, text cut or spliced. */
function mutations(seeds: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat(), anyJson, fc.constantFrom('set', 'delete', 'wrap', 'empty', 'add'));
  const objectEdits = fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => {
    const doc = JSON.parse(seed) as unknown;
    for (const [a, b, value, op] of edits) {
      // walk to a random container
      let cur: unknown = doc;
      for (let depth = 0, r = a; depth < 4 && typeof cur === 'object' && cur !== null; depth++, r = Math.floor(r / 7)) {
        const keys = Object.keys(cur);
        if (!keys.length || r % 3 === 0) break;
        const next = (cur as Record<string, unknown>)[keys[r % keys.length]];
        if (typeof next !== 'object' || next === null) break;
        cur = next;
      }
      if (typeof cur !== 'object' || cur === null) continue;
      const c = cur as Record<string, unknown>;
      const keys = Object.keys(c);
      const key = keys.length ? keys[b % keys.length] : 'k';
      if (op === 'set') c[key] = value;
      else if (op === 'delete') delete c[key];
      else if (op === 'wrap') c[key] = [c[key]];
      else if (op === 'empty') c[key] = ['', null, [], {}][b % 4];
      else c[`k${b % 5}`] = value;
    }
    return JSON.stringify(doc);
  });
  const textEdits = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 8 })).map(
    ([seed, a, b, ins]) => {
      const i = a % (seed.length + 1);
      const j = Math.min(seed.length, i + (b % 20));
      return seed.slice(0, i) + ins + seed.slice(j);
    },
  );
  return fc.oneof({ weight: 3, arbitrary: objectEdits }, { weight: 1, arbitrary: textEdits });
}

/** Input lines for one format (the generator the properties use): generated records, mutated realistic records, junk, multi-line documents. */
export function linesFor(name: string, seeds: Record<string, string[]> = benchData(40)): fc.Arbitrary<string[]> {
  const structured: Record<string, fc.Arbitrary<unknown>> = { app: appRecord, 'gdch-proxy': gdchRecord, 'kubernetes-audit': k8sRecord, ecs: ecsRecord };
  const own = seeds[name] ?? seeds.auto;
  const line = fc.oneof(
    { weight: 3, arbitrary: (structured[name] ?? fc.oneof(appRecord, gdchRecord, k8sRecord, ecsRecord)).map((r) => JSON.stringify(r)) },
    { weight: 3, arbitrary: mutations(own) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(...AUDIT_LINES) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '}', '[', '{}', '[]', 'null', '"x"', '\r', '\ufeff{}', `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`) },
  );
  const pretty = fc.constantFrom(...own).map((s) => JSON.stringify(JSON.parse(s), null, 2).split('\n'));
  const prettyCut = fc.tuple(pretty, fc.nat()).map(([ls, n]) => ls.slice(0, 1 + (n % ls.length)));
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(line, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.tuple(pretty, fc.array(line, { maxLength: 2 })).map(([a, b]) => [...a, ...b]) },
    { weight: 1, arbitrary: fc.tuple(prettyCut, fc.array(line, { maxLength: 2 })).map(([a, b]) => [...a, ...b]) },
  );
}

export interface FuzzReport {
  format: string;
  /** Generated inputs (each one to three lines, or a multi-line document). */
  runs: number;
  /** Events emitted and records rejected with a FormatError over all runs. */
  events: number;
  rejected: number;
}

/**
 * Runs about `runsPerFormat` inputs through each format (and `auto` over all
 * of them); throws fast-check's report with the counterexample on a failure.
 */
export function fuzzFormats(runsPerFormat: number, seed?: number): FuzzReport[] {
  const seeds = benchData(40);
  const names = ['app', 'gdch-proxy', 'kubernetes-audit', 'ecs', 'generic', 'auto'];
  const report: FuzzReport[] = [];
  for (const name of names) {
    const format = getFormat(name);
    const r: FuzzReport = { format: name, runs: runsPerFormat, events: 0, rejected: 0 };
    fc.assert(
      fc.property(linesFor(name, seeds), (lines) => {
        const { events, rejected } = runDecoder(format, lines);
        r.events += events.length;
        r.rejected += rejected;
      }),
      { numRuns: runsPerFormat, seed, endOnFailure: true },
    );
    report.push(r);
  }
  return report;
}

/**
 * `npm run fuzz` for the ingest routes: `fuzzIngest(n)` sends `n` generated
 * and mutated request bodies to each route — /api/v1/events (NDJSON and a
 * JSON array), /loki/api/v1/push (JSON, and protobuf in a snappy block) and
 * /api/v1/k8s/audit (EventList) — and counts every answer. Properties: no
 * request throws, none is answered 500 (or any 5xx but 503 backpressure).
 *
 * In-process for speed: Fastify's `app.inject` against a real server
 * (startServer, a real DuckDB store in a temporary data dir, auth off on
 * loopback), many requests in flight so the group commit batches them.
 * Mutations: deep nesting (objects and arrays, past the limit and far past
 * the call stack), numbers past a double (`1e400`), bad UTF-8, timestamps
 * out of range or off the calendar, reserved `vigil.*` datasets, truncations,
 * byte flips, an idempotency key reused with another body.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { loadConfig } from '../config/load.js';
import { startServer, type Running } from '../runtime/server.js';
import { PushRequestType } from '../sources/loki-push-body.js';
import { prng } from './auditd/generate.js';

/** Requests in flight at once. */
const IN_FLIGHT = 64;

type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, n: number) => Math.floor(r() * n);

const BAD_TIMES = [
  '9999-12-31T23:59:59Z', '2263-01-01T00:00:00Z', '1600-01-01T00:00:00Z', '2025-02-30T00:00:00Z', '2025-13-01T00:00:00Z',
  '2262-04-11T23:47:16.854775808Z', '0000-01-01T00:00:00Z', '2025-01-01T24:00:00Z', 'yesterday', '', '2025-01-01T00:00:00+99:99',
];
const DATASETS = ['app.audit', 'vigil.access', 'vigil', 'VIGIL.x', 'k8s.audit', 'vigil.anything'];
const NUMBERS = ['1e400', '-1e400', '1e308', '123456789012345678901234567890', '-0', '0.1e-400', '1E+9999'];

/** A nested value `depth` levels deep, as JSON text. */
function deep(r: Rand, depth: number): string {
  const [open, close] = r() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
  return open.repeat(depth) + '1' + close.repeat(depth);
}

const depthOf = (r: Rand) => pick(r, [50, 127, 128, 129, 1_000, 10_000, 100_000]);
const nowIso = () => new Date(Date.now() - 60_000).toISOString();

/** One ECS event as JSON text, valid or carrying one hostile value. */
function ecsEvent(r: Rand, i: number): string {
  const time = r() < 0.15 ? pick(r, BAD_TIMES) : nowIso();
  const dataset = r() < 0.1 ? pick(r, DATASETS) : 'app.audit';
  let extra = '';
  const m = r();
  if (m < 0.1) extra = `,"x":${deep(r, depthOf(r))}`;
  else if (m < 0.2) extra = `,"n":${pick(r, NUMBERS)}`;
  else if (m < 0.25) extra = `,"labels":{"dataset":${JSON.stringify(pick(r, DATASETS))}}`;
  return `{"@timestamp":${JSON.stringify(time)},"event":{"dataset":${JSON.stringify(dataset)},"action":"a${i % 97}","outcome":"success"},"user":{"name":"u${i % 13}"},"message":"m ${i}"${extra}}`;
}

/** Byte-level mutations of a body: truncation, a flipped byte, bytes that are not UTF-8. */
function mutateBytes(r: Rand, body: Buffer): Buffer {
  const m = r();
  if (m < 0.7 || body.length === 0) return body;
  if (m < 0.8) return body.subarray(0, int(r, body.length));
  const out = Buffer.from(body);
  if (m < 0.9) {
    out[int(r, out.length)] = int(r, 256);
    return out;
  }
  const at = int(r, out.length);
  return Buffer.concat([out.subarray(0, at), Buffer.from(pick(r, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80]])), out.subarray(at)]);
}

interface Case {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

type Generator = (r: Rand, i: number) => Case;

const events = (array: boolean): Generator => (r, i) => {
  const n = 1 + int(r, 4);
  const lines = Array.from({ length: n }, (_, k) => ecsEvent(r, i * 4 + k));
  const text = array ? `[${lines.join(',')}]` : lines.join('\n');
  const headers: Record<string, string> = { 'content-type': array ? 'application/json' : 'application/x-ndjson' };
  // A small key space: keys are reused, sometimes with another body.
  if (r() < 0.1) headers['idempotency-key'] = `k${int(r, 50)}`;
  return { url: r() < 0.2 ? '/api/v1/events?partial=true' : '/api/v1/events', headers, body: mutateBytes(r, Buffer.from(text)) };
};

function lokiStreams(r: Rand, i: number): { labels: Record<string, string>; entries: { ts: string; line: string }[] }[] {
  return Array.from({ length: 1 + int(r, 2) }, (_, s) => ({
    labels: { job: `j${s}`, ...(r() < 0.1 ? { dataset: pick(r, DATASETS) } : {}) },
    entries: Array.from({ length: 1 + int(r, 3) }, (_, k) => ({
      ts: r() < 0.1 ? pick(r, ['9999999999999999999', '9223372036854775808', '0', '18446744073709551615']) : `${Date.now() - 60_000}${String(k).padStart(6, '0')}`,
      line: r() < 0.5 ? ecsEvent(r, i) : `plain line ${i} ${k}`,
    })),
  }));
}

const lokiJson: Generator = (r, i) => {
  const streams = lokiStreams(r, i).map((s) => ({ stream: s.labels, values: s.entries.map((e) => [e.ts, e.line]) }));
  return { url: '/loki/api/v1/push', headers: { 'content-type': 'application/json' }, body: mutateBytes(r, Buffer.from(JSON.stringify({ streams }))) };
};

const lokiProto: Generator = (r, i) => {
  const streams = lokiStreams(r, i).map((s) => ({
    labels: `{${Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`,
    entries: s.entries.map((e) => {
      const ns = BigInt(e.ts) % 2n ** 64n;
      // Seconds past int64 nanoseconds, sometimes; a line with bytes that are not UTF-8, sometimes.
      const seconds = r() < 0.05 ? pick(r, ['9223372037', '-9223372037', '99999999999']) : String(ns / 1_000_000_000n);
      const line = r() < 0.05 ? Buffer.concat([Buffer.from(e.line), Buffer.from([0xff, 0xfe])]) : Buffer.from(e.line);
      return { timestamp: { seconds, nanos: Number(ns % 1_000_000_000n) }, line };
    }),
  }));
  const raw = Buffer.from(PushRequestType.encode(PushRequestType.fromObject({ streams })).finish());
  const body = r() < 0.1 ? snappy.compressSync(mutateBytes(r, raw)) : mutateBytes(r, snappy.compressSync(raw));
  return { url: '/loki/api/v1/push', headers: { 'content-type': 'application/x-protobuf' }, body };
};

function k8sItem(r: Rand, i: number): string {
  const time = r() < 0.15 ? pick(r, BAD_TIMES) : nowIso();
  let extra = '';
  const m = r();
  if (m < 0.1) extra = `,"requestObject":${deep(r, depthOf(r))}`;
  else if (m < 0.2) extra = `,"requestObject":{"n":${pick(r, NUMBERS)}}`;
  else if (m < 0.25) extra = `,"requestObject":{"big":"${'x'.repeat(300_000)}"}`;
  return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a-${i}-${int(r, 1e9)}","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/pods","user":{"username":"alice"},"sourceIPs":["10.0.0.1"],"requestReceivedTimestamp":${JSON.stringify(time)},"stageTimestamp":${JSON.stringify(time)}${extra}}`;
}

const k8s: Generator = (r, i) => {
  const items = Array.from({ length: 1 + int(r, 3) }, (_, k) => k8sItem(r, i * 3 + k));
  const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${items.join(',')}]}`;
  return { url: '/api/v1/k8s/audit', headers: { 'content-type': 'application/json' }, body: mutateBytes(r, Buffer.from(body)) };
};

const ROUTES: [string, Generator][] = [
  ['/api/v1/events NDJSON', events(false)],
  ['/api/v1/events JSON array', events(true)],
  ['/loki/api/v1/push JSON', lokiJson],
  ['/loki/api/v1/push protobuf+snappy', lokiProto],
  ['/api/v1/k8s/audit EventList', k8s],
];

export interface RouteFuzz {
  route: string;
  inputs: number;
  statuses: Record<number, number>;
  crashes: number;
  errors500: number;
  /** The first few failing inputs (truncated), to reproduce. */
  samples: string[];
}

async function fuzzRoute(running: Running, route: string, gen: Generator, runs: number, seed: number): Promise<RouteFuzz> {
  const r: Rand = prng(seed);
  const out: RouteFuzz = { route, inputs: 0, statuses: {}, crashes: 0, errors500: 0, samples: [] };
  const note = (c: Case, why: string) => {
    if (out.samples.length < 5) out.samples.push(`${why}: ${c.url} ${c.body.subarray(0, 200).toString('latin1')}`);
  };
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      const c = gen(r, next++);
      try {
        const res = await running.app.inject({ method: 'POST', url: c.url, headers: c.headers, payload: c.body });
        out.statuses[res.statusCode] = (out.statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 500 && res.statusCode !== 503) {
          out.errors500++;
          note(c, `${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      } catch (err) {
        out.crashes++;
        note(c, `threw ${(err as Error).message}`);
      }
      out.inputs++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return out;
}

/** Fuzzes every ingest route with `runs` inputs each; `report` has one line per route. */
export async function fuzzIngest(runs: number): Promise<{ ok: boolean; report: string; routes: RouteFuzz[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-ingest-'));
  const config = loadConfig({ env: {}, overrides: { data_dir: dataDir, 'server.port': 0, 'server.auth': 'none', 'log.level': 'fatal' } });
  const running = await startServer(config);
  const routes: RouteFuzz[] = [];
  try {
    for (const [i, [route, gen]] of ROUTES.entries()) routes.push(await fuzzRoute(running, route, gen, runs, 19_000 + i));
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const lines = routes.map((f) => {
    const statuses = Object.entries(f.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
    return `ingest ${f.route}: ${f.inputs} inputs (in-process, app.inject, DuckDB), ${f.crashes} crashes, ${f.errors500} 5xx; answers ${statuses}\n${f.samples.map((s) => `  ${s}\n`).join('')}`;
  });
  return { ok: routes.every((f) => f.crashes === 0 && f.errors500 === 0), report: lines.join(''), routes };
}

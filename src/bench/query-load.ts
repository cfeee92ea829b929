/**
 * Query load benchmark (issue 19, item 2): a server in its own process holding
 * N ECS events (200,000 unless BENCH_EVENTS says otherwise), then
 *  - the issue's heavy query, `sum by (source_ip) (count_over_time({dataset="app.audit"}[1h]))`,
 *    once per line view: its time, answer and the server's peak RSS;
 *  - ingest acknowledgement latency (one sender, batches of 100, sequential)
 *    idle, and again while 50 clients keep that heavy query running; p50/p99
 *    both ways and their ratio (target: loaded within 2× idle), with the
 *    answers the queries got (200, 429 past query.max_queue_wait, 504 past
 *    query.timeout) and /healthz latency under the same load;
 *  - the event-loop delay (perf_hooks monitorEventLoopDelay) in this process
 *    while a query evaluated in TypeScript (not pushed down) runs over the
 *    same number of events.
 * BENCH_SERVER_FLAGS adds flags to `vigil serve` (e.g. `--query-max-concurrent 2`).
 */
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ingestedAt, prepareEvent } from '../model/prepare.js';
import { nowNs } from '../model/time.js';
import { execute } from '../query/engine.js';
import { QueryBudget } from '../query/budget.js';
import { sampleEvent, tempDir } from '../testing/events.js';
import { openTestStore } from '../testing/store.js';
import { printFigure } from './report.js';
import { postAll, startBenchServer, type BenchServer } from './server-process.js';

export const HEAVY_QUERY = 'sum by (source_ip) (count_over_time({dataset="app.audit"}[1h]))';
const LOADERS = 50;
const ACK_SAMPLES = 200;
const ACK_BATCH = 100;

interface Reply {
  status: number;
  retryAfter?: string;
  body: string;
  ms: number;
}

function call(server: BenchServer, agent: Agent, method: 'GET' | 'POST', path: string, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const headers: Record<string, string | number> = { authorization: `Bearer ${server.token}` };
    if (body) Object.assign(headers, { 'content-type': 'application/x-ndjson', 'content-length': body.length });
    const req = request(new URL(path, server.url), { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function ndjson(first: number, count: number, baseNs: bigint): Buffer {
  const lines: string[] = [];
  for (let i = first; i < first + count; i++) lines.push(JSON.stringify(sampleEvent(i, baseNs)));
  return Buffer.from(`${lines.join('\n')}\n`);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const heavyPath = (view: 'ecs' | 'original') => {
  const end = nowNs();
  const start = end - 3_600_000_000_000n;
  return `/loki/api/v1/query_range?query=${encodeURIComponent(HEAVY_QUERY)}&start=${start}&end=${end}&step=60s&line=${view}`;
};

/** `ACK_SAMPLES` sequential ingest requests of `ACK_BATCH` new events; each one's latency, ms. */
async function ackLatencies(server: BenchServer, agent: Agent, first: number, baseNs: bigint): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < ACK_SAMPLES; k++) {
    const r = await call(server, agent, 'POST', '/api/v1/events', ndjson(first + k * ACK_BATCH, ACK_BATCH, baseNs));
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.body.slice(0, 200)}`);
    out.push(r.ms);
  }
  return out;
}

export async function benchQueryLoad(events: number): Promise<void> {
  const flags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
  const server = await startBenchServer(flags);
  const agent = new Agent({ keepAlive: true, maxSockets: LOADERS + 4 });
  try {
    const baseNs = nowNs() - 600_000_000_000n;
    const bodies = Array.from({ length: Math.ceil(events / 1000) }, (_, k) => ndjson(k * 1000, Math.min(1000, events - k * 1000), baseNs));
    const loadSeconds = await postAll(server, '/api/v1/events', bodies, 4, 'application/x-ndjson');
    process.stdout.write(
      `query-load: ${events.toLocaleString('en-US')} ECS events ingested in ${loadSeconds.toFixed(1)} s${flags.length ? ` (vigil serve ${flags.join(' ')})` : ''}; ` +
        `server peak RSS ${server.peakRssMiB().toFixed(0)} MiB\n`,
    );

    for (const view of ['ecs', 'original'] as const) {
      const r = await call(server, agent, 'GET', heavyPath(view));
      const what = r.status === 200 ? `${(JSON.parse(r.body) as { data: { result: unknown[] } }).data.result.length} series` : r.body.slice(0, 90).replace(/\n/g, ' ');
      process.stdout.write(`  ${HEAVY_QUERY} (${view} line, 1 h at step 60s): ${r.status} ${what}\n`);
      printFigure({ name: `heavy query, ${view} line`, value: r.ms, unit: 'ms' });
      printFigure({ name: `server peak RSS after it`, value: server.peakRssMiB(), unit: 'MiB' });
    }

    let next = events;
    const idle = await ackLatencies(server, agent, next, baseNs);
    next += ACK_SAMPLES * ACK_BATCH;

    // 50 clients keep the heavy query running (the ecs line: the issue's case, one series per source IP).
    const statuses = new Map<number, number>();
    const health: number[] = [];
    let running = true;
    const loaders = Array.from({ length: LOADERS }, async () => {
      while (running) {
        const r = await call(server, agent, 'GET', heavyPath('ecs'));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        // As a well-behaved client does: wait as long as Retry-After says.
        if (r.status === 429) await new Promise((res) => setTimeout(res, 1000 * Number(r.retryAfter ?? 1)));
      }
    });
    const probe = (async () => {
      while (running) {
        health.push((await call(server, agent, 'GET', '/healthz')).ms);
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    await new Promise((res) => setTimeout(res, 2000)); // let the load build up
    const loaded = await ackLatencies(server, agent, next, baseNs);
    running = false;
    await Promise.all([...loaders, probe]);

    const answers = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${n}× ${s}`).join(', ');
    process.stdout.write(`  ingest acks: ${ACK_SAMPLES} sequential requests of ${ACK_BATCH} events each, idle and with ${LOADERS} clients running the heavy query (answers: ${answers})\n`);
    const p50 = [pct(idle, 50), pct(loaded, 50)];
    const p99 = [pct(idle, 99), pct(loaded, 99)];
    printFigure({ name: 'ingest ack p50, idle', value: p50[0], unit: 'ms' });
    printFigure({ name: 'ingest ack p99, idle', value: p99[0], unit: 'ms' });
    printFigure({ name: `ingest ack p50, ${LOADERS} heavy queries`, value: p50[1], unit: 'ms' });
    printFigure({ name: `ingest ack p99, ${LOADERS} heavy queries`, value: p99[1], unit: 'ms' });
    printFigure({ name: 'ingest ack p50 loaded / idle', value: p50[1] / p50[0], unit: '×', target: { max: 2 } });
    printFigure({ name: 'ingest ack p99 loaded / idle', value: p99[1] / p99[0], unit: '×', target: { max: 2 } });
    printFigure({ name: `/healthz p99, ${LOADERS} heavy queries`, value: pct(health, 99), unit: 'ms' });
    printFigure({ name: 'server peak RSS (whole run)', value: server.peakRssMiB(), unit: 'MiB' });
  } finally {
    agent.destroy();
    await server.stop();
  }
  await eventLoopDelay(events);
}

/** The longest the event loop waited while a query evaluated in TypeScript ran (this process, its own store). */
async function eventLoopDelay(events: number): Promise<void> {
  const store = await openTestStore(tempDir('vigil-bench-qload-'), {}, { 'integrity.sealing': false, 'store.checkpoint_threshold': '1GB' });
  try {
    const baseNs = nowNs() - 600_000_000_000n;
    const ingested = ingestedAt(nowNs());
    for (let from = 0; from < events; from += 20_000) {
      const batch = Array.from({ length: Math.min(20_000, events - from) }, (_, i) => prepareEvent(sampleEvent(from + i, baseNs), ingested));
      await store.append([{ events: batch }]);
    }
    // `| json` keeps the aggregation in TypeScript: every line is parsed and windowed in JS.
    // What this machine adds on its own (other processes on the cores): the same monitor over an idle second.
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await new Promise((res) => setTimeout(res, 1000));
    idle.disable();
    const query = 'sum by (event_action) (count_over_time({dataset="app.audit"} | json [1h]))';
    const end = nowNs();
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    await execute(store, { query, startNs: end - 3_600_000_000_000n, endNs: end, stepNs: 60_000_000_000n, limit: 100, direction: 'forward', view: 'ecs' }, undefined, new QueryBudget());
    const ms = performance.now() - t0;
    h.disable();
    process.stdout.write(`  event loop during ${query} over ${events.toLocaleString('en-US')} events (${ms.toFixed(0)} ms, evaluated in TypeScript):\n`);
    printFigure({ name: 'event-loop delay p99', value: h.percentile(99) / 1e6, unit: 'ms', baseline: { name: 'idle p99', value: idle.percentile(99) / 1e6 } });
    printFigure({ name: 'event-loop delay max', value: h.max / 1e6, unit: 'ms', baseline: { name: 'idle max', value: idle.max / 1e6 }, target: { max: 20 } });
  } finally {
    await store.close();
  }
}

/**
 * Ingest benchmark: events/s through the full HTTP path (NDJSON batches, several
 * concurrent clients, durable acknowledgement) against a server in its own
 * process, next to this run's raw JSON.parse rate over the same bytes.
 */
import { availableParallelism } from 'node:os';
import { sampleEvent } from '../testing/events.js';
import { measureIngestFloor } from './ingest-floor.js';
import { printFigure } from './report.js';
import { cpuLine, parseLine, startBenchServer, warmThenTimed, warmupEvents } from './server-process.js';

export interface IngestBenchOptions {
  events: number;
  batch: number;
  clients: number;
  /** Whether the target (25 % of JSON.parse) is judged on this run. */
  judged: boolean;
}

/** Events [first, first + count) in NDJSON bodies of `batch`. */
function makeBatches(first: number, count: number, batch: number): Buffer[] {
  const base = BigInt(Date.now() - 86_400_000) * 1_000_000n;
  const out: Buffer[] = [];
  for (let from = first; from < first + count; from += batch) {
    const lines: string[] = [];
    for (let i = from; i < Math.min(first + count, from + batch); i++) lines.push(JSON.stringify(sampleEvent(i, base)));
    out.push(Buffer.from(lines.join('\n') + '\n'));
  }
  return out;
}

export async function benchIngest(o: IngestBenchOptions): Promise<void> {
  const warmup = warmupEvents(o.events);
  const warm = makeBatches(o.events, warmup, o.batch);
  const batches = makeBatches(0, o.events, o.batch);
  const bytes = batches.reduce((n, b) => n + b.length, 0);
  const server = await startBenchServer();
  const timed = await warmThenTimed(server, '/api/v1/events', 'application/x-ndjson', o.clients, warm, batches, o.events, false);
  const { coldSeconds, seconds, rss, parseRate } = timed;
  process.stdout.write(
    `ingest: ${o.events.toLocaleString('en-US')} ECS events (${(bytes / o.events).toFixed(0)} B avg), batches of ${o.batch}, ${o.clients} clients, durable ack, ` +
      `after ${warmup.toLocaleString('en-US')} warm-up events; ${parseLine(timed)}\n`,
  );
  process.stdout.write(`${cpuLine(timed, o.events)}\n`);
  process.stdout.write(`${await floorLine(batches, o.batch, o.events / Math.max(1, timed.commits))}\n`);
  const target = o.judged ? { ratio: 0.25 } : undefined;
  printFigure({ name: `ingest over HTTP, ${o.clients} clients`, value: o.events / seconds, unit: 'ev/s', baseline: { name: 'JSON.parse', value: parseRate }, target });
  if (warmup > 0) printFigure({ name: 'ingest over HTTP, warm-up (fresh server)', value: warmup / coldSeconds, unit: 'ev/s', baseline: { name: 'JSON.parse', value: parseRate } });
  printFigure({ name: 'ingest throughput', value: bytes / seconds / 1048576, unit: 'MiB/s' });
  printFigure({ name: 'server peak RSS', value: rss, unit: 'MiB' });
}

/** Events the floor is measured on: enough for a checkpoint's worth of commits, quick next to the HTTP pass. */
const FLOOR_EVENTS = 100_000;

/** The cost of preparing and of storing the same events, each alone (ingest-floor.ts), and the ratio they bound. */
async function floorLine(batches: Buffer[], batch: number, perCommit: number): Promise<string> {
  const bodies = batches.slice(0, Math.max(1, Math.floor(FLOOR_EVENTS / batch)));
  const { prepare, store } = await measureIngestFloor(bodies, bodies.length * batch, perCommit);
  const sum = prepare.parses + store.parses;
  const cores = availableParallelism();
  return (
    `floor, each alone in one process: preparing ${prepare.us.toFixed(1)} µs per event (${prepare.parses.toFixed(1)}× a JSON.parse of one), ` +
    `storing ${store.us.toFixed(1)} µs in commits of ${Math.round(perCommit).toLocaleString('en-US')}, checkpoint included (${store.parses.toFixed(1)}×); ` +
    `${sum.toFixed(1)}× together, so on ${cores} cores at most ${((cores / sum) * 100).toFixed(0)}% of JSON.parse before any HTTP`
  );
}

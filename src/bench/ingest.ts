/**
 * Ingest benchmark: events/s through the full HTTP path (NDJSON batches, several
 * concurrent clients, durable acknowledgement) against a server in its own
 * process, next to this run's raw JSON.parse rate over the same bytes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleEvent, tempDir } from '../testing/events.js';
import { printFigure } from './report.js';

const VIGIL = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));

export interface IngestBenchOptions {
  events: number;
  batch: number;
  clients: number;
}

function makeBatches(o: IngestBenchOptions): Buffer[] {
  const base = BigInt(Date.now() - 86_400_000) * 1_000_000n;
  const out: Buffer[] = [];
  for (let from = 0; from < o.events; from += o.batch) {
    const lines: string[] = [];
    for (let i = from; i < Math.min(o.events, from + o.batch); i++) lines.push(JSON.stringify(sampleEvent(i, base)));
    out.push(Buffer.from(lines.join('\n') + '\n'));
  }
  return out;
}

/** Best of three: split each batch into lines and JSON.parse every line. */
function jsonParseRate(batches: Buffer[], events: number): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let n = 0;
    for (const b of batches) for (const line of b.toString('utf8').split('\n')) if (line) { JSON.parse(line); n++; }
    if (n !== events) throw new Error('bad count');
    best = Math.max(best, events / ((performance.now() - t0) / 1000));
  }
  return best;
}

async function startServer(dataDir: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [VIGIL, 'serve', '--data', dataDir, '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d;
      const m = /listening on (\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(err)));
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return { url, pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function benchIngest(o: IngestBenchOptions): Promise<void> {
  const batches = makeBatches(o);
  const bytes = batches.reduce((n, b) => n + b.length, 0);
  const parseRate = jsonParseRate(batches, o.events);
  const dir = tempDir('vigil-bench-');
  const server = await startServer(dir);
  const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.clients }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        const res = await fetch(`${server.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
          body: batches[i],
        });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const rss = peakRssMiB(server.pid);
  await server.stop();
  process.stdout.write(
    `ingest: ${o.events.toLocaleString('en-US')} events (${(bytes / o.events).toFixed(0)} B avg), batches of ${o.batch}, ${o.clients} clients, durable ack\n`,
  );
  printFigure({ name: 'ingest over HTTP (events/s)', value: o.events / seconds, unit: 'ev/s', baseline: { name: 'JSON.parse', value: parseRate }, target: { ratio: 0.25 } });
  printFigure({ name: 'ingest throughput (MiB/s)', value: bytes / seconds / 1048576, unit: 'MiB/s' });
  printFigure({ name: 'server peak RSS', value: rss, unit: 'MiB' });
}

/**
 * Tamper-evidence benchmark (`npm run bench integrity`), on BENCH_EVENTS
 * stored events (1,000,000 unless set):
 *
 *  - ingest over HTTP with sealing on and off, same batches, same run: the
 *    cost of sealing (target: on ≥ 85% of off);
 *  - `vigil verify` on the sealed store, next to `sha256sum` over the same
 *    bytes (the stored canonical documents) as the physical anchor
 *    (target ≥ 200,000 events/s);
 *  - inclusion and consistency proof latency, in the store and over HTTP
 *    (target p50 < 10 ms).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { AuditStore } from '../store/index.js';
import { openTestStore } from '../testing/store.js';
import { sampleEvent, tempDir } from '../testing/events.js';
import { rng } from './integrity/throughput.js';
import { printFigure } from './report.js';
import { postAll, startBenchServer } from './server-process.js';


function makeBatches(events: number, batch: number): Buffer[] {
  const base = BigInt(Date.now() - 86_400_000) * 1_000_000n;
  const out: Buffer[] = [];
  for (let from = 0; from < events; from += batch) {
    const lines: string[] = [];
    for (let i = from; i < Math.min(events, from + batch); i++) lines.push(JSON.stringify(sampleEvent(i, base)));
    out.push(Buffer.from(lines.join('\n') + '\n'));
  }
  return out;
}

/** Data dirs and files this benchmark made, removed at the end (a 1M-event store is about 1 GiB). */
const made: string[] = [];

/** Ingests all batches into a fresh data dir; resolves with events/s and the dir. */
async function ingestRun(batches: Buffer[], events: number, sealing: boolean): Promise<{ rate: number; dir: string }> {
  const dir = tempDir('vigil-bench-');
  made.push(dir);
  const server = await startBenchServer(sealing ? [] : ['--integrity-sealing', 'false'], dir);
  const seconds = await postAll(server, '/api/v1/events', batches, 4, 'application/x-ndjson');
  await server.stop();
  return { rate: events / seconds, dir };
}

/** The stored documents, one a line in seq order: the bytes sha256sum hashes as the baseline. */
async function writeDocs(store: AuditStore, file: string): Promise<void> {
  const out = createWriteStream(file);
  const size = store.treeHead().size;
  for (let from = 0; from < size; from += 65_536) {
    for (const e of await store.entries(from, Math.min(size, from + 65_536))) {
      if (e.doc !== undefined && !out.write(e.doc + '\n')) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeEach(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    times.push(performance.now() - t);
  }
  return times;
}

export async function benchIntegrity(events: number): Promise<void> {
  const batches = makeBatches(events, 5000);
  const bytes = batches.reduce((n, b) => n + b.length, 0);
  process.stdout.write(
    `integrity: ${events.toLocaleString('en-US')} ECS events (${(bytes / events).toFixed(0)} B avg), batches of 5000, 4 clients, ${availableParallelism()} cores\n`,
  );

  // 1. Sealing's cost: alternate off and on so drift in the machine hits both.
  const rounds = events <= 200_000 ? 2 : 1;
  const off: number[] = [];
  const on: number[] = [];
  let sealedDir = '';
  for (let r = 0; r < rounds; r++) {
    off.push((await ingestRun(batches, events, false)).rate);
    const run = await ingestRun(batches, events, true);
    on.push(run.rate);
    sealedDir = run.dir;
  }
  const best = (xs: number[]) => Math.max(...xs);
  printFigure({ name: 'ingest over HTTP, sealing off', value: best(off), unit: 'ev/s' });
  printFigure({ name: 'ingest over HTTP, sealing on', value: best(on), unit: 'ev/s', baseline: { name: 'sealing off', value: best(off) }, target: { ratio: 0.85 } });

  // 2. verify vs sha256sum over the same bytes.
  const store = await openTestStore(sealedDir, { readOnly: true });
  const size = store.treeHead().size;
  const docs = join(tempDir('vigil-bench-'), 'docs.ndjson');
  made.push(dirname(docs));
  await writeDocs(store, docs);
  const key = readFileSync(join(sealedDir, 'checkpoint.pub'), 'utf8').trim();
  let verifyRate = 0;
  for (let r = 0; r < 2; r++) {
    const report = await store.verify({ verifierKey: key });
    if (!report.ok) throw new Error(`verify failed on the benchmark store: ${report.failure?.message}`);
    verifyRate = Math.max(verifyRate, size / report.seconds);
  }
  let shaRate = 0;
  for (let r = 0; r < 2; r++) {
    spawnSync('cat', [docs], { stdio: 'ignore' }); // page cache, as DuckDB's file is
    const t = performance.now();
    const sha = spawnSync('sha256sum', [docs], { encoding: 'utf8' });
    if (sha.status !== 0) throw new Error(`sha256sum failed: ${sha.stderr}`);
    shaRate = Math.max(shaRate, size / ((performance.now() - t) / 1000));
  }
  process.stdout.write(`verify: ${size.toLocaleString('en-US')} events, ${(statSync(docs).size / 1048576).toFixed(0)} MiB of canonical JSON\n`);
  printFigure({ name: 'vigil verify', value: verifyRate, unit: 'ev/s', baseline: { name: 'sha256sum', value: shaRate }, target: { min: 200_000 } });

  // 3. Proof latency: in the store, then over HTTP.
  const rand = rng(0x5eed);
  const incl = await timeEach(501, () => store.inclusionProof(Math.floor(rand() * size), size));
  const cons = await timeEach(501, () => store.consistencyProof(1 + Math.floor(rand() * (size - 1)), size));
  await store.close();
  printFigure({ name: 'inclusion proof p50 (store)', value: median(incl), unit: 'ms', target: { max: 10 } });
  printFigure({ name: 'consistency proof p50 (store)', value: median(cons), unit: 'ms', target: { max: 10 } });
  const server = await startBenchServer([], sealedDir);
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    await res.arrayBuffer();
  };
  const httpIncl = await timeEach(501, () => get(`/api/v1/proof/inclusion?seq=${Math.floor(rand() * size)}&size=${size}`));
  const httpCons = await timeEach(501, () => get(`/api/v1/proof/consistency?from=${1 + Math.floor(rand() * (size - 1))}&to=${size}`));
  await server.stop();
  printFigure({ name: 'inclusion proof p50 (HTTP)', value: median(httpIncl), unit: 'ms', target: { max: 10 } });
  printFigure({ name: 'consistency proof p50 (HTTP)', value: median(httpCons), unit: 'ms', target: { max: 10 } });
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

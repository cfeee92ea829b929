/**
 * The two costs every ingested event pays whatever the HTTP path does, each
 * measured alone, in this process, on the same bodies: preparing it
 * (JSON.parse, validation, completion, canonical JSON, event id and leaf
 * hash, encoding: what a decoding thread does) and storing it (DuckDB:
 * staging, append, durable COMMIT with its tree hashes, and the checkpoint
 * that compresses it into the database file, in commits of the size the
 * server's group commit made). Their sum, in JSON.parses of one event, bounds
 * the ingest ratio: on C cores no server reaches more than C / sum.
 *
 * This VM's speed drifts by a third within a minute, so each pass is timed
 * next to a JSON.parse pass over the same lines taken right before it, and
 * the figure is the pass with the smallest ratio of the two.
 */
import { cpuUsage } from 'node:process';
import { rmSync } from 'node:fs';
import { decodeKind } from '../ingest/decode-kind.js';
import { prepareRecords } from '../ingest/prepare-records.js';
import type { EncodedEvents } from '../model/encoded.js';
import { openTestStore } from '../testing/store.js';
import { tempDir } from '../testing/events.js';
import { parseBodies } from './server-process.js';

/** A cost per event, µs, and in JSON.parses of one event. */
export interface FloorCost {
  us: number;
  parses: number;
}

export interface IngestFloor {
  /** Preparing (one thread). */
  prepare: FloorCost;
  /** Storing (all of DuckDB's threads, checkpoint included). */
  store: FloorCost;
}

const PASSES = 3;

/** CPU seconds of this process (all its threads, DuckDB's too) that `run` takes. */
async function cpuOf(run: () => unknown): Promise<number> {
  const start = cpuUsage();
  await run();
  const d = cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/**
 * The cost per event of a pass over `events` events, least of PASSES passes,
 * each next to a JSON.parse of every line of `bodies` right before it.
 * `pass` sets its pass up and returns what to time.
 */
async function perEvent(bodies: Buffer[], events: number, pass: () => Promise<() => Promise<unknown>>): Promise<FloorCost> {
  let best: FloorCost = { us: Infinity, parses: Infinity };
  for (let i = 0; i < PASSES; i++) {
    const run = await pass();
    const parse = await cpuOf(() => parseBodies(bodies));
    const seconds = await cpuOf(run);
    if (seconds / parse < best.parses) best = { us: (seconds / events) * 1e6, parses: seconds / parse };
  }
  return best;
}

async function prepareAll(bodies: Buffer[]): Promise<EncodedEvents[]> {
  const config = { excludedCategories: new Set<string>(), sealing: true, ingestedNs: BigInt(Date.now()) * 1_000_000n };
  const out: EncodedEvents[] = [];
  for (const body of bodies) out.push((await prepareRecords(decodeKind('ecs', body, { maxRecordBytes: 1 << 20, keepOriginal: false }), {}, config)).events);
  return out;
}

/** Stores encoded batches into a fresh store, `perCommit` events or so a commit, and closes it (a checkpoint). */
async function storeAll(encoded: EncodedEvents[], perCommit: number, dir: string): Promise<() => Promise<void>> {
  const store = await openTestStore(dir, {}, { 'store.checkpoint_threshold': '256MB' });
  return async () => {
    let round: EncodedEvents[] = [];
    let events = 0;
    for (const [i, e] of encoded.entries()) {
      round.push(e);
      events += e.count;
      if (events < perCommit && i < encoded.length - 1) continue;
      await store.append(round.map((r) => ({ events: store.stage(r) })));
      round = [];
      events = 0;
    }
    // Closing checkpoints: the WAL is folded into the database file, which the server pays for these events sooner or later.
    await store.close();
  };
}

/** Measures both costs over `bodies` (NDJSON of `events` ECS events), storing in commits of about `perCommit` events. */
export async function measureIngestFloor(bodies: Buffer[], events: number, perCommit: number): Promise<IngestFloor> {
  await prepareAll(bodies); // warms V8 up, as on the long-running server
  let encoded: EncodedEvents[] = [];
  const prepare = await perEvent(bodies, events, async () => async () => (encoded = await prepareAll(bodies)));
  const dirs: string[] = [];
  try {
    const store = await perEvent(bodies, events, async () => {
      dirs.push(tempDir('vigil-bench-floor-'));
      return storeAll(encoded, perCommit, dirs[dirs.length - 1]);
    });
    return { prepare, store };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

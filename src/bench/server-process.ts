/** A Vigil server in its own process for benchmarks, with its admin token and peak RSS. */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/events.js';

const VIGIL = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));

export interface BenchServer {
  /** The server's data dir. */
  dir: string;
  url: string;
  token: string;
  /** Peak resident set size so far, MiB. */
  peakRssMiB(): number;
  /** CPU time the server has used so far, all its threads, seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startBenchServer(args: string[] = [], dir = tempDir('vigil-bench-')): Promise<BenchServer> {
  const child = spawn(process.execPath, [VIGIL, 'serve', '--data', dir, '--port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
  return {
    dir,
    url,
    token: readFileSync(join(dir, 'admin.token'), 'utf8').trim(),
    peakRssMiB() {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    cpuSeconds() {
      // utime and stime, the 14th and 15th fields, in clock ticks (USER_HZ, 100 on Linux); the name before them may hold spaces.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Posts every body with `clients` concurrent senders over kept-alive
 * connections; resolves with the elapsed seconds. The senders share the
 * server's two cores, so they use node:http: `fetch` (undici) spent about
 * 3 µs of CPU per event sending these bodies, node:http about 0.6.
 */
export async function postAll(server: BenchServer, path: string, bodies: Buffer[], clients: number, contentType: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const target = new URL(path, server.url);
  const post = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const headers = { authorization: `Bearer ${server.token}`, 'content-type': contentType, 'content-length': body.length };
      const req = request(target, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = next++; i < bodies.length; i = next++) await post(bodies[i]);
      }),
    );
  } finally {
    agent.destroy();
  }
  return (performance.now() - t0) / 1000;
}

/**
 * Events sent to a fresh server before the timed run. The server is a
 * long-running process, and the JSON.parse baseline is the best of three warm
 * rounds; cold, V8 was still compiling the hot path (in the main thread and
 * each decoding thread) through the first ~100,000 events, which cost a
 * first pass about 40 % more CPU per event than the next. The warm-up's own
 * rate is printed too.
 */
export const warmupEvents = (events: number): number => Math.min(50_000, Math.ceil(events / 4));

/** What a warm-up pass and the timed pass after it measured. */
export interface TimedIngest {
  coldSeconds: number;
  seconds: number;
  /** The server's peak RSS after the timed pass, MiB. */
  rss: number;
  /** CPU the server used during the timed pass, all threads, seconds. */
  cpuSeconds: number;
  /** Group commits the server made during the timed pass. */
  commits: number;
  /** JSON.parse of the timed bodies right before and right after the timed pass, and their mean (the figure's baseline). */
  before: number;
  after: number;
  parseRate: number;
}

/**
 * Sends `warm` (untimed, see warmupEvents), then times sending `bodies`
 * between two JSON.parse baselines over them, and stops the server. This VM's
 * speed drifts by a third from one minute to the next, so a single baseline
 * taken a minute before the run could belong to another speed; the figure's
 * baseline is the mean of the two taken right before and right after it.
 */
export async function warmThenTimed(
  server: BenchServer,
  path: string,
  contentType: string,
  clients: number,
  warm: Buffer[],
  bodies: Buffer[],
  events: number,
  wholeBody: boolean,
): Promise<TimedIngest> {
  const coldSeconds = await postAll(server, path, warm, clients, contentType);
  const before = jsonParseRate(bodies, events, wholeBody);
  const commitsBefore = await commitCount(server);
  const cpuBefore = server.cpuSeconds();
  const seconds = await postAll(server, path, bodies, clients, contentType);
  const cpuSeconds = server.cpuSeconds() - cpuBefore;
  const commits = (await commitCount(server)) - commitsBefore;
  const rss = server.peakRssMiB();
  await server.stop();
  const after = jsonParseRate(bodies, events, wholeBody);
  return { coldSeconds, seconds, rss, cpuSeconds, commits, before, after, parseRate: (before + after) / 2 };
}

/** Group commits the server has made so far (its `vigil_commit_batch_events` histogram's count). */
async function commitCount(server: BenchServer): Promise<number> {
  const res = await fetch(new URL('/metrics', server.url), { headers: { authorization: `Bearer ${server.token}` } });
  const m = /^vigil_commit_batch_events_count(?:\{[^}]*\})? (\S+)$/m.exec(await res.text());
  if (!m) throw new Error('the server reported no vigil_commit_batch_events_count');
  return Number(m[1]);
}

/** How a figure's JSON.parse baseline was taken, for the bench's header line. */
export const parseLine = (t: { before: number; after: number }): string =>
  `JSON.parse ${Math.round(t.before).toLocaleString('en-US')} ev/s right before, ${Math.round(t.after).toLocaleString('en-US')} right after (baseline: their mean)`;

/**
 * Where a figure's ratio to JSON.parse comes from: the server's CPU per event,
 * counted in JSON.parses of one event, and how many of the machine's cores it
 * kept busy (ratio = cores busy / CPU per event in JSON.parses).
 */
export const cpuLine = (t: TimedIngest, events: number): string => {
  const perEvent = t.cpuSeconds / events;
  return (
    `server CPU ${(perEvent * 1e6).toFixed(1)} µs per event, ${(perEvent * t.parseRate).toFixed(1)}× a JSON.parse of one; ` +
    `${(t.cpuSeconds / t.seconds).toFixed(2)} cores busy`
  );
};

/** JSON.parse of every line of every body (or of each whole body) — the speed anchor's work. */
export function parseBodies(bodies: Buffer[], wholeBody = false): void {
  for (const b of bodies) {
    const text = b.toString('utf8');
    if (wholeBody) JSON.parse(text);
    else for (const line of text.split('\n')) if (line) JSON.parse(line);
  }
}

/** Best of three: parseBodies as events/s. */
function jsonParseRate(bodies: Buffer[], events: number, wholeBody = false): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    parseBodies(bodies, wholeBody);
    best = Math.max(best, events / ((performance.now() - t0) / 1000));
  }
  return best;
}

/**
 * Wires a running Vigil: store → group committer → ingest service → the
 * configured sources (`sources:`) → HTTP.
 * Used by `vigil serve` and by tests. `stop()` is the graceful shutdown:
 * stop accepting, finish in-flight requests and commits, close the store.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TokenStore } from '../auth/tokens.js';
import { parseSize, type Config } from '../config/load.js';
import { GroupCommitter } from '../ingest/group-commit.js';
import { openStore, type AuditStore } from '../store/index.js';
import { startCheckpoints, type Checkpointer } from '../integrity/signing/index.js';
import { startRetention } from '../store/retention-policy.js';
import { Metrics } from '../telemetry/metrics.js';
import { buildServer } from '../server/app.js';
import { queryGate } from './query-gate.js';
import { createSources } from '../sources/registry.js';
import { ingestStack } from './ingest-stack.js';
import { loadK8sPolicy } from './policy.js';
import { tuneHeapForIngest } from '../gc-tuning.js';
import { DiskSpace } from './disk-space.js';
import { dataDirWarning, privateUmask, privatizeDataDir } from './file-modes.js';
import { StartupError } from './startup-error.js';

export const SERVER_FILE = 'server.json';

export interface Running {
  url: string;
  app: FastifyInstance;
  store: AuditStore;
  /** Signs checkpoints; its 'checkpoint' event is the hook for shipping them to outputs. Undefined when sealing is off. */
  checkpoints: Checkpointer | undefined;
  /** Path of the admin token file when this start created it. */
  adminTokenFile: string | undefined;
  /** What the operator should know about this start (a data dir other users may read); `vigil serve` prints them. */
  warnings: string[];
  stop(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** `ingest.decode_threads`: 0 means one per core. */
const decodeThreads = (n: number) => (n > 0 ? n : availableParallelism());

export async function startServer(config: Config): Promise<Running> {
  if (config.server.auth === 'none' && !isLoopback(config.server.host)) {
    throw new Error(`server.auth: none is only allowed when listening on loopback, not on ${config.server.host}`);
  }
  tuneHeapForIngest();
  privateUmask();
  const k8sPolicy = await loadK8sPolicy(config);
  const dirWarning = existsSync(config.data_dir) ? dataDirWarning(config.data_dir) : undefined;
  const store = await StartupError.explain(config.data_dir, () => openStore(config));
  privatizeDataDir(config.data_dir);
  const disk = new DiskSpace(config.data_dir, parseSize(config.store.min_free_bytes));
  const checkpoints = await startCheckpoints(store, config);
  const stopRetention = startRetention(store, config);
  const tokens = config.server.auth === 'token' ? new TokenStore(config.data_dir) : undefined;
  const adminTokenFile = await StartupError.explain(config.data_dir, async () => tokens?.ensureAdmin());
  let committer: GroupCommitter;
  const metrics = new Metrics(store, () => committer?.backlogBytes ?? 0);
  const sources = createSources(config.sources);
  const stack = ingestStack(config, store, metrics, k8sPolicy, decodeThreads(config.ingest.decode_threads));
  committer = stack.committer;
  let stopping = false;
  const app = buildServer({
    config,
    store,
    ingest: stack.ingest,
    sources,
    metrics,
    tokens,
    k8sPolicy,
    ledger: store,
    exportStore: store,
    queries: queryGate(config),
    checkpoints,
    notReady: () =>
      stopping
        ? 'shutting down'
        : committer.backlogBytes > config.ingest.max_queued_bytes * 0.9
          ? 'ingest queue nearly full'
          : disk.notReady(),
  });
  if (config.server.auth === 'none') app.log.warn('authentication is off (server.auth: none); anyone who can reach this port can read the audit log');
  await app.listen({ host: config.server.host, port: config.server.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const scheme = config.server.tls.cert ? 'https' : 'http';
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `${scheme}://${host}:${port}`;
  const serverFile = join(config.data_dir, SERVER_FILE);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      await app.close(); // waits for in-flight requests, which wait for their commits
      await committer.close();
      await stack.pool?.close();
      await stopRetention();
      await store.close(); // signs the final checkpoint first
      disk.stop();
      rmSync(serverFile, { force: true });
    })();
    return stopped;
  };
  try {
    await StartupError.explain(serverFile, async () => writeFileSync(serverFile, JSON.stringify({ pid: process.pid, url }) + '\n', { mode: 0o600 }));
  } catch (err) {
    await stop().catch(() => undefined); // on a full disk the final checkpoint may not be written either
    throw err;
  }
  return { url, app, store, checkpoints, adminTokenFile, warnings: dirWarning ? [dirWarning] : [], stop };
}

/** Opens the data dir's store for a CLI command, explaining clearly when a server holds it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import { DuckDBStore, StoreLockedError } from '../store/duckdb/duckdb-store.js';
import { SERVER_FILE } from '../server/runtime.js';
import { CliError } from './errors.js';

function runningServer(dataDir: string): { pid: number; url: string } | undefined {
  const file = join(dataDir, SERVER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; url: string };
    process.kill(s.pid, 0);
    return s;
  } catch {
    return undefined;
  }
}

export async function openLocalStore(config: Config): Promise<DuckDBStore> {
  const server = runningServer(config.data_dir);
  const hint = (url?: string) =>
    `a Vigil server${url ? ` at ${url}` : ''} holds ${config.data_dir}; use --server ${url ?? 'URL'} --token TOKEN ` +
    `(the admin token is in ${join(config.data_dir, 'admin.token')})`;
  if (server) throw new CliError(hint(server.url));
  try {
    return await DuckDBStore.open({ dataDir: config.data_dir, checkpointThreshold: config.store.checkpoint_threshold });
  } catch (err) {
    if (err instanceof StoreLockedError) throw new CliError(hint());
    throw err;
  }
}

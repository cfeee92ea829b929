/** Opens the data dir's store for a CLI command, explaining clearly when a server holds it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import { KeyError, startCheckpoints } from '../integrity/signing/index.js';
import { openStore, storeExists, StoreLockedError, TreeCorruptError, type AuditStore } from '../store/index.js';
import { SERVER_FILE } from '../runtime/server.js';
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

/**
 * Opens the data dir's store. A writable store signs checkpoints like the
 * server does (the last one when it closes); `readOnly` opens it for reading
 * only (verify, proofs), which needs no migration and signs nothing.
 */
/** The store a local command works on. */
export type LocalStore = AuditStore;

export async function openLocalStore(config: Config, opts: { readOnly?: boolean } = {}): Promise<LocalStore> {
  const server = runningServer(config.data_dir);
  const hint = (url?: string) =>
    `a Vigil server${url ? ` at ${url}` : ''} holds ${config.data_dir}; use --server ${url ?? 'URL'} --token TOKEN ` +
    `(the admin token is in ${join(config.data_dir, 'admin.token')})`;
  if (server) throw new CliError(hint(server.url));
  if (opts.readOnly && !(await storeExists(config))) throw new CliError(`no Vigil store in ${config.data_dir}`);
  let store: LocalStore;
  try {
    store = await openStore(config, { readOnly: opts.readOnly });
  } catch (err) {
    if (err instanceof StoreLockedError) throw new CliError(hint());
    if (err instanceof TreeCorruptError) throw new CliError(err.message);
    throw err;
  }
  if (!opts.readOnly) {
    try {
      await startCheckpoints(store, config);
    } catch (err) {
      await store.close();
      throw err instanceof KeyError ? new CliError(err.message) : err;
    }
  }
  return store;
}

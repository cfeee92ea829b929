/** Wiring a store to its checkpoint key and checkpointer (server and local CLI commands alike). */
import type { Config } from '../../config/load.js';
import { parseDurationNs } from '../../model/time.js';
import type { AuditStore } from '../../store/index.js';
import { Checkpointer } from './checkpointer.js';
import { loadOrCreateKey } from './key.js';

export { Checkpointer, CHECKPOINT_LOG } from './checkpointer.js';
export { KEY_FILE, KeyError, PUBLIC_KEY_FILE, configuredVerifierKey, loadOrCreateKey, readVerifierKey, type LogKey } from './key.js';

/** Milliseconds of a config duration such as `10s`. */
export function durationMs(text: string): number {
  const ns = parseDurationNs(text);
  if (ns === undefined) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return Number(ns / 1_000_000n);
}

/**
 * Loads (or generates) the signing key and starts a checkpointer on an open
 * writable store; the store's close signs the final checkpoint. Nothing is
 * started for a store that does not seal.
 */
const running = new WeakMap<AuditStore, Checkpointer>();

/** The checkpointer started on a store, if any (e.g. to sign a fresh checkpoint before an export). */
export function checkpointerOf(store: AuditStore): Checkpointer | undefined {
  return running.get(store);
}

export async function startCheckpoints(store: AuditStore, config: Config): Promise<Checkpointer | undefined> {
  if (!store.sealing || store.readOnly) return undefined;
  const key = loadOrCreateKey(config.data_dir, config.integrity.key_file);
  const checkpointer = new Checkpointer(store, key, {
    dataDir: config.data_dir,
    everyEvents: config.integrity.checkpoint_events,
    intervalMs: durationMs(config.integrity.checkpoint_interval),
  });
  await checkpointer.start();
  running.set(store, checkpointer);
  store.beforeClose(async () => {
    await checkpointer.close();
  });
  return checkpointer;
}

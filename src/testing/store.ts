/** Test helpers: a store opened the way the server opens one, on a temporary data dir. */
import { loadConfig, type Config } from '../config/load.js';
import { ingestedAt, prepareEvent } from '../model/prepare.js';
import { openStore, type AuditStore, type OpenOptions } from '../store/index.js';
import { sampleEvent, tempDir } from './events.js';

/** The default configuration on `dataDir`, with config key paths overridden (e.g. `{'integrity.sealing': false}`). */
export const testConfig = (dataDir: string, overrides: Record<string, unknown> = {}): Config =>
  loadConfig({ env: {}, overrides: { data_dir: dataDir, ...overrides } });

export const openTestStore = (dataDir: string, opts: OpenOptions = {}, overrides: Record<string, unknown> = {}): Promise<AuditStore> =>
  openStore(testConfig(dataDir, overrides), opts);

/** A store on a fresh temporary dir holding `n` sample events from `t0` (ns), all ingested 1000 s after it. */
export async function storeWithSampleEvents(n: number, t0: bigint): Promise<AuditStore> {
  const store = await openTestStore(tempDir());
  const events = Array.from({ length: n }, (_, i) => prepareEvent(sampleEvent(i, t0), ingestedAt(t0 + 1_000_000_000_000n)));
  await store.append([{ events }]);
  return store;
}

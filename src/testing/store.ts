/** Test helpers: a store opened the way the server opens one, on a temporary data dir. */
import { loadConfig, type Config } from '../config/load.js';
import { openStore, type AuditStore, type OpenOptions } from '../store/index.js';

/** The default configuration on `dataDir`, with config key paths overridden (e.g. `{'integrity.sealing': false}`). */
export const testConfig = (dataDir: string, overrides: Record<string, unknown> = {}): Config =>
  loadConfig({ env: {}, overrides: { data_dir: dataDir, ...overrides } });

export const openTestStore = (dataDir: string, opts: OpenOptions = {}, overrides: Record<string, unknown> = {}): Promise<AuditStore> =>
  openStore(testConfig(dataDir, overrides), opts);

/**
 * What Vigil writes is private to the user running it: files 0600, folders
 * 0700. The process umask (077) covers what is created from now on, DuckDB's
 * own files (database, WAL) included; `privatizeDataDir` fixes what already
 * exists — files from a run with a looser umask or copied in — once the store
 * is open. The data dir itself belongs to the operator: its mode is only
 * reported (`dataDirWarning`), never changed.
 */
import { isMainThread } from 'node:worker_threads';
import { chmodSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Sets the process umask to 077, so files are created 0600 and folders 0700 whatever the caller's umask. */
export function privateUmask(): void {
  // Worker threads share the process umask and may not set it.
  if (isMainThread) process.umask(0o077);
}

/** Makes every file under `dir` 0600 and every folder 0700 (symbolic links are left alone). */
export function privatizeDataDir(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodSync(path, PRIVATE_DIR);
      privatizeDataDir(path);
    } else if (entry.isFile() && (lstatSync(path).mode & 0o777) !== PRIVATE_FILE) {
      chmodSync(path, PRIVATE_FILE);
    }
  }
}

/** A warning when other users may list or enter the data dir, or undefined. */
export function dataDirWarning(dir: string): string | undefined {
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `data directory ${dir} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}); its files are kept 0600, but consider chmod 700 ${dir}`;
}

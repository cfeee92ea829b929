/**
 * Where a worker thread's compiled module is. Workers run JavaScript only,
 * so code running from TypeScript sources (the test runner) uses the build
 * in dist/ when it exists; undefined when there is none (callers then do the
 * work on their own thread).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function compiledWorker(url: URL): string | undefined {
  const file = fileURLToPath(url);
  if (existsSync(file)) return file;
  const built = file.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2');
  return built !== file && existsSync(built) ? built : undefined;
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * End-to-end tests run the built CLI (`bin/vigil.js` → `dist/`), so build it
 * first. Type errors are reported by `npm test`'s own type check; emitting
 * still succeeds with them, so only a missing output fails here.
 */
export default function setup(): void {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (!existsSync('dist/cli/main.js')) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}

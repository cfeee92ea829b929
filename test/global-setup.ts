import { execFileSync } from 'node:child_process';

/** End-to-end tests run the built CLI (`bin/vigil.js` → `dist/`), so build it first. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

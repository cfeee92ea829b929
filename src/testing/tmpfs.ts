/**
 * A small tmpfs, for tests of a really full disk. Mounting needs root: where
 * the test process is not root (or may not mount), `mountTmpfs` returns
 * undefined and the test is skipped.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tempDir } from './events.js';

export interface Tmpfs {
  dir: string;
  /** Writes a file that takes all but `leaveBytes` of the free space; returns a function removing it. */
  fill(leaveBytes?: number): () => void;
  unmount(): void;
}

export const canMount = (): boolean => process.getuid?.() === 0 && process.platform === 'linux';

export function mountTmpfs(size: string): Tmpfs | undefined {
  if (!canMount()) return undefined;
  const dir = tempDir('vigil-tmpfs-');
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]).status !== 0) return undefined;
  let n = 0;
  return {
    dir,
    fill(leaveBytes = 0) {
      const file = `${dir}/ballast-${n++}`;
      // Fill in ever smaller writes until not one more byte fits.
      let written = 0;
      for (let size = 1 << 20; size >= 1; size >>= 2) {
        const chunk = Buffer.alloc(size, 1);
        try {
          for (;;) {
            writeFileSync(file, chunk, { flag: 'a' });
            written += size;
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        }
      }
      if (leaveBytes > 0) {
        rmSync(file);
        writeFileSync(file, Buffer.alloc(Math.max(0, written - leaveBytes), 1));
      }
      return () => rmSync(file, { force: true });
    },
    unmount() {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

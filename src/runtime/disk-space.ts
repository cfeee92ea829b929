/**
 * Free space on the data volume, for readiness: checked with statfs at start
 * and every few seconds, so `/readyz` turns not ready below
 * `store.min_free_bytes` before ingest starts failing with 507.
 */
import { statfs, statfsSync } from 'node:fs';

const CHECK_MS = 2000;

export class DiskSpace {
  private free: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly minFree: number,
  ) {
    this.free = DiskSpace.available(statfsSync(dir));
    this.timer = setInterval(() => statfs(dir, (err, s) => !err && (this.free = DiskSpace.available(s))), CHECK_MS);
    this.timer.unref();
  }

  private static available(s: { bavail: number; bsize: number }): number {
    return s.bavail * s.bsize;
  }

  /** Why the volume cannot take more events, or undefined while it has room. */
  notReady(): string | undefined {
    if (this.free >= this.minFree) return undefined;
    return `data volume nearly full: ${this.free} bytes free in ${this.dir}, below store.min_free_bytes (${this.minFree})`;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

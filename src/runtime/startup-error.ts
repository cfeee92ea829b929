/** A start that cannot succeed as configured (a full data volume, …), with a message naming the path; `vigil serve` prints it and exits 1. */
import { isDiskFull } from '../store/index.js';

export class StartupError extends Error {
  override readonly name = 'StartupError';

  /** Runs `step`; a full disk becomes a StartupError naming the file (or `where`, when the error does not say). */
  static async explain<T>(where: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      const path = (err as NodeJS.ErrnoException).path ?? where;
      throw new StartupError(`cannot start: no space left on the device holding ${path} (${(err as Error).message}); free space there and start again`, { cause: err });
    }
  }
}

/** Errors any store raises when it cannot be opened; callers explain them without knowing the engine. */

/** Another process (usually a running server) holds the store. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

/** The persisted tree head does not match the events stored: the store refuses to open rather than extend a broken tree. */
export class TreeCorruptError extends Error {
  override readonly name = 'TreeCorruptError';
}

/** Whether an error is the data volume being full (ENOSPC from Node, or the engine's own report of it). */
export function isDiskFull(err: unknown): boolean {
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC') return true;
  return /no space left on device|ENOSPC|disk is full/i.test((err as Error | undefined)?.message ?? '');
}

/** Errors any store raises when it cannot be opened; callers explain them without knowing the engine. */

/** Another process (usually a running server) holds the store. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

/** The persisted tree head does not match the events stored: the store refuses to open rather than extend a broken tree. */
export class TreeCorruptError extends Error {
  override readonly name = 'TreeCorruptError';
}

/** Vigil's library entry point. */
export type { AuditEvent, StoredEvent, VigilMeta } from './model/event.js';
export { EventSchema } from './model/event.js';
export { validateEvent } from './model/validate.js';
export { canonicalJson } from './model/canonical.js';
export type { Store, StoredRow } from './store/store.js';
export { openStore, type AuditStore } from './store/index.js';
export { startServer } from './runtime/server.js';
export { loadConfig } from './config/load.js';

/** Vigil's audit SDK: emit application audit events (`app` format) to a Vigil server. */
export { createAuditClient, DeliveryError, type AuditClient, type AuditClientOptions, type AuditClientStats } from './client.js';
export { buildEvent, nowTs, type Actor, type AppEvent, type Common, type Origin, type Outcome } from './events.js';

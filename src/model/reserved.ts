/**
 * The `vigil` dataset and every `vigil.*` one (the access audit, `vigil.access`)
 * hold only what the server writes itself. Ingest refuses an event naming
 * one, on every route: in `event.dataset`, or in `labels.dataset`, which the
 * Loki read API takes the `dataset` stream label from. So a stored event of a
 * `vigil.*` dataset can only be the server's own (docs/schema.md).
 */
import type { FieldError } from './validate.js';

const RESERVED = /^vigil(\.|$)/i;

export const isReservedDataset = (v: unknown): boolean => typeof v === 'string' && RESERVED.test(v);

/** Why an ingested event may not be stored for naming a reserved dataset, or undefined. */
export function reservedDatasetError(e: { event?: { dataset?: unknown }; labels?: unknown }): FieldError | undefined {
  const labels = e.labels as { dataset?: unknown } | undefined;
  for (const [path, v] of [['event.dataset', e.event?.dataset], ['labels.dataset', labels?.dataset]] as const) {
    if (isReservedDataset(v)) return { path, reason: `${JSON.stringify(v)} is reserved: the vigil.* datasets hold only records the server writes itself` };
  }
  return undefined;
}

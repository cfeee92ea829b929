/**
 * Applying a policy decision to a recorded Event (reference §5, "Vigil" steps):
 * None → drop; stage in omitStages → drop; level = min(decision, recorded level);
 * bodies the level does not keep are removed; managed fields stripped if asked.
 * Input events are never mutated.
 */
import { attributesFromEvent } from './attributes.js';
import { evaluate, type CompiledPolicy } from './evaluate.js';
import { isLevel, levelRank, type AuditEvent, type Decision, type Level, type RequestAttributes } from './types.js';

export type DropReason = 'level' | 'stage';

export interface ApplyResult {
  /** The event as it would have been recorded, or null when dropped. */
  event: AuditEvent | null;
  /** null only when no policy is configured (keepAll). */
  decision: Decision | null;
  /** Why the event was dropped: level None, or its stage is omitted. */
  dropped: DropReason | null;
}

/**
 * The level an event keeps: the lower of the decision and the recorded level
 * (bodies that were not recorded cannot be restored). A missing or unrecognised
 * recorded level is treated as unknown and the decision's level is used.
 */
export function appliedLevel(decision: Level, recorded: unknown): Level {
  return isLevel(recorded) && levelRank(recorded) < levelRank(decision) ? recorded : decision;
}

/** Apply an already computed decision to an event. */
export function applyDecision(event: AuditEvent, decision: Decision): ApplyResult {
  if (decision.level === 'None') return { event: null, decision, dropped: 'level' };
  const stage = event.stage;
  if (typeof stage === 'string' && (decision.omitStages as readonly string[]).includes(stage)) {
    return { event: null, decision, dropped: 'stage' };
  }
  const level = appliedLevel(decision.level, event.level);
  const out: AuditEvent = { ...event, level };
  const rank = levelRank(level);
  if (rank < 3) delete out.responseObject;
  if (rank < 2) delete out.requestObject;
  if (decision.omitManagedFields) {
    // PATCH bodies are stored as sent (LogRequestPatch), never stripped.
    if (out.requestObject !== undefined && event.verb !== 'patch') {
      out.requestObject = withoutManagedFields(out.requestObject);
    }
    if (out.responseObject !== undefined) out.responseObject = withoutManagedFields(out.responseObject);
  }
  return { event: out, decision, dropped: null };
}

const scratch: RequestAttributes = attributesFromEvent(undefined);

/**
 * Evaluate the policy for an event and apply the decision. With no policy
 * (null/undefined) everything is kept unchanged, like keepAll.
 */
export function applyPolicy(policy: CompiledPolicy | null | undefined, event: AuditEvent): ApplyResult {
  if (policy === null || policy === undefined) return keepAll(event);
  return applyDecision(event, evaluate(policy, attributesFromEvent(event, scratch)));
}

/** No policy configured: keep every event as it is (a shallow copy is returned). */
export function keepAll(event: AuditEvent): ApplyResult {
  return { event: { ...event }, decision: null, dropped: null };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return Object.prototype.toString.call(v) === '[object Object]';
}

/** `obj` without metadata.managedFields (copy-on-write; `obj` itself if nothing to strip). */
function stripObjectMeta(obj: unknown): unknown {
  if (!isPlainObject(obj)) return obj;
  const meta = obj.metadata;
  if (!isPlainObject(meta) || !('managedFields' in meta)) return obj;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/**
 * copyWithoutManagedFields of pkg/audit/request.go on a JSON body: the object's
 * own metadata.managedFields, every list item's (`items[*]`), and every Table
 * row object's (`rows[*].object`). Returns the input when nothing changes.
 */
export function withoutManagedFields(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  let out = stripObjectMeta(body) as Record<string, unknown>;
  const items = body.items;
  if (Array.isArray(items)) {
    let changed = false;
    const next = items.map((item) => {
      const s = stripObjectMeta(item);
      if (s !== item) changed = true;
      return s;
    });
    if (changed) out = { ...out, items: next };
  }
  const rows = body.rows;
  if (body.kind === 'Table' && Array.isArray(rows)) {
    let changed = false;
    const next = rows.map((row) => {
      if (!isPlainObject(row)) return row;
      const s = stripObjectMeta(row.object);
      if (s === row.object) return row;
      changed = true;
      return { ...row, object: s };
    });
    if (changed) out = { ...out, rows: next };
  }
  return out;
}

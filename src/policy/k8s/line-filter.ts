/**
 * The audit policy as a stage before decoding, for Kubernetes audit events
 * that arrive as lines (log-backend files, Loki push, `vigil ingest`): a line
 * holding an Event or an EventList is rewritten to what the policy keeps, so
 * stripped bodies never reach the normalizer or `event.original`.
 */
import { applyPolicy } from './apply.js';
import type { CompiledPolicy } from './evaluate.js';
import type { AuditEvent } from './types.js';

export interface FilteredLine {
  /** The line to decode, or null when the policy dropped everything in it. */
  text: string | null;
  /** Events the policy dropped. */
  dropped: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies `policy` to one line; lines that are not audit events pass unchanged (the decoder judges them). */
export function filterAuditLine(policy: CompiledPolicy, line: string): FilteredLine {
  if (!line.includes('audit.k8s.io')) return { text: line, dropped: 0 };
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return { text: line, dropped: 0 };
  }
  if (!isObject(doc)) return { text: line, dropped: 0 };
  if (doc.kind === 'EventList' && Array.isArray(doc.items)) {
    const kept: unknown[] = [];
    for (const item of doc.items) {
      if (!isObject(item)) {
        kept.push(item);
        continue;
      }
      const r = applyPolicy(policy, item as unknown as AuditEvent);
      if (r.event) kept.push(r.event);
    }
    const dropped = doc.items.length - kept.length;
    if (kept.length === 0) return { text: null, dropped };
    return { text: dropped === 0 ? line : JSON.stringify({ ...doc, items: kept }), dropped };
  }
  if (typeof doc.apiVersion !== 'string' || !doc.apiVersion.startsWith('audit.k8s.io/')) return { text: line, dropped: 0 };
  const r = applyPolicy(policy, doc as unknown as AuditEvent);
  if (!r.event) return { text: null, dropped: 1 };
  return { text: JSON.stringify(r.event), dropped: 0 };
}

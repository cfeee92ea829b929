/**
 * Turns stored rows into LogQL entries for either line view. The `ecs` view
 * (Vigil's own) uses the compact ECS JSON as the line and the typed columns
 * as stream labels; the `original` view (Loki API) uses `event.original` when
 * present, and as labels those sent with a Loki push (the ECS `labels`
 * object) plus, where absent, labels derived from the normalized event.
 */
import type { Entry } from '../pipeline/pipeline.js';
import type { LineView } from '../plan/plan.js';
import type { Catalog } from '../sql/dialect.js';
import { labelColumns } from '../sql/render.js';

/** Outcome → Grafana's `detected_level` (colours the log-volume histogram). */
export const DETECTED_LEVEL: Record<string, string> = { failure: 'error', success: 'info', unknown: 'unknown' };

type Row = unknown[];

/**
 * The `original` view's labels derived from the event, where no pushed label
 * has the name (the catalogs' `original.derived` compute the same in SQL).
 */
export const DERIVED: readonly [string, (ev: Record<string, any>) => unknown][] = [
  ['dataset', (ev) => ev.event?.dataset],
  ['category', (ev) => (Array.isArray(ev.event?.category) ? ev.event.category.join(',') : undefined)],
  ['action', (ev) => ev.event?.action],
  ['outcome', (ev) => ev.event?.outcome],
  ['cluster', (ev) => ev.orchestrator?.cluster?.name],
  ['namespace', (ev) => ev.orchestrator?.namespace],
  ['host', (ev) => ev.host?.name],
  ['service', (ev) => ev.service?.name],
  ['detected_level', (ev) => DETECTED_LEVEL[ev.event?.outcome as string]],
];

export interface RowReader {
  /** Builds an entry from a row of renderScan's columns (seq, ts, line, label columns… unless the scan was line-only). */
  entry(row: Row): Entry & { seq: number; doc: string };
}

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : Array.isArray(v) ? v.join(',') : typeof v === 'object' && v && 'items' in v ? (v as { items: unknown[] }).items.join(',') : String(v));

export function rowReader(cat: Catalog, view: LineView): RowReader {
  const cols = labelColumns(cat);
  const labelOf = Object.entries(cat.labels).map(([name, l]) => ({ name, idx: l.columns.map((c) => 3 + cols.indexOf(c)) }));
  if (view === 'ecs') {
    const names = new Set(labelOf.map((l) => l.name));
    return {
      entry(row) {
        const labels = new Map<string, string>();
        if (row.length > 3) for (const l of labelOf) {
          for (const i of l.idx) {
            const v = str(row[i]);
            if (v) {
              labels.set(l.name, v);
              break;
            }
          }
        }
        const doc = row[2] as string;
        return { seq: Number(row[0]), ts: row[1] as bigint, line: doc, doc, labels, stream: names };
      },
    };
  }
  return {
    entry(row) {
      const doc = row[2] as string;
      const ev = JSON.parse(doc) as Record<string, any>;
      const labels = new Map<string, string>();
      if (ev.labels && typeof ev.labels === 'object') for (const [k, v] of Object.entries(ev.labels)) if (typeof v === 'string') labels.set(k, v);
      for (const [k, f] of DERIVED) {
        if (labels.has(k)) continue;
        const v = f(ev);
        if (typeof v === 'string' && v !== '') labels.set(k, v);
      }
      const original = ev.event?.original;
      return {
        seq: Number(row[0]), ts: row[1] as bigint, doc,
        line: typeof original === 'string' ? original : doc,
        labels, stream: new Set(labels.keys()),
      };
    },
  };
}

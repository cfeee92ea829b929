/** Prints query results as a terminal table, JSON, NDJSON or CSV. */
import type { StoredEvent } from '../model/event.js';

export const OUTPUTS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUTS)[number];

const CSV_COLUMNS: [string, (e: StoredEvent) => unknown][] = [
  ['vigil.seq', (e) => e.vigil.seq],
  ['@timestamp', (e) => e['@timestamp']],
  ['event.dataset', (e) => e.event?.dataset],
  ['event.category', (e) => e.event?.category?.join('|')],
  ['event.action', (e) => e.event?.action],
  ['event.outcome', (e) => e.event?.outcome],
  ['user.name', (e) => e.user?.name],
  ['user.email', (e) => e.user?.email],
  ['source.ip', (e) => e.source?.ip],
  ['event.id', (e) => e.event?.id],
  ['message', (e) => e.message],
];

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Lines of output for `events` (already carrying `vigil.seq`), given as JSON text. */
export function render(docs: string[], format: OutputFormat, width = 160): string[] {
  switch (format) {
    case 'ndjson':
      return docs;
    case 'json':
      return [`[${docs.join(',\n')}]`];
    case 'csv': {
      const rows = docs.map((d) => JSON.parse(d) as StoredEvent);
      return [CSV_COLUMNS.map(([h]) => h).join(','), ...rows.map((e) => CSV_COLUMNS.map(([, f]) => csvCell(f(e))).join(','))];
    }
    case 'table':
      return table(docs.map((d) => JSON.parse(d) as StoredEvent), width);
  }
}

function table(events: StoredEvent[], width: number): string[] {
  const header = ['TIME', 'DATASET', 'ACTION', 'OUTCOME', 'USER', 'SOURCE', 'MESSAGE'];
  const rows = events.map((e) => [
    e['@timestamp'].replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1Z'),
    e.event?.dataset ?? '',
    e.event?.action ?? '',
    e.event?.outcome ?? '',
    e.user?.name ?? e.user?.email ?? '',
    e.source?.ip ?? '',
    e.message ?? '',
  ]);
  const widths = header.map((h, i) => Math.min(i === 6 ? Infinity : 40, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const fixed = widths.slice(0, 6).reduce((a, b) => a + b + 2, 0);
  widths[6] = Math.max(20, width - fixed);
  const fmt = (r: string[]) =>
    r.map((c, i) => (c.length > widths[i] ? `${c.slice(0, widths[i] - 1)}…` : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

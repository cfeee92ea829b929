/**
 * The typed columns of the `events` table that LogQL labels match, shared by
 * every store (the ClickHouse table has the same layout as DuckDB's): the
 * planner's catalog of which column(s) back each label.
 */
import type { Catalog, LabelColumn } from './dialect.js';

const EVENT_LABEL_COLUMNS: Readonly<Record<string, LabelColumn>> = {
  dataset: { columns: ['dataset'] },
  category: { columns: ['category'], list: true },
  action: { columns: ['action'] },
  outcome: { columns: ['outcome'] },
  user: { columns: ['user_name', 'user_email'] },
  user_email: { columns: ['user_email'] },
  source_ip: { columns: ['source_ip'] },
  target: { columns: ['target'] },
  namespace: { columns: ['namespace'] },
  host: { columns: ['host'] },
};

/** The `events` table's layout, the part of a store's catalog every store shares (each adds its `original` view). */
export const EVENTS_TABLE: Omit<Catalog, 'original'> = {
  table: 'events',
  line: 'doc',
  ts: 'ts',
  seq: 'seq',
  labels: EVENT_LABEL_COLUMNS,
};

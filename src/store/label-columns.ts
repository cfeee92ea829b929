/**
 * The typed columns of the `events` table that LogQL labels match, shared by
 * every store (the ClickHouse table has the same layout as DuckDB's): the
 * planner's catalog of which column(s) back each label.
 */
import type { LabelColumn } from '../query/sql/dialect.js';

export const EVENT_LABEL_COLUMNS: Readonly<Record<string, LabelColumn>> = {
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

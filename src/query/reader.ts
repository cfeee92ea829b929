/** The SQL reader the engine pushes scans into, for a store. */
import type { Store } from '../store/store.js';
import { QueryArgumentError } from './errors.js';
import type { SqlReader } from './sql/dialect.js';

export function readerOf(store: Store): SqlReader {
  if (!store.sql) throw new QueryArgumentError('this store cannot run LogQL pipelines');
  return store.sql;
}

/** The SQL reader the engine pushes scans into: the store's raw SELECT, with the dialect and catalog of its engine. */
import type { Store } from '../store/store.js';
import type { Catalog, SqlDialect, SqlReader } from './sql/dialect.js';
import { duckdbCatalog, duckdbDialect } from './sql/dialects/duckdb.js';

const DIALECTS: Record<Store['engine'], { dialect: SqlDialect; catalog: Catalog }> = {
  duckdb: { dialect: duckdbDialect, catalog: duckdbCatalog },
};

export function readerOf(store: Store): SqlReader {
  return { ...DIALECTS[store.engine], select: (sql, params, signal) => store.select(sql, params, signal) };
}

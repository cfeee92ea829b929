/** Test helper: reading a store back through the query engine, as GET /api/v1/query does. */
import { MAX_LIMIT, runQuery, type QueryRequest } from '../query/engine.js';
import type { AuditStore, StoredRow } from '../store/index.js';

/** The events a LogQL log query matches at any time, oldest first (by default every event with a dataset). */
export const readEvents = (store: AuditStore, query = '{dataset=~".+"}', over: Partial<QueryRequest> = {}): Promise<StoredRow[]> =>
  runQuery(store, { query, from: '0', to: String(2n ** 62n), limit: MAX_LIMIT, direction: 'forward', ...over });

/**
 * DuckDB's side of LogQL pushdown: the dialect (DuckDB's regexes are RE2,
 * as LogQL's are) and the catalog of label columns. Pure string building;
 * the store runs the SQL (DuckDBStore.select).
 */
import type { Catalog, SqlDialect } from '../dialect.js';
import { EVENTS_TABLE } from '../label-columns.js';

/** Query label → the column it filters (category is a list; user is name or e-mail). */
export const LABEL_COLUMNS: Record<string, string> = {
  dataset: 'dataset',
  action: 'action',
  outcome: 'outcome',
  user: 'user_name',
  user_email: 'user_email',
  source_ip: 'source_ip',
  target: 'target',
  namespace: 'namespace',
  host: 'host',
};

/**
 * A necessary condition for the stored document to hold `s` inside a JSON
 * string: the document is RFC 8785 JSON, which escapes a string the way
 * JSON.stringify does, character by character. (Not for text with surrogates,
 * which are escaped only when unpaired.)
 */
function escapedInDoc(s: string): string | undefined {
  return /[\ud800-\udfff]/.test(s) ? undefined : JSON.stringify(s).slice(1, -1);
}

/** `labels.<name>` when it is a string: the event was pushed with that label (kept as sent in ECS `labels`). */
const pushedPath = (name: string) => `'$.labels.${name}'`;

export const duckdbCatalog: Catalog = {
  ...EVENTS_TABLE,
  // The `original` view reads the document: `event.original` is the line as received, `labels` the pushed labels.
  original: {
    line: `coalesce(json_extract_string(doc, '$.event.original'), doc)`,
    // The line is the document itself, or a string inside it (so escaped there).
    lineHint: (s) => {
      const esc = escapedInDoc(s);
      return esc === undefined ? undefined : esc === s ? [s] : [esc, s];
    },
    // The cheap test first: a pushed label is a `"name":"` pair in the document; JSON is read only where one is.
    hasPushed: (name) => `contains(doc, '"${name}":"') AND json_type(doc, ${pushedPath(name)}) = 'VARCHAR'`,
    pushedValue: (name) => `json_extract_string(doc, ${pushedPath(name)})`,
    pushedHint: (name, value) => {
      const esc = escapedInDoc(value);
      return esc === undefined ? undefined : [`"${name}":"${esc}"`];
    },
    derived: {
      dataset: { columns: ['dataset'] },
      category: { columns: ['category'], list: true },
      action: { columns: ['action'] },
      outcome: { columns: ['outcome'] },
      cluster: { sql: `CASE WHEN contains(doc, '"cluster":{') THEN json_extract_string(doc, '$.orchestrator.cluster.name') END` },
      namespace: { columns: ['namespace'] },
      host: { columns: ['host'] },
      service: { sql: `CASE WHEN contains(doc, '"service":{') THEN json_extract_string(doc, '$.service.name') END` },
      detected_level: { sql: `CASE outcome WHEN 'failure' THEN 'error' WHEN 'success' THEN 'info' WHEN 'unknown' THEN 'unknown' END` },
    },
  },
};

export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  placeholder: (i) => `$${i}`,
  contains: (e, p) => `contains(${e}, ${p})`,
  regexSearch: (e, p) => `regexp_matches(${e}, ${p})`,
  regexFull: (e, p) => `regexp_full_match(${e}, ${p})`,
  listContains: (e, p) => `list_contains(coalesce(${e}, []), ${p})`,
  listAnyRegexFull: (e, p) => `len(list_filter(coalesce(${e}, []), c -> regexp_full_match(c, ${p}))) > 0`,
  not: (c) => `NOT ${c}`,
  ifElse: (c, a, b) => `CASE WHEN ${c} THEN ${a} ELSE ${b} END`,
  orEmpty: (e) => `coalesce(${e}, '')`,
  intDiv: (a, b) => `((${a}) // ${b})`,
  byteLength: (e) => `octet_length(encode(${e}))`,
  listJoin: (e) => `nullif(array_to_string(${e}, ','), '')`,
  firstNonEmpty: (es) => `coalesce(${es.map((e) => `nullif(${e}, '')`).join(', ')})`,
};

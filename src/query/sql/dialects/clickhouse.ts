/**
 * ClickHouse's side of LogQL pushdown: the dialect and the catalog of a
 * ClickHouse `events` table. Pure string building (no client, no server), so
 * the same plans render for ClickHouse as for DuckDB and golden tests pin
 * both (golden.test.ts, beside the DuckDB store).
 *
 * Portable between ClickHouse 18.16 and current releases: only `position`,
 * `match` (RE2, unanchored: full matches are anchored in the pattern),
 * `has`, `arrayExists`, `indexOf`, `arrayStringConcat`, `transform`, `if`,
 * `ifNull`, `intDiv`, `length`, `concat`; GROUP BY names aliases, never
 * positions; LIMIT is a literal. Parameters are written the way
 * @clickhouse/client 1.x passes `query_params`: `{p1:String}`, `{p2:Int64}`
 * (the values go in `{ p1: …, p2: … }`).
 *
 * The table this catalog describes (one row per event; strings are '' when
 * absent, so no Nullable):
 *
 *   CREATE TABLE events (
 *     seq UInt64, ts Int64,
 *     dataset String, category Array(String), action String, outcome String,
 *     user_name String, user_email String, source_ip String, target String,
 *     namespace String, host String, cluster String, service String,
 *     label_names Array(String), label_values Array(String), -- pushed labels, as sent
 *     original String,  -- the line as received; the ECS JSON when there is none
 *     doc String        -- the event as RFC 8785 JSON
 *   ) ENGINE = MergeTree ORDER BY (ts, seq)
 */
import type { Catalog, SqlDialect } from '../dialect.js';
import { EVENTS_TABLE } from '../label-columns.js';

const anchored = (p: string) => `concat('^(?:', ${p}, ')$')`;
const pushedIndex = (name: string) => `indexOf(label_names, '${name}')`;

export const clickhouseDialect: SqlDialect = {
  name: 'clickhouse',
  placeholder: (i, type) => `{p${i}:${type === 'string' ? 'String' : 'Int64'}}`,
  literalLimit: true,
  contains: (e, p) => `position(${e}, ${p}) > 0`,
  regexSearch: (e, p) => `match(${e}, ${p})`,
  regexFull: (e, p) => `match(${e}, ${anchored(p)})`,
  listContains: (e, p) => `has(${e}, ${p})`,
  listAnyRegexFull: (e, p) => `arrayExists(c -> match(c, ${anchored(p)}), ${e})`,
  not: (c) => `NOT (${c})`,
  ifElse: (c, a, b) => `if(${c}, ${a}, ${b})`,
  orEmpty: (e) => `ifNull(${e}, '')`,
  intDiv: (a, b) => `intDiv(${a}, ${b})`,
  byteLength: (e) => `length(${e})`,
  listJoin: (e) => `arrayStringConcat(${e}, ',')`,
  firstNonEmpty: (es) => es.reduceRight((rest, e) => `if(${e} != '', ${e}, ${rest})`, `''`),
};

export const clickhouseCatalog: Catalog = {
  ...EVENTS_TABLE,
  original: {
    line: 'original',
    hasPushed: (name) => `${pushedIndex(name)} > 0`,
    pushedValue: (name) => `label_values[${pushedIndex(name)}]`,
    derived: {
      dataset: { columns: ['dataset'] },
      category: { columns: ['category'], list: true },
      action: { columns: ['action'] },
      outcome: { columns: ['outcome'] },
      cluster: { columns: ['cluster'] },
      namespace: { columns: ['namespace'] },
      host: { columns: ['host'] },
      service: { columns: ['service'] },
      detected_level: { sql: `transform(outcome, ['failure', 'success', 'unknown'], ['error', 'info', 'unknown'], '')` },
    },
  },
};

/**
 * What a SQL backend must provide for LogQL pushdown. The shared renderer
 * (render.ts) builds conditions from these hooks and never names a backend;
 * each store supplies its dialect (DuckDB: src/store/duckdb/query-sql.ts).
 */
export type SqlParam = string | number | bigint;

export interface SqlDialect {
  readonly name: string;
  /** The placeholder for the `index`-th (1-based) parameter; ClickHouse names the type, DuckDB does not. */
  placeholder(index: number, type: 'string' | 'int64'): string;
  /** Substring test, case-sensitive. */
  contains(expr: string, p: string): string;
  /** RE2 search anywhere in the value. */
  regexSearch(expr: string, p: string): string;
  /** RE2 match of the whole value (label matchers). */
  regexFull(expr: string, p: string): string;
  /** Whether a list column has an element equal to / fully matching p. */
  listContains(expr: string, p: string): string;
  listAnyRegexFull(expr: string, p: string): string;
  /** A nullable string expression with NULL as "". */
  orEmpty(expr: string): string;
  /** Integer division of non-negative integers. */
  intDiv(a: string, b: string): string;
  /** Length of a string in UTF-8 bytes. */
  byteLength(expr: string): string;
  /** A list column's elements joined with `,`. */
  listJoin(expr: string): string;
  /** The first of the string expressions that is neither NULL nor "" (NULL if none). */
  firstNonEmpty(exprs: string[]): string;
}

/** How a label maps to stored columns (the planner's catalog; it never touches the database). */
export interface LabelColumn {
  /** Columns holding the value; several means any of them (user = name or e-mail). */
  columns: string[];
  /** A list column: the label matches when any element does. */
  list?: boolean;
}

export interface Catalog {
  readonly table: string;
  readonly labels: Readonly<Record<string, LabelColumn>>;
  /** Column with the event's line (compact ECS JSON). */
  readonly line: string;
  readonly ts: string;
  readonly seq: string;
}

export interface RenderedSql {
  sql: string;
  params: SqlParam[];
}

/** Read-only SQL access the LogQL engine pushes work into. */
export interface SqlReader {
  readonly dialect: SqlDialect;
  readonly catalog: Catalog;
  /** Streams the rows of a SELECT in chunks. */
  select(sql: string, params: readonly SqlParam[]): AsyncIterable<unknown[][]>;
}

/**
 * What a SQL backend must provide for LogQL pushdown. The shared renderer
 * (render.ts) builds conditions from these hooks and never names a backend;
 * each store engine has its dialect and catalog in ./dialects/ (duckdb.ts,
 * clickhouse.ts), which src/query/reader.ts pairs with the store's `select`.
 */
export type SqlParam = string | number | bigint;

export interface SqlDialect {
  readonly name: string;
  /** The placeholder for the `index`-th (1-based) parameter; ClickHouse names the type, DuckDB does not. */
  placeholder(index: number, type: 'string' | 'int64'): string;
  /** Whether LIMIT takes a literal (ClickHouse 18.16 has no parameter there) rather than a parameter. */
  readonly literalLimit?: boolean;
  /** Substring test, case-sensitive. */
  contains(expr: string, p: string): string;
  /** RE2 search anywhere in the value. */
  regexSearch(expr: string, p: string): string;
  /** RE2 match of the whole value (label matchers). */
  regexFull(expr: string, p: string): string;
  /** Whether a list column has an element equal to / fully matching p. */
  listContains(expr: string, p: string): string;
  listAnyRegexFull(expr: string, p: string): string;
  /** Negation of a condition. */
  not(cond: string): string;
  /** `cond ? a : b`, evaluating a only where cond holds. */
  ifElse(cond: string, a: string, b: string): string;
  /** A nullable string expression with NULL as "". */
  orEmpty(expr: string): string;
  /** Integer division of non-negative integers. */
  intDiv(a: string, b: string): string;
  /** Length of a string in UTF-8 bytes. */
  byteLength(expr: string): string;
  /** A list column's elements joined with `,` (NULL or "" when empty). */
  listJoin(expr: string): string;
  /** The first of the string expressions that is neither NULL nor "" (NULL or "" if none). */
  firstNonEmpty(exprs: string[]): string;
}

/** How a label maps to stored columns (the planner's catalog; it never touches the database). */
export interface LabelColumn {
  /** Columns holding the value; several means any of them (user = name or e-mail). */
  columns: string[];
  /** A list column: the label matches when any element does. */
  list?: boolean;
}

/** A label computed by an SQL expression (a nullable string; NULL or "" means the label is absent). */
export interface LabelExpr {
  sql: string;
}

/**
 * Where the `original` line view (the Loki API) finds what it serves: the
 * record as received, the labels it was pushed with, and the labels derived
 * from the event where no pushed label of that name exists. A selector in
 * that view matches the label value an entry is returned with: the pushed
 * value if there is one, else the derived one, else "".
 */
export interface OriginalView {
  /** SQL of the line as received (the ECS JSON when there is none). */
  readonly line: string;
  /**
   * A cheap pre-filter for `line` containing `s`: strings one of which the
   * catalog's `line` column then contains, or undefined when there is none.
   */
  lineHint?(s: string): string[] | undefined;
  /** SQL, true when the entry was pushed with label `name` (a valid label name). */
  hasPushed(name: string): string;
  /** SQL of the pushed label's value (evaluated only where hasPushed holds). */
  pushedValue(name: string): string;
  /** A cheap pre-filter for a pushed `name="value"`: strings one of which the `line` column then contains. */
  pushedHint?(name: string, value: string): string[] | undefined;
  /** Labels derived from the event, by name. */
  readonly derived: Readonly<Record<string, LabelColumn | LabelExpr>>;
}

export interface Catalog {
  readonly table: string;
  /** The `ecs` view's stream labels: the typed columns. */
  readonly labels: Readonly<Record<string, LabelColumn>>;
  /** Column with the event's line (compact ECS JSON). */
  readonly line: string;
  readonly ts: string;
  readonly seq: string;
  readonly original: OriginalView;
}

export interface RenderedSql {
  sql: string;
  params: SqlParam[];
}

/** Read-only SQL access the LogQL engine pushes work into. */
export interface SqlReader {
  readonly dialect: SqlDialect;
  readonly catalog: Catalog;
  /** Streams the rows of a SELECT in chunks; `signal` interrupts the store's work. */
  select(sql: string, params: readonly SqlParam[], signal?: AbortSignal): AsyncIterable<unknown[][]>;
}

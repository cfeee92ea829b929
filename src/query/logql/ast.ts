/**
 * The typed LogQL syntax tree, built from Grafana's lezer grammar (build.ts)
 * and printed back by print.ts. Literals are decoded (strings unescaped,
 * durations in ns, bytes as numbers); `pos` is the offset in the query text.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** `|=` contains, `!=` does not contain, `|~`/`!~` regex search, `|>`/`!>` pattern match. */
export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

export interface LineFilter {
  kind: 'line_filter';
  op: LineFilterOp;
  /** Alternatives (`|= "a" or "b"`); for negated ops a line must contain none. */
  values: string[];
  /** `|= ip("…")` */
  ip?: boolean;
}

export type CmpOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type LabelPredicate =
  | { kind: 'and' | 'or'; left: LabelPredicate; right: LabelPredicate }
  | { kind: 'string'; matcher: Matcher }
  | { kind: 'number' | 'duration' | 'bytes'; name: string; op: CmpOp; value: number; text: string }
  | { kind: 'ip'; name: string; op: '=' | '!='; value: string };

export interface LabelFilterStage {
  kind: 'label_filter';
  predicate: LabelPredicate;
}

export interface ParserStage {
  kind: 'json' | 'logfmt' | 'regexp' | 'pattern' | 'unpack';
  /** json/logfmt with parameters: `name="path"` or a bare name. */
  params?: { name: string; path: string }[];
  /** regexp / pattern expression. */
  expr?: string;
  flags?: string[];
}

export interface LineFormatStage {
  kind: 'line_format';
  template: string;
}

export interface LabelFormatStage {
  kind: 'label_format';
  /** `dst=src` renames; `dst="{{tmpl}}"` sets from a template. */
  ops: { dst: string; src?: string; template?: string }[];
}

export interface DropKeepStage {
  kind: 'drop' | 'keep';
  labels: { name: string; matcher?: Matcher }[];
}

export interface DecolorizeStage {
  kind: 'decolorize';
}

export type Stage = LineFilter | LabelFilterStage | ParserStage | LineFormatStage | LabelFormatStage | DropKeepStage | DecolorizeStage;

export interface LogSelector {
  kind: 'log';
  matchers: Matcher[];
  pipeline: Stage[];
  pos: number;
}

export interface Unwrap {
  label: string;
  conv?: 'duration' | 'duration_seconds' | 'bytes';
  /** Label filters after the unwrap. */
  post: LabelFilterStage[];
}

export const LOG_RANGE_OPS = ['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time'] as const;
export const UNWRAP_RANGE_OPS = [
  'sum_over_time', 'avg_over_time', 'min_over_time', 'max_over_time', 'first_over_time', 'last_over_time',
  'stdvar_over_time', 'stddev_over_time', 'quantile_over_time', 'rate_counter',
] as const;
export type RangeOp = (typeof LOG_RANGE_OPS)[number] | (typeof UNWRAP_RANGE_OPS)[number];

export interface Grouping {
  without: boolean;
  labels: string[];
}

export interface RangeAggregation {
  kind: 'range_agg';
  op: RangeOp;
  log: LogSelector;
  rangeNs: bigint;
  offsetNs: bigint;
  unwrap?: Unwrap;
  /** quantile_over_time's φ. */
  param?: number;
  grouping?: Grouping;
  pos: number;
}

export type VectorOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'sort' | 'sort_desc';

export interface VectorAggregation {
  kind: 'vector_agg';
  op: VectorOp;
  inner: Expr;
  grouping?: Grouping;
  /** topk/bottomk k. */
  param?: number;
  pos: number;
}

export type BinOp = 'or' | 'and' | 'unless' | '==' | '!=' | '>' | '>=' | '<' | '<=' | '+' | '-' | '*' | '/' | '%' | '^';

export interface BinOpModifier {
  bool: boolean;
  matching?: { on: boolean; labels: string[] };
  group?: { side: 'left' | 'right'; labels: string[] };
}

export interface BinaryExpr {
  kind: 'binop';
  op: BinOp;
  left: Expr;
  right: Expr;
  modifier: BinOpModifier;
  pos: number;
}

export interface Literal {
  kind: 'literal';
  value: number;
  pos: number;
}

export interface VectorLiteral {
  kind: 'vector';
  value: number;
  pos: number;
}

export interface LabelReplace {
  kind: 'label_replace';
  inner: Expr;
  dst: string;
  replacement: string;
  src: string;
  regex: string;
  pos: number;
}

export type MetricExpr = RangeAggregation | VectorAggregation | BinaryExpr | Literal | VectorLiteral | LabelReplace;
export type Expr = LogSelector | MetricExpr;

/** Loki's binary operator precedence (pkg/logql/syntax/syntax.y), loosest first. */
export const BINOP_PRECEDENCE: Record<BinOp, number> = {
  or: 1, and: 2, unless: 2,
  '==': 3, '!=': 3, '>': 3, '>=': 3, '<': 3, '<=': 3,
  '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6,
};

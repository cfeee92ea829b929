/**
 * Loki's post-parse checks (pkg/logql/syntax/ast.go validate, and the
 * empty-compatible selector rule of pkg/logql/syntax/parser.go).
 */
import { QueryParseError } from '../errors.js';
import { LOG_RANGE_OPS, UNWRAP_RANGE_OPS, type Expr, type Matcher } from './ast.js';
import { compileRegex } from './regex.js';

const EMPTY_COMPATIBLE =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

const GROUPABLE_RANGE: ReadonlySet<string> = new Set([
  'avg_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'first_over_time', 'last_over_time',
]);

/** Loki's checks of a parsed expression, with Loki's messages. */
export function validate(e: Expr): void {
  switch (e.kind) {
    case 'log':
      if (!e.matchers.some(notEmptyCompatible)) throw QueryParseError.semantic(EMPTY_COMPATIBLE);
      return;
    case 'range_agg': {
      validate(e.log);
      const needsUnwrap = (UNWRAP_RANGE_OPS as readonly string[]).includes(e.op);
      const logOnly = (LOG_RANGE_OPS as readonly string[]).includes(e.op) && e.op !== 'rate' && e.op !== 'absent_over_time';
      if (needsUnwrap && !e.unwrap) throw QueryParseError.semantic(`invalid aggregation ${e.op} without unwrap`);
      if (logOnly && e.unwrap) throw QueryParseError.semantic(`invalid aggregation ${e.op} with unwrap`);
      if (e.grouping && !GROUPABLE_RANGE.has(e.op)) throw QueryParseError.semantic(`grouping not allowed for ${e.op} aggregation`);
      if (e.op === 'quantile_over_time' && e.param === undefined) throw QueryParseError.semantic('parameter required for operation quantile_over_time');
      if (e.rangeNs <= 0n) throw QueryParseError.semantic(`invalid range ${e.rangeNs}`);
      return;
    }
    case 'vector_agg':
      if (e.inner.kind === 'log') throw QueryParseError.semantic('syntax error: unexpected log query in a vector aggregation');
      return validate(e.inner);
    case 'binop':
      if (e.left.kind === 'log' || e.right.kind === 'log') throw QueryParseError.semantic('binary operations are not allowed on log queries');
      if (['and', 'or', 'unless'].includes(e.op) && (isScalar(e.left) || isScalar(e.right))) {
        throw QueryParseError.semantic(`unexpected literal for right leg of logical/set binary operation (${e.op})`);
      }
      if (e.modifier.bool && !['==', '!=', '>', '>=', '<', '<='].includes(e.op)) throw QueryParseError.semantic('bool modifier can only be used on comparison operators');
      validate(e.left);
      validate(e.right);
      return;
    case 'label_replace':
      return validate(e.inner);
  }
}

export const isScalar = (e: Expr): boolean => e.kind === 'literal' || (e.kind === 'binop' && isScalar(e.left) && isScalar(e.right));

function notEmptyCompatible(m: Matcher): boolean {
  switch (m.op) {
    case '=': return m.value !== '';
    case '!=': return m.value === '';
    case '=~': return !compileRegex(m.value, true).test('');
    case '!~': return compileRegex(m.value, true).test('');
  }
}

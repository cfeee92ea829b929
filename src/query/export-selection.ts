/**
 * What `vigil export` and GET /api/v1/export select: a LogQL stream selector
 * with line filters (the part that runs inside the store) over a time range.
 * Pipelines that reshape lines (parsers, formats) are for `vigil query`: an
 * export hands over the events as stored, with what proves them.
 */
import { resolveRange, type QueryRequest } from './engine.js';
import { QueryArgumentError, QueryParseError } from './errors.js';
import { parseLogQL } from './logql/build.js';
import type { ExportSelection } from '../store/index.js';

export function exportSelection(req: Pick<QueryRequest, 'query' | 'from' | 'to' | 'since'>, labels: readonly string[]): ExportSelection {
  const expr = parseLogQL(req.query);
  if (expr.kind !== 'log') throw new QueryParseError(0, 0, 'an export selects events: use a log query such as {dataset="app.audit"}');
  for (const m of expr.matchers) {
    if (!labels.includes(m.name)) {
      throw QueryParseError.at(req.query, expr.pos, `unknown label ${JSON.stringify(m.name)}; labels are ${labels.join(', ')}`);
    }
  }
  const lineFilters = expr.pipeline.map((s) => {
    if (s.kind !== 'line_filter' || s.ip || s.values.length !== 1 || s.op.endsWith('>')) {
      throw new QueryArgumentError('an export takes a stream selector and plain line filters (|=, !=, |~, !~) only; reshape events with vigil query');
    }
    return { op: s.op as '|=' | '!=' | '|~' | '!~', value: s.values[0] };
  });
  return {
    matchers: expr.matchers.map((m) => ({ label: m.name, op: m.op, value: m.value })),
    lineFilters,
    ...resolveRange(req),
  };
}

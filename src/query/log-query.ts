/**
 * Parses a LogQL log query with Grafana's own grammar (@grafana/lezer-logql)
 * into the store's EventQuery parts: stream matchers and line filters.
 * This is the subset the embedded query path runs today; anything else in
 * the language is refused with a positioned error rather than ignored.
 */
import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import type { LabelMatcher, LineFilter, LineOp, MatchOp } from '../store/store.js';
import { QueryParseError } from './errors.js';
import { unquote } from './logql/literals.js';

export interface LogQuery {
  matchers: LabelMatcher[];
  lineFilters: LineFilter[];
}

const MATCH_OPS: Record<string, MatchOp> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };
const LINE_OPS: Record<string, LineOp> = { PipeExact: '|=', Neq: '!=', PipeMatch: '|~', Nre: '!~' };

export function parseLogQuery(query: string, knownLabels: readonly string[]): LogQuery {
  const tree = parser.parse(query);
  const text = (n: SyntaxNode) => query.slice(n.from, n.to);
  tree.iterate({
    enter(n) {
      if (n.type.isError) {
        const found = query.slice(n.from, n.from + 10);
        throw QueryParseError.at(query, n.from, found ? `syntax error: unexpected ${JSON.stringify(found)}` : 'syntax error: unexpected end of query');
      }
    },
  });
  const expr = tree.topNode.firstChild?.firstChild;
  if (!expr || expr.name !== 'LogExpr') {
    throw QueryParseError.at(query, 0, 'only log queries (a stream selector with line filters) are supported here');
  }
  const matchers: LabelMatcher[] = [];
  const lineFilters: LineFilter[] = [];
  const selector = expr.getChild('Selector');
  for (const m of selector ? collect(selector, 'Matcher') : []) {
    const [ident, op, str] = [m.firstChild!, m.firstChild!.nextSibling!, m.lastChild!];
    const label = text(ident);
    if (!knownLabels.includes(label)) {
      throw QueryParseError.at(query, ident.from, `unknown label ${JSON.stringify(label)}; labels are ${knownLabels.join(', ')}`);
    }
    matchers.push({ label, op: MATCH_OPS[op.name], value: unquote(text(str)) });
  }
  const pipeline = expr.getChild('PipelineExpr');
  if (pipeline) {
    for (const stage of collect(pipeline, 'PipelineStage')) {
      const filters = collect(stage, 'LineFilter');
      if (filters.length === 0) {
        throw QueryParseError.at(query, stage.from, `pipeline stage ${JSON.stringify(text(stage))} is not supported yet; only line filters (|= != |~ !~) are`);
      }
      for (const f of filters) {
        const op = f.getChild('Filter')?.firstChild;
        const strs = f.getChildren('String');
        if (!op || strs.length !== 1 || f.getChild('OrFilter') || f.getChild('FilterOp')) {
          throw QueryParseError.at(query, f.from, `line filter ${JSON.stringify(text(f))} is not supported yet`);
        }
        lineFilters.push({ op: LINE_OPS[op.name], value: unquote(text(strs[0])) });
      }
    }
  }
  if (!matchers.some((m) => (m.op === '=' && m.value !== '') || (m.op === '!=' && m.value === '') || (m.op === '=~' && !new RegExp(`^(?:${m.value})$`).test('')))) {
    throw QueryParseError.at(query, 0, 'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will');
  }
  return { matchers, lineFilters };
}

/** All descendants named `name`, in document order (not looking inside a match). */
function collect(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === name) out.push(c);
    else out.push(...collect(c, name));
  }
  return out;
}

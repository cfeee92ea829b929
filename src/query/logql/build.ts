/**
 * Builds the typed AST from Grafana's lezer-logql tree, then applies what the
 * grammar leaves to the server: Loki's binary-operator precedence (the
 * grammar binds `* / % ^` looser than `+ -`, comparisons and set operators)
 * and Loki's post-parse checks (validate.ts), with Loki's messages.
 */
import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { QueryParseError } from '../errors.js';
import {
  type BinOp, type BinOpModifier, type CmpOp, type Expr, type Grouping, type LabelFilterStage, type LabelPredicate,
  type LineFilter, type LineFilterOp, type LogSelector, type MatchOp, type Matcher, type MetricExpr, type RangeAggregation,
  type RangeOp, type Stage, type Unwrap, type VectorOp,
} from './ast.js';
import { parseBytes, parseDuration, unquote } from './literals.js';
import { compileRegex, RegexError, type Regex } from './regex.js';
import { checkPattern, climb, collect } from './syntax.js';
import { validate } from './validate.js';

const MATCH_OPS: Record<string, MatchOp> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };
const LINE_OPS: Record<string, LineFilterOp> = { PipeExact: '|=', Neq: '!=', PipeMatch: '|~', Nre: '!~', PipePattern: '|>', Npa: '!>' };
const CMP_OPS: Record<string, CmpOp> = { Eql: '==', Eq: '==', Neq: '!=', Gtr: '>', Gte: '>=', Lss: '<', Lte: '<=' };
const BIN_OPS: Record<string, BinOp> = {
  Or: 'or', And: 'and', Unless: 'unless', Eql: '==', Neq: '!=', Gtr: '>', Gte: '>=', Lss: '<', Lte: '<=',
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^',
};

/** The longest query text accepted, in characters (a generous multiple of any real query). */
export const MAX_QUERY_LENGTH = 65_536;
/**
 * The deepest syntax tree accepted, in grammar nodes: a parenthesis adds one, a
 * nested aggregation two, a binary operator three, a matcher, stage or label
 * filter in a list one. Brackets are counted before the grammar runs (its tree
 * builder recurses), the tree before anything else walks it, so no walker
 * (build, validate, print, plan, eval) can exhaust the stack on what passes.
 */
export const MAX_QUERY_DEPTH = 256;

const tooDeep = (query: string, offset: number) => QueryParseError.at(query, offset, `syntax error: query nested more than ${MAX_QUERY_DEPTH} levels deep`);

/** Refuses text nested deeper than the limit in brackets, outside string literals. */
function checkBrackets(query: string): void {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') {
      if (++depth > MAX_QUERY_DEPTH) throw tooDeep(query, i);
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
}

/** Parses a LogQL query (log or metric) into the typed AST, with Loki's checks. */
export function parseLogQL(query: string): Expr {
  if (query.length > MAX_QUERY_LENGTH) throw QueryParseError.at(query, MAX_QUERY_LENGTH, `syntax error: query longer than ${MAX_QUERY_LENGTH} characters`);
  checkBrackets(query);
  const tree = parser.parse(query);
  let depth = 0;
  tree.iterate({
    enter(n) {
      if (++depth > MAX_QUERY_DEPTH) throw tooDeep(query, n.from);
      if (!n.type.isError) return;
      // `| a="x" b="y"`: a space between label predicates means `and` in Loki; the grammar leaves an empty error node.
      const node = n.node;
      if (n.from === n.to && node.parent?.name === 'LabelFilter' && node.prevSibling?.name === 'LabelFilter' && node.nextSibling?.name === 'LabelFilter') return;
      const found = query.slice(n.from, n.to || n.from + 1).trim();
      throw QueryParseError.at(query, n.from, found ? `syntax error: unexpected ${found}` : 'syntax error: unexpected end of query');
    },
    leave() {
      depth--;
    },
  });
  const top = tree.topNode.firstChild;
  if (!top) throw QueryParseError.at(query, 0, 'syntax error: unexpected end of query');
  const b = new Builder(query);
  const expr = b.expr(top);
  validate(expr);
  return expr;
}

class Builder {
  constructor(private readonly q: string) {}

  text(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  err(n: SyntaxNode, reason: string): never {
    throw QueryParseError.at(this.q, n.from, reason);
  }

  str(n: SyntaxNode): string {
    return unquote(this.text(n));
  }

  num(n: SyntaxNode): number {
    const v = Number(this.text(n).replace(/_/g, ''));
    if (Number.isNaN(v) && !/nan/i.test(this.text(n))) this.err(n, `syntax error: invalid number ${this.text(n)}`);
    return v;
  }

  duration(n: SyntaxNode): bigint {
    const d = parseDuration(this.text(n));
    if (d === undefined) this.err(n, `syntax error: invalid duration ${this.text(n)}`);
    return d;
  }

  /** Expr / MetricExpr / LogExpr and the nodes under them. */
  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'Expr':
        return this.expr(n.firstChild!);
      case 'LogExpr': {
        // A parenthesised expression is a node wrapping one node of the same kind.
        if (n.firstChild!.name === 'LogExpr') return this.expr(n.firstChild!);
        return this.logSelector(n, n.getChild('Selector')!, n.getChild('PipelineExpr') ?? undefined);
      }
      case 'MetricExpr':
        return this.expr(n.firstChild!);
      case 'Selector':
        return this.logSelector(n, n, undefined);
      case 'BinOpExpr':
        return this.binop(n);
      case 'LiteralExpr': {
        const neg = n.getChild('Sub') ? -1 : 1;
        return { kind: 'literal', value: neg * this.num(n.getChild('Number')!), pos: n.from };
      }
      case 'VectorExpr':
        return { kind: 'vector', value: this.num(n.getChild('Number')!), pos: n.from };
      case 'RangeAggregationExpr':
        return this.rangeAgg(n);
      case 'VectorAggregationExpr':
        return this.vectorAgg(n);
      case 'LabelReplaceExpr': {
        const [dst, replacement, src, regex] = n.getChildren('String').map((s) => this.str(s));
        const inner = this.expr(n.getChild('MetricExpr') ?? n.getChild('Expr')!);
        try {
          compileRegex(regex, true);
        } catch (err) {
          this.err(n, (err as Error).message);
        }
        return { kind: 'label_replace', inner, dst, replacement, src, regex, pos: n.from };
      }
    }
    if (n.getChild('Selector')) return this.logSelector(n, n.getChild('Selector')!, n.getChild('PipelineExpr') ?? undefined);
    return this.err(n, `syntax error: unexpected ${this.text(n)}`);
  }

  // ---- binary operators: flatten the un-parenthesised chain, rebuild with Loki's precedence ----

  binop(n: SyntaxNode): Expr {
    const operands: Expr[] = [];
    const ops: { op: BinOp; modifier: BinOpModifier; pos: number }[] = [];
    const walk = (node: SyntaxNode) => {
      const inner = this.unparenBinOp(node);
      if (!inner) return void operands.push(this.expr(node));
      const [left, opNode, mod, right] = [inner.firstChild!, inner.firstChild!.nextSibling!, inner.getChild('BinOpModifier'), inner.lastChild!];
      walk(left);
      ops.push({ op: BIN_OPS[opNode.name], modifier: this.modifier(mod), pos: opNode.from });
      walk(right);
    };
    walk(n);
    return climb(operands, ops);
  }

  /** The BinOpExpr a node stands for when it is not parenthesised. */
  private unparenBinOp(n: SyntaxNode): SyntaxNode | undefined {
    if (n.name === 'BinOpExpr') return n;
    if ((n.name === 'Expr' || n.name === 'MetricExpr') && n.firstChild) {
      const c = n.firstChild;
      if (c.name === n.name) return undefined; // parenthesised
      if (c.from === n.from && c.to === n.to) return this.unparenBinOp(c);
    }
    return undefined;
  }

  modifier(n: SyntaxNode | null): BinOpModifier {
    const m: BinOpModifier = { bool: false };
    if (!n) return m;
    m.bool = !!n.getChild('Bool');
    const labelsOf = (g: SyntaxNode | null) => (g ? collect(g, 'LabelName').map((l) => this.text(l)) : []);
    const oi = n.getChild('OnOrIgnoringModifier');
    if (oi) m.matching = { on: !!oi.getChild('On'), labels: labelsOf(oi.getChild('GroupingLabels')) };
    const gl = n.getChild('GroupLeft') ?? n.getChild('GroupRight');
    if (gl) m.group = { side: gl.name === 'GroupLeft' ? 'left' : 'right', labels: labelsOf(n.getChild('GroupingLabels')) };
    return m;
  }

  grouping(n: SyntaxNode | null): Grouping | undefined {
    if (!n) return undefined;
    const labels = n.getChild('Labels');
    // `a, b, c` nests: Labels(Labels(Labels(a), b), c).
    return { without: !!n.getChild('Without'), labels: labels ? collect(labels, 'Identifier').map((i) => this.text(i)) : [] };
  }

  rangeAgg(n: SyntaxNode): RangeAggregation {
    const op = this.text(n.getChild('RangeOp')!) as RangeOp;
    const lr = n.getChild('LogRangeExpr')!;
    const sel = lr.getChild('Selector');
    if (!sel) this.err(lr, 'syntax error: unexpected range expression');
    const log = this.logSelector(lr, sel, lr.getChild('PipelineExpr') ?? undefined);
    const range = lr.getChild('Range');
    if (!range) this.err(lr, 'syntax error: missing range');
    const off = lr.getChild('OffsetExpr');
    const agg: RangeAggregation = {
      kind: 'range_agg', op, log,
      rangeNs: this.duration(range.getChild('Duration')!),
      offsetNs: off ? this.duration(off.getChild('Duration')!) : 0n,
      pos: n.from,
    };
    const uw = lr.getChild('UnwrapExpr');
    if (uw) agg.unwrap = this.unwrap(uw);
    const p = n.getChild('Number');
    if (p) agg.param = this.num(p);
    agg.grouping = this.grouping(n.getChild('Grouping'));
    return agg;
  }

  unwrap(n: SyntaxNode): Unwrap {
    // Nested: UnwrapExpr(UnwrapExpr(| unwrap x), | LabelFilter)…
    const post: LabelFilterStage[] = [];
    let cur = n;
    while (cur.getChild('UnwrapExpr')) {
      const lf = cur.getChild('LabelFilter');
      if (lf) post.unshift({ kind: 'label_filter', predicate: this.labelPredicate(lf) });
      cur = cur.getChild('UnwrapExpr')!;
    }
    const conv = cur.getChild('ConvOp');
    return {
      label: this.text(cur.getChild('Identifier')!),
      conv: conv ? (this.text(conv) as Unwrap['conv']) : undefined,
      post,
    };
  }

  vectorAgg(n: SyntaxNode): MetricExpr {
    const op = this.text(n.getChild('VectorOp')!) as VectorOp;
    const innerNode = n.getChild('MetricExpr') ?? n.getChild('Expr');
    if (!innerNode) this.err(n, 'syntax error: unexpected )');
    const inner = this.expr(innerNode);
    const p = n.getChild('Number');
    const agg: MetricExpr = { kind: 'vector_agg', op, inner, grouping: this.grouping(n.getChild('Grouping')), pos: n.from };
    if (op === 'topk' || op === 'bottomk') {
      if (!p) this.err(n, `syntax error: parameter required for operation ${op}`);
      const k = this.num(p);
      if (!Number.isInteger(k)) this.err(p, `syntax error: invalid parameter (must be int) ${op}(${this.text(p)}`);
      if (k <= 0) throw QueryParseError.semantic(`invalid parameter ${op}(${k},`);
      agg.param = k;
    } else if (p) this.err(p, `syntax error: unsupported parameter for operation ${op}(${this.text(p)},`);
    return agg;
  }

  // ---- log selectors and pipelines ----

  logSelector(at: SyntaxNode, sel: SyntaxNode, pipeline: SyntaxNode | undefined): LogSelector {
    const matchers = collect(sel, 'Matcher').map((m) => this.matcher(m));
    if (matchers.length === 0) this.err(sel, 'syntax error: unexpected }');
    const stages: Stage[] = [];
    if (pipeline) for (const st of collect(pipeline, 'PipelineStage')) stages.push(...this.stage(st));
    return { kind: 'log', matchers, pipeline: stages, pos: at.from };
  }

  matcher(m: SyntaxNode): Matcher {
    const ident = m.getChild('Identifier')!;
    const opNode = ident.nextSibling!;
    const value = this.str(m.getChild('String')!);
    const op = MATCH_OPS[opNode.name];
    if (op === '=~' || op === '!~') this.regex(m, value, true);
    return { name: this.text(ident), op, value };
  }

  regex(n: SyntaxNode, re: string, anchored: boolean): Regex {
    try {
      return compileRegex(re, anchored);
    } catch (err) {
      if (err instanceof RegexError) this.err(n, err.message);
      throw err;
    }
  }

  stage(st: SyntaxNode): Stage[] {
    const lfs = st.getChild('LineFilters');
    if (lfs) return collect(lfs, 'LineFilter').map((f) => this.lineFilter(f));
    const body = st.firstChild?.name === 'Pipe' ? st.firstChild.nextSibling! : st.firstChild!;
    switch (body.name) {
      case 'LabelParser': {
        const kind = body.firstChild!.name.toLowerCase() as 'json' | 'logfmt' | 'regexp' | 'pattern' | 'unpack';
        const s = body.getChild('String');
        const expr = s ? this.str(s) : undefined;
        if (kind === 'regexp') {
          const re = this.regex(s!, expr!, false);
          if (re.groupNames.length === 0) this.err(s!, 'invalid regexp: at least one named capture group is required');
        }
        if (kind === 'pattern') checkPattern((n, r) => this.err(n, r), s!, expr!);
        return [{ kind, expr }];
      }
      case 'JsonExpressionParser':
      case 'LogfmtExpressionParser':
      case 'LogfmtParser': {
        const kind = body.name.startsWith('Json') ? 'json' : 'logfmt';
        const params = collect(body, 'LabelExtractionExpression').map((e) => {
          const name = this.text(e.getChild('Identifier')!);
          const s = e.getChild('String');
          return { name, path: s ? this.str(s) : name };
        });
        const flags = collect(body, 'ParserFlag').map((f) => this.text(f));
        return [{ kind, ...(params.length ? { params } : {}), ...(flags.length ? { flags } : {}) }];
      }
      case 'LabelFilter':
        return [{ kind: 'label_filter', predicate: this.labelPredicate(body) }];
      case 'LineFormatExpr':
        return [{ kind: 'line_format', template: this.str(body.getChild('String')!) }];
      case 'LabelFormatExpr': {
        const ops = collect(body, 'LabelFormatMatcher').map((m) => {
          const [dst, src] = m.getChildren('Identifier');
          const s = m.getChild('String');
          return s ? { dst: this.text(dst), template: this.str(s) } : { dst: this.text(dst), src: this.text(src) };
        });
        const seen = new Set<string>();
        for (const o of ops) {
          if (seen.has(o.dst)) this.err(body, `syntax error: label_format: multiple label name '${o.dst}' not allowed in a single format operation`);
          seen.add(o.dst);
        }
        return [{ kind: 'label_format', ops }];
      }
      case 'DropLabelsExpr':
      case 'KeepLabelsExpr': {
        const item = body.name === 'DropLabelsExpr' ? 'DropLabel' : 'KeepLabel';
        const labels = collect(body, item).map((l) => {
          const m = l.getChild('Matcher');
          if (m) {
            const matcher = this.matcher(m);
            return { name: matcher.name, matcher };
          }
          return { name: this.text(l.getChild('Identifier')!) };
        });
        return [{ kind: body.name === 'DropLabelsExpr' ? 'drop' : 'keep', labels }];
      }
      case 'DecolorizeExpr':
        return [{ kind: 'decolorize' }];
    }
    return this.err(body, `syntax error: unexpected ${this.text(body)}`);
  }

  lineFilter(f: SyntaxNode): LineFilter {
    const op = LINE_OPS[f.getChild('Filter')!.firstChild!.name];
    const ip = !!collect(f, 'Ip').length;
    const values = collect(f, 'String').map((s) => this.str(s));
    for (const [i, s] of collect(f, 'String').entries()) {
      if (op === '|~' || op === '!~') this.regex(s, values[i], false);
      if (op === '|>' || op === '!>') checkPattern((n, r) => this.err(n, r), s, values[i], true);
    }
    return { kind: 'line_filter', op, values, ...(ip ? { ip } : {}) };
  }

  labelPredicate(n: SyntaxNode): LabelPredicate {
    const kids: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) kids.push(c);
    const filters = kids.filter((k) => k.name === 'LabelFilter');
    if (filters.length === 1 && kids.length === 1) return this.labelPredicate(filters[0]); // parenthesised
    if (filters.length === 2) {
      const or = kids.some((k) => k.name === 'Or');
      return { kind: or ? 'or' : 'and', left: this.labelPredicate(filters[0]), right: this.labelPredicate(filters[1]) };
    }
    const leaf = kids[0];
    switch (leaf.name) {
      case 'Matcher':
        return { kind: 'string', matcher: this.matcher(leaf) };
      case 'IpLabelFilter': {
        const op = leaf.getChild('Neq') ? '!=' : '=';
        return { kind: 'ip', name: this.text(leaf.getChild('Identifier')!), op, value: this.str(leaf.getChild('String')!) };
      }
      case 'NumberFilter':
      case 'UnitFilter': {
        const inner = leaf.name === 'UnitFilter' ? leaf.firstChild! : leaf;
        const name = this.text(inner.getChild('Identifier')!);
        const op = CMP_OPS[inner.getChild('Identifier')!.nextSibling!.name];
        if (inner.name === 'DurationFilter') {
          const d = inner.getChild('Duration')!;
          return { kind: 'duration', name, op, value: Number(this.duration(d)), text: this.text(d) };
        }
        if (inner.name === 'BytesFilter') {
          const bn = inner.getChild('Bytes')!;
          const v = parseBytes(this.text(bn));
          if (v === undefined) this.err(bn, `syntax error: invalid bytes ${this.text(bn)}`);
          return { kind: 'bytes', name, op, value: v, text: this.text(bn) };
        }
        const lit = inner.getChild('LiteralExpr') ?? inner.getChild('Number')!;
        const neg = lit.getChild?.('Sub') ? -1 : 1;
        const numNode = lit.name === 'Number' ? lit : lit.getChild('Number')!;
        return { kind: 'number', name, op, value: neg * this.num(numNode), text: this.text(lit) };
      }
    }
    return this.err(leaf, `syntax error: unexpected ${this.text(leaf)}`);
  }
}

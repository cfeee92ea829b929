/** Prints the AST back as LogQL; `parseLogQL(print(ast))` gives the same AST (tested). */
import type { Expr, Grouping, LabelPredicate, Matcher, Stage } from './ast.js';
import { formatDuration, quote } from './literals.js';

const matcher = (m: Matcher) => `${m.name}${m.op}${quote(m.value)}`;
const grouping = (g?: Grouping) => (g ? ` ${g.without ? 'without' : 'by'} (${g.labels.join(', ')})` : '');

function predicate(p: LabelPredicate, top = true): string {
  switch (p.kind) {
    case 'and':
      return `${predicate(p.left, false)} and ${predicate(p.right, false)}`;
    case 'or': {
      const s = `${predicate(p.left, false)} or ${predicate(p.right, false)}`;
      return top ? s : `(${s})`;
    }
    case 'string':
      return matcher(p.matcher);
    case 'ip':
      return `${p.name}${p.op}ip(${quote(p.value)})`;
    default:
      return `${p.name}${p.op}${p.text}`;
  }
}

export function printStage(s: Stage): string {
  switch (s.kind) {
    case 'line_filter': {
      const v = (x: string) => (s.ip ? `ip(${quote(x)})` : quote(x));
      return `${s.op} ${s.values.map(v).join(' or ')}`;
    }
    case 'label_filter':
      return `| ${predicate(s.predicate)}`;
    case 'json':
    case 'logfmt': {
      const flags = s.flags?.length ? ` ${s.flags.join(' ')}` : '';
      const params = s.params?.length ? ` ${s.params.map((p) => `${p.name}=${quote(p.path)}`).join(', ')}` : '';
      return `| ${s.kind}${flags}${params}`;
    }
    case 'regexp':
    case 'pattern':
      return `| ${s.kind} ${quote(s.expr!)}`;
    case 'unpack':
    case 'decolorize':
      return `| ${s.kind}`;
    case 'line_format':
      return `| line_format ${quote(s.template)}`;
    case 'label_format':
      return `| label_format ${s.ops.map((o) => (o.src !== undefined ? `${o.dst}=${o.src}` : `${o.dst}=${quote(o.template!)}`)).join(', ')}`;
    case 'drop':
    case 'keep':
      return `| ${s.kind} ${s.labels.map((l) => (l.matcher ? matcher(l.matcher) : l.name)).join(', ')}`;
  }
}

export function printLogQL(e: Expr): string {
  switch (e.kind) {
    case 'log':
      return [`{${e.matchers.map(matcher).join(', ')}}`, ...e.pipeline.map(printStage)].join(' ');
    case 'range_agg': {
      const uw = e.unwrap
        ? ` | unwrap ${e.unwrap.conv ? `${e.unwrap.conv}(${e.unwrap.label})` : e.unwrap.label}${e.unwrap.post.map((p) => ` ${printStage(p)}`).join('')}`
        : '';
      const off = e.offsetNs ? ` offset ${formatDuration(e.offsetNs)}` : '';
      const param = e.param !== undefined ? `${e.param}, ` : '';
      return `${e.op}(${param}${printLogQL(e.log)}${uw} [${formatDuration(e.rangeNs)}]${off})${grouping(e.grouping)}`;
    }
    case 'vector_agg': {
      const param = e.param !== undefined ? `${e.param}, ` : '';
      return `${e.op}${grouping(e.grouping)}${e.grouping ? ' ' : ''}(${param}${printLogQL(e.inner)})`;
    }
    case 'binop': {
      const m = e.modifier;
      const mod = [
        m.bool ? 'bool' : '',
        m.matching ? `${m.matching.on ? 'on' : 'ignoring'} (${m.matching.labels.join(', ')})` : '',
        m.group ? `group_${m.group.side} (${m.group.labels.join(', ')})` : '',
      ].filter(Boolean).join(' ');
      const side = (x: Expr) => (x.kind === 'binop' ? `(${printLogQL(x)})` : printLogQL(x));
      return `${side(e.left)} ${e.op}${mod ? ` ${mod}` : ''} ${side(e.right)}`;
    }
    case 'literal':
      return String(e.value);
    case 'vector':
      return `vector(${e.value})`;
    case 'label_replace':
      return `label_replace(${printLogQL(e.inner)}, ${[e.dst, e.replacement, e.src, e.regex].map(quote).join(', ')})`;
  }
}

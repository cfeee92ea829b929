/**
 * A subset of Go text/template for line_format / label_format, with
 * missingkey=zero: `{{.label}}`, `{{ __line__ }}`, `{{ __timestamp__ }}`,
 * pipelines (`{{ .a | ToUpper }}`), function calls, string/number literals,
 * `{{if}}…{{else if}}…{{else}}…{{end}}` and Loki's common functions.
 * Anything else is refused when the query is planned.
 */
import { compileRegex } from '../logql/regex.js';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export interface TemplateContext {
  labels: ReadonlyMap<string, string>;
  line: string;
  ts: bigint;
}

type Value = string | number | boolean | Date;
type Node =
  | { t: 'text'; s: string }
  | { t: 'action'; pipe: Cmd[] }
  | { t: 'if'; branches: { cond: Cmd[]; body: Node[] }[]; else: Node[] };
type Arg = { t: 'field'; name: string } | { t: 'lit'; v: Value } | { t: 'fn'; name: string } | { t: 'sub'; pipe: Cmd[] };
type Cmd = Arg[];

const str = (v: Value): string => (v instanceof Date ? v.toISOString() : String(v));
const num = (v: Value): number => Number(v instanceof Date ? v.getTime() : v);
const truthy = (v: Value) => !(v === '' || v === 0 || v === false);

const FUNCS: Record<string, (...a: Value[]) => Value> = {
  ToUpper: (s) => str(s).toUpperCase(), upper: (s) => str(s).toUpperCase(),
  ToLower: (s) => str(s).toLowerCase(), lower: (s) => str(s).toLowerCase(),
  Replace: (s, o, n, c) => replaceN(str(s), str(o), str(n), num(c)),
  replace: (o, n, s) => str(s).split(str(o)).join(str(n)),
  Trim: (s, cut) => trimSet(str(s), str(cut), true, true), TrimLeft: (s, cut) => trimSet(str(s), str(cut), true, false),
  TrimRight: (s, cut) => trimSet(str(s), str(cut), false, true), TrimSpace: (s) => str(s).trim(), trim: (s) => str(s).trim(),
  TrimPrefix: (s, p) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  TrimSuffix: (s, p) => (str(s).endsWith(str(p)) && str(p) ? str(s).slice(0, -str(p).length) : str(s)),
  trimPrefix: (p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  trimSuffix: (p, s) => (str(s).endsWith(str(p)) && str(p) ? str(s).slice(0, -str(p).length) : str(s)),
  contains: (sub, s) => str(s).includes(str(sub)), hasPrefix: (p, s) => str(s).startsWith(str(p)), hasSuffix: (p, s) => str(s).endsWith(str(p)),
  default: (d, v) => (v === undefined || !truthy(v) ? d : v),
  trunc: (n, s) => (num(n) >= 0 ? str(s).slice(0, num(n)) : str(s).slice(num(n))),
  substr: (a, b, s) => str(s).slice(num(a), num(b) < 0 ? undefined : num(b)),
  repeat: (n, s) => str(s).repeat(num(n)),
  add: (...a) => a.reduce<number>((x, y) => x + num(y), 0), sub: (a, b) => num(a) - num(b), mul: (...a) => a.reduce<number>((x, y) => x * num(y), 1),
  div: (a, b) => Math.trunc(num(a) / num(b)), mod: (a, b) => num(a) % num(b),
  addf: (...a) => a.reduce<number>((x, y) => x + num(y), 0), subf: (a, b) => num(a) - num(b), mulf: (...a) => a.reduce<number>((x, y) => x * num(y), 1), divf: (a, b) => num(a) / num(b),
  eq: (a, ...b) => b.some((x) => str(x) === str(a)), ne: (a, b) => str(a) !== str(b),
  lt: (a, b) => cmp(a, b) < 0, le: (a, b) => cmp(a, b) <= 0, gt: (a, b) => cmp(a, b) > 0, ge: (a, b) => cmp(a, b) >= 0,
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1], or: (...a) => a.find(truthy) ?? a[a.length - 1], not: (a) => !truthy(a),
  len: (s) => str(s).length, count: (sub, s) => (str(sub) ? str(s).split(str(sub)).length - 1 : 0),
  printf: (f, ...a) => sprintf(str(f), a),
  regexReplaceAll: (re, s, repl) => compileRegex(str(re)).replaceAll(str(s), str(repl).replace(/\$\{(\w+)\}/g, '$<$1>')),
  regexReplaceAllLiteral: (re, s, repl) => compileRegex(str(re)).replaceAll(str(s), () => str(repl)),
  urlencode: (s) => encodeURIComponent(str(s)), urldecode: (s) => decodeURIComponent(str(s)),
  b64enc: (s) => Buffer.from(str(s)).toString('base64'), b64dec: (s) => Buffer.from(str(s), 'base64').toString(),
  unixEpoch: (d) => Math.floor(num(d) / 1000), unixEpochMillis: (d) => num(d), unixEpochNanos: (d) => num(d) * 1e6,
  unixToTime: (s) => new Date(str(s).length > 13 ? Number(BigInt(str(s)) / 1_000_000n) : str(s).length > 10 ? num(s) : num(s) * 1000),
  toDate: (_layout, s) => new Date(str(s)), date: (_layout, d) => (d instanceof Date ? d : new Date(num(d))).toISOString(),
  alignLeft: (n, s) => str(s).padEnd(num(n)).slice(0, num(n)), alignRight: (n, s) => str(s).padStart(num(n)).slice(-num(n)),
  fromJson: (s) => str(s),
};

const cmp = (a: Value, b: Value) => (typeof a === 'number' || typeof b === 'number' ? num(a) - num(b) : str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0);

function replaceN(s: string, o: string, n: string, c: number): string {
  if (c < 0) return s.split(o).join(n);
  let out = s;
  let from = 0;
  for (let i = 0; i < c; i++) {
    const at = out.indexOf(o, from);
    if (at < 0) break;
    out = out.slice(0, at) + n + out.slice(at + o.length);
    from = at + n.length;
  }
  return out;
}

function trimSet(s: string, cut: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  while (left && a < b && cut.includes(s[a])) a++;
  while (right && b > a && cut.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function sprintf(f: string, args: Value[]): string {
  let i = 0;
  return f.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([vsdfqxX%])/g, (_m, flags: string, width: string, prec: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    let s: string;
    switch (verb) {
      case 'd': s = String(Math.trunc(num(a))); break;
      case 'f': s = num(a).toFixed(prec ? Number(prec) : 6); break;
      case 'q': s = JSON.stringify(str(a)); break;
      case 'x': s = typeof a === 'number' ? a.toString(16) : Buffer.from(str(a)).toString('hex'); break;
      case 'X': s = (typeof a === 'number' ? a.toString(16) : Buffer.from(str(a)).toString('hex')).toUpperCase(); break;
      default: s = a === undefined ? '%!v(MISSING)' : str(a);
    }
    const w = Number(width || 0);
    return flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') ? '0' : ' ');
  });
}

// ---- parsing ----

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s()|]+)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < src.length && (m = re.exec(src))) out.push(m[1]);
  if (src.slice(re.lastIndex).trim()) throw new TemplateError(`template: unexpected ${JSON.stringify(src.slice(re.lastIndex))}`);
  return out;
}

function parsePipe(tokens: string[], at: { i: number }, close?: string): Cmd[] {
  const cmds: Cmd[] = [[]];
  while (at.i < tokens.length && tokens[at.i] !== close) {
    const t = tokens[at.i++];
    if (t === '|') {
      cmds.push([]);
      continue;
    }
    const cmd = cmds[cmds.length - 1];
    if (t === '(') {
      cmd.push({ t: 'sub', pipe: parsePipe(tokens, at, ')') });
      at.i++;
    } else if (t.startsWith('"')) cmd.push({ t: 'lit', v: JSON.parse(t) as string });
    else if (t.startsWith('`')) cmd.push({ t: 'lit', v: t.slice(1, -1) });
    else if (/^-?\d+(\.\d+)?$/.test(t)) cmd.push({ t: 'lit', v: Number(t) });
    else if (t === 'true' || t === 'false') cmd.push({ t: 'lit', v: t === 'true' });
    else if (t.startsWith('.')) cmd.push({ t: 'field', name: t.slice(1) });
    else if (t === '__line__' || t === '__timestamp__') cmd.push({ t: 'fn', name: t });
    else if (FUNCS[t]) cmd.push({ t: 'fn', name: t });
    else throw new TemplateError(`template: function "${t}" not defined`);
  }
  if (cmds.some((c) => c.length === 0)) throw new TemplateError('template: missing value for command');
  return cmds;
}

export function compileTemplate(src: string): (ctx: TemplateContext) => string {
  const parts = src.split(/(\{\{-?[\s\S]*?-?\}\})/);
  const stack: { nodes: Node[]; ifNode?: Extract<Node, { t: 'if' }>; inElse?: boolean }[] = [{ nodes: [] }];
  const cur = () => stack[stack.length - 1];
  for (let k = 0; k < parts.length; k++) {
    let p = parts[k];
    if (!p.startsWith('{{')) {
      if (parts[k - 1]?.endsWith('-}}')) p = p.trimStart();
      if (parts[k + 1]?.startsWith('{{-')) p = p.trimEnd();
      if (p) cur().nodes.push({ t: 'text', s: p });
      continue;
    }
    const body = p.replace(/^\{\{-?/, '').replace(/-?\}\}$/, '').trim();
    if (body.startsWith('/*')) continue;
    const tokens = tokenize(body);
    if (tokens[0] === 'if') {
      const node: Extract<Node, { t: 'if' }> = { t: 'if', branches: [{ cond: parsePipe(tokens.slice(1), { i: 0 }), body: [] }], else: [] };
      cur().nodes.push(node);
      stack.push({ nodes: node.branches[0].body, ifNode: node });
    } else if (tokens[0] === 'else') {
      const frame = stack.pop();
      if (!frame?.ifNode || frame.inElse) throw new TemplateError('template: unexpected {{else}}');
      if (tokens[1] === 'if') {
        const br = { cond: parsePipe(tokens.slice(2), { i: 0 }), body: [] as Node[] };
        frame.ifNode.branches.push(br);
        stack.push({ nodes: br.body, ifNode: frame.ifNode });
      } else stack.push({ nodes: frame.ifNode.else, ifNode: frame.ifNode, inElse: true });
    } else if (tokens[0] === 'end') {
      if (!stack.pop()?.ifNode) throw new TemplateError('template: unexpected {{end}}');
    } else cur().nodes.push({ t: 'action', pipe: parsePipe(tokens, { i: 0 }) });
  }
  if (stack.length !== 1) throw new TemplateError('template: unexpected EOF');
  const root = stack[0].nodes;
  return (ctx) => render(root, ctx);
}

function render(nodes: Node[], ctx: TemplateContext): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.s;
    else if (n.t === 'action') out += str(runPipe(n.pipe, ctx));
    else {
      const br = n.branches.find((b) => truthy(runPipe(b.cond, ctx)));
      out += render(br ? br.body : n.else, ctx);
    }
  }
  return out;
}

function runPipe(pipe: Cmd[], ctx: TemplateContext): Value {
  let prev: Value | undefined;
  for (const cmd of pipe) {
    const vals = cmd.map((a): Value | ((...x: Value[]) => Value) => {
      switch (a.t) {
        case 'field': return ctx.labels.get(a.name) ?? '';
        case 'lit': return a.v;
        case 'sub': return runPipe(a.pipe, ctx);
        case 'fn':
          if (a.name === '__line__') return ctx.line;
          if (a.name === '__timestamp__') return new Date(Number(ctx.ts / 1_000_000n));
          return FUNCS[a.name];
      }
    });
    const [head, ...rest] = vals;
    if (typeof head === 'function') {
      const args = rest as Value[];
      if (prev !== undefined) args.push(prev);
      prev = head(...args);
    } else {
      if (rest.length) throw new TemplateError("template: can't give argument to non-function");
      prev = head;
    }
  }
  return prev ?? '';
}

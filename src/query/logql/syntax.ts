/**
 * Helpers for building the AST from lezer-logql's tree: collecting nested
 * nodes, rebuilding binary operator chains with Loki's precedence, checking
 * pattern expressions.
 */
import type { SyntaxNode } from '@lezer/common';
import { BINOP_PRECEDENCE, type BinOp, type BinOpModifier, type Expr } from './ast.js';

/** Checks a pattern expression (parser `pattern`, or a `|>` filter, which allows only `<_>`). */
export function checkPattern(err: (at: SyntaxNode, reason: string) => never, at: SyntaxNode, expr: string, filterOnly = false): void {
  const parts = expr.split(/(<[^<>]*>)/).filter((p) => p !== '');
  let prevCapture = false;
  let named = 0;
  for (const p of parts) {
    const cap = /^<([A-Za-z_][A-Za-z0-9_]*)>$/.exec(p);
    if (cap) {
      if (prevCapture) err(at, 'syntax error: consecutive capture');
      if (cap[1] !== '_') named++;
      prevCapture = true;
    } else prevCapture = false;
  }
  if (filterOnly && named > 0) err(at, 'syntax error: pattern filters do not allow named captures');
  if (!filterOnly && named === 0) err(at, 'syntax error: at least one capture is required');
}

/** Precedence climbing over a flattened operator chain (all left-associative but `^`). */
export function climb(operands: Expr[], ops: { op: BinOp; modifier: BinOpModifier; pos: number }[]): Expr {
  let i = 0;
  let j = 0;
  const parse = (minPrec: number): Expr => {
    let left = operands[i++];
    while (j < ops.length && BINOP_PRECEDENCE[ops[j].op] >= minPrec) {
      const { op, modifier, pos } = ops[j++];
      const prec = BINOP_PRECEDENCE[op];
      const right = parse(op === '^' ? prec : prec + 1);
      left = { kind: 'binop', op, left, right, modifier, pos } as Expr;
    }
    return left;
  };
  return parse(0);
}

export function collect(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === name) out.push(c);
    else out.push(...collect(c, name));
  }
  return out;
}

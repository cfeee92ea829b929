import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { parseLogQL } from './build.js';
import { printLogQL } from './print.js';

const print = (q: string) => printLogQL(parseLogQL(q));

describe('parseLogQL → printLogQL', () => {
  const cases: [string, string][] = [
    ['{a="b"}', '{a="b"}'],
    ['{a="b", c!~"x|y"} |= "s" != `t` |~ "(?i)re" !~ "z" |> "<_> x"', '{a="b", c!~"x|y"} |= "s" != "t" |~ "(?i)re" !~ "z" |> "<_> x"'],
    ['{a="b"} |= "a" or "b"', '{a="b"} |= "a" or "b"'],
    ['{a="b"} | json | __error__=""', '{a="b"} | json | __error__=""'],
    ['{a="b"} | json foo="bar.baz", q | logfmt --strict', '{a="b"} | json foo="bar.baz", q="q" | logfmt --strict'],
    ['{a="b"} | regexp "(?P<x>\\\\d+)" | pattern "<a> - <_>" | unpack | decolorize', '{a="b"} | regexp "(?P<x>\\\\d+)" | pattern "<a> - <_>" | unpack | decolorize'],
    ['{a="b"} | x > 5 and y="z" or (w=~"q", d<10ms) | s >= 20KB', '{a="b"} | x>5 and y="z" or w=~"q" and d<10ms | s>=20KB'],
    ['{a="b"} | a="x" b="y"', '{a="b"} | a="x" and b="y"'],
    ['{a="b"} | line_format "{{.a}}" | label_format a=b, c="{{.d}}" | drop a, b="c" | keep x', '{a="b"} | line_format "{{.a}}" | label_format a=b, c="{{.d}}" | drop a, b="c" | keep x'],
    ['count_over_time({a="b"}[5m])', 'count_over_time({a="b"} [5m])'],
    ['rate(({a="b"} |= "x")[1h30m] offset 1h)', 'rate({a="b"} |= "x" [1h30m] offset 1h)'],
    ['quantile_over_time(0.9, {a="b"} | unwrap duration(x) | __error__="" [5m]) by (c)', 'quantile_over_time(0.9, {a="b"} | unwrap duration(x) | __error__="" [5m]) by (c)'],
    ['sum by (a) (rate({x="y"}[5m]))', 'sum by (a) (rate({x="y"} [5m]))'],
    ['sum(rate({x="y"}[5m])) without (a)', 'sum without (a) (rate({x="y"} [5m]))'],
    // several grouping labels (the grammar nests them)
    ['sum by (level, detected_level, host) (count_over_time({x="y"}[5m]))', 'sum by (level, detected_level, host) (count_over_time({x="y"} [5m]))'],
    ['sum without (a, b) (rate({x="y"}[5m]))', 'sum without (a, b) (rate({x="y"} [5m]))'],
    ['avg_over_time({a="b"} | unwrap x [5m]) by (c, d)', 'avg_over_time({a="b"} | unwrap x [5m]) by (c, d)'],
    ['topk(3, sum(count_over_time({a="b"}[1m])))', 'topk(3, sum(count_over_time({a="b"} [1m])))'],
    ['vector(1)+vector(1)', 'vector(1) + vector(1)'],
    ['label_replace(vector(1), "a", "$1", "b", "(.*)")', 'label_replace(vector(1), "a", "$1", "b", "(.*)")'],
    // Loki's precedence, not the grammar's
    ['1 + 2 * 3', '1 + (2 * 3)'],
    ['2 * 3 > 4', '(2 * 3) > 4'],
    ['(1 + 2) * 3', '(1 + 2) * 3'],
    ['2 ^ 3 ^ 2', '2 ^ (3 ^ 2)'],
    ['1 - 2 - 3', '(1 - 2) - 3'],
    ['vector(1) or vector(2) * 3', 'vector(1) or (vector(2) * 3)'],
    ['vector(1) > bool on (a) group_left (b) vector(2)', 'vector(1) > bool on (a) group_left (b) vector(2)'],
    ['-1', '-1'],
  ];
  it.each(cases)('%s', (q, want) => {
    const printed = print(q);
    expect(printed).toBe(want);
    // round trip: the printed query parses to the same tree (positions aside)
    expect(strip(parseLogQL(printed))).toEqual(strip(parseLogQL(q)));
  });

  it('evaluates the rebuilt precedence like Loki', () => {
    const ev = (e: Expr): number => {
      if (e.kind === 'literal') return e.value;
      if (e.kind !== 'binop') throw new Error('unexpected');
      const [l, r] = [ev(e.left), ev(e.right)];
      return { '+': l + r, '-': l - r, '*': l * r, '/': l / r, '^': l ** r, '%': l % r }[e.op as '+'] ?? NaN;
    };
    expect(ev(parseLogQL('1 + 2 * 3'))).toBe(7);
    expect(ev(parseLogQL('2 * 3 ^ 2'))).toBe(18);
    expect(ev(parseLogQL('10 - 4 / 2 - 1'))).toBe(7);
  });
});

describe('errors', () => {
  const cases: [string, string][] = [
    ['{foo="bar"', 'parse error at line 1, col 11: syntax error: unexpected end of query'],
    ['{}', 'parse error at line 1, col 2'],
    ['{a=~".*"}', 'queries require at least one regexp or equality matcher that does not have an empty-compatible value'],
    ['{a=""}', 'empty-compatible'],
    ['sum_over_time({a="b"}[5m])', 'parse error : invalid aggregation sum_over_time without unwrap'],
    ['count_over_time({a="b"} | unwrap x [5m])', 'invalid aggregation count_over_time with unwrap'],
    ['count_over_time({a="b"}[5m]) by (x)', 'grouping not allowed for count_over_time aggregation'],
    ['{a="b"} |~ "(?=x)"', 'lookarounds'],
    ['{a="b"} | regexp "(x)"', 'named capture'],
    ['{a="b"} | label_format a=b, a=c', "multiple label name 'a'"],
    ['{a="b"}\n |= "x" |', 'parse error at line 2'],
  ];
  it.each(cases)('%s', (q, msg) => {
    expect(() => parseLogQL(q)).toThrow(msg);
  });
});

function strip(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(strip);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'pos').map(([k, v]) => [k, strip(v)]));
  return x;
}

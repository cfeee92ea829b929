/** Issue 19 item 3: bounded query length and nesting, refused as Loki parse errors instead of overflowing the stack. */
import { describe, expect, it } from 'vitest';
import { QueryParseError } from '../errors.js';
import { MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, parseLogQL } from './build.js';
import { printLogQL } from './print.js';

const repeat = (n: number, item: (i: number) => string, sep: string) => Array.from({ length: n }, (_, i) => item(i)).join(sep);
const HOSTILE: Record<string, string> = {
  'nested sum(': `${'sum('.repeat(20_000)}count_over_time({a="b"}[1m])${')'.repeat(20_000)}`,
  'chained or': repeat(5_000, () => 'count_over_time({a="b"}[1m])', ' or '),
  'matchers': `{${repeat(2_000, (i) => `l${i}="v"`, ',')}}`,
};

describe('query limits', () => {
  it.each(Object.entries(HOSTILE))('refuses %s with a positioned parse error', (_name, q) => {
    let err: unknown;
    try {
      parseLogQL(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryParseError);
    expect((err as Error).message).toMatch(new RegExp(`^parse error at line 1, col \\d+: syntax error: query (longer than ${MAX_QUERY_LENGTH} characters|nested more than ${MAX_QUERY_DEPTH} levels deep)$`));
  });

  it('names the limit that was hit and where', () => {
    expect(() => parseLogQL(`{a="${'x'.repeat(MAX_QUERY_LENGTH)}"}`)).toThrow(`parse error at line 1, col ${MAX_QUERY_LENGTH + 1}: syntax error: query longer than ${MAX_QUERY_LENGTH} characters`);
    // brackets are counted before the grammar runs: the 257th `(` is refused
    expect(() => parseLogQL(`${'('.repeat(30_000)}vector(1)${')'.repeat(30_000)}`)).toThrow(`parse error at line 1, col ${MAX_QUERY_DEPTH + 1}: syntax error: query nested more than ${MAX_QUERY_DEPTH} levels deep`);
    expect(() => parseLogQL(repeat(1_000, () => '2', ' ^ '))).toThrow('nested more than');
    expect(() => parseLogQL(`{a="b"}${' | json'.repeat(1_000)}`)).toThrow('nested more than');
    // brackets inside strings are text, not nesting
    expect(parseLogQL(`{a="b"} |= "${'('.repeat(5_000)}" |= \`${'['.repeat(5_000)}\``).kind).toBe('log');
  });

  // The deepest of each kind that passes: every walker after the parse must handle it.
  const DEEPEST: Record<string, string> = {
    'nested aggregations': `${'sum('.repeat(120)}count_over_time({a="b"}[1m])${')'.repeat(120)}`,
    'parentheses': `${'('.repeat(250)}vector(1)${')'.repeat(250)}`,
    'binary operators': repeat(80, () => 'vector(1)', ' ^ '),
    'label_replace': `${'label_replace('.repeat(120)}vector(1)${', "a", "$1", "b", "(.*)")'.repeat(120)}`,
    'matchers': `{${repeat(250, (i) => `l${i}="v"`, ',')}}`,
    'label filters': `{a="b"} | ${repeat(240, (i) => `x${i}="v"`, ' or ')}`,
    'pipeline stages': `{a="b"}${' | json'.repeat(250)}`,
  };
  it.each(Object.entries(DEEPEST))('parses and prints the deepest %s that pass', (_name, q) => {
    const printed = printLogQL(parseLogQL(q));
    // the printer adds parentheses Loki's precedence needs, so compare without them and whitespace
    const bare = (s: string) => s.replace(/[()\s]/g, '');
    expect(bare(printed).length).toBeGreaterThan(bare(q).length * 0.5);
  });
});

import { describe, expect, it } from 'vitest';
import { compileRegex, RegexError } from './regex.js';

describe('compileRegex (RE2)', () => {
  it('reads Go RE2 syntax: named groups, inline flags anywhere, \\z, POSIX classes, \\p{…}', () => {
    expect(compileRegex('(?P<user>\\w+)@(?<host>\\w+)').exec('to alice@example now')?.groups).toEqual({ user: 'alice', host: 'example' });
    expect(compileRegex('(?P<a>x)|(?P<b>y)').groupNames).toEqual(['a', 'b']);
    expect(compileRegex('(?i)denied').test('ACCESS DENIED')).toBe(true);
    expect(compileRegex('x(?i)y').test('xY')).toBe(true);
    expect(compileRegex('a.c').test('a\nc')).toBe(false);
    expect(compileRegex('(?s)a.c').test('a\nc')).toBe(true);
    expect(compileRegex('^ab\\z').test('ab')).toBe(true);
    expect(compileRegex('[[:digit:]]+').exec('x42')?.[0]).toBe('42');
    expect(compileRegex('\\p{Greek}+').exec('abc αβγ')?.[0]).toBe('αβγ');
    expect(compileRegex('(?U)a+').exec('aaa')?.[0]).toBe('a');
  });

  it('anchors label matchers to the whole value, as Loki does, without letting the pattern escape the group', () => {
    expect(compileRegex('a|ab', true).test('ab')).toBe(true);
    expect(compileRegex('b', true).test('abc')).toBe(false);
    expect(compileRegex('b').test('abc')).toBe(true);
    expect(() => compileRegex('a)|(b', true)).toThrow(RegexError);
  });

  it('replaces all matches with $n / ${name} groups, or literally', () => {
    expect(compileRegex('(\\w+)=(?P<v>\\w+)').replaceAll('a=1 b=2', '$<v>:$1')).toBe('1:a 2:b');
    expect(compileRegex('a*').replaceAll('baaac', '-')).toBe('-b--c-');
    expect(compileRegex('\\d').replaceAll('a1b2', () => '$1')).toBe('a$1b$1');
  });

  it('refuses what RE2 lacks, with a message naming the pattern', () => {
    expect(() => compileRegex('(?=x)')).toThrow('invalid regex "(?=x)": lookarounds are not supported in RE2');
    expect(() => compileRegex('(?<!x)y')).toThrow('lookarounds');
    expect(() => compileRegex('(x)\\1')).toThrow('invalid escape sequence');
    expect(() => compileRegex('[a')).toThrow('missing closing ]');
  });

  it('matches in linear time: (a+)+$ over a long value that does not match', () => {
    const value = `${'a'.repeat(100_000)}!`;
    expect(compileRegex('(a+)+$').test(value)).toBe(false);
    expect(compileRegex('(a+)+$', true).test(value)).toBe(false);
    expect(compileRegex('(a+)+$').exec(value)).toBeNull();
    expect(compileRegex('(a+)+$').replaceAll(value, 'x')).toBe(value);
  });
});

import { describe, expect, it } from 'vitest';
import { fieldPath, formatPolicyError, goJSON, goQuote, invalidBody, notSupportedBody, PolicyError, PolicyErrors, requiredBody } from './errors.js';

describe('field error rendering (k8s.io/apimachinery field.Error)', () => {
  it('fieldPath', () => {
    expect(fieldPath(['rules', 3, 'resources', 0, 'group'])).toBe('rules[3].resources[0].group');
    expect(fieldPath(['omitStages', 1])).toBe('omitStages[1]');
    expect(fieldPath([])).toBe('');
  });

  it.each([
    ['plain', '"plain"'],
    ['q"uote\\', '"q\\"uote\\\\"'],
    ['tab\tnl\n', '"tab\\tnl\\n"'],
    ['\x01\x7f', '"\\x01\\x7f"'],
    ['jürgen ✓', '"jürgen ✓"'],
    ['nbsp\u00a0zw\u200b', '"nbsp\\u00a0zw\\u200b"'],
  ])('goQuote(%j)', (s, want) => {
    expect(goQuote(s)).toBe(want);
  });

  it('goJSON escapes like encoding/json', () => {
    expect(goJSON(['<a&b>', '\u2028'])).toBe('["\\u003ca\\u0026b\\u003e","\\u2028"]');
  });

  it('bodies', () => {
    expect(requiredBody()).toBe('Required value');
    expect(invalidBody('x', 'bad')).toBe('Invalid value: "x": bad');
    expect(invalidBody(['a'], 'bad')).toBe('Invalid value: ["a"]: bad');
    expect(invalidBody(5, 'bad')).toBe('Invalid value: 5: bad');
    expect(notSupportedBody('V', ['A', 'B'])).toBe('Unsupported value: "V": supported values: "A", "B"');
  });
});

describe('PolicyError / PolicyErrors', () => {
  it('formats file:line: path: reason', () => {
    expect(formatPolicyError('p.yaml', 'rules[0].level', 4, 'Required value')).toBe('p.yaml:4: rules[0].level: Required value');
    expect(formatPolicyError('p.yaml', '', 0, 'cannot read')).toBe('p.yaml: cannot read');
  });

  it('the aggregate is a PolicyError carrying the first problem and lists all', () => {
    const a = new PolicyError('f', 'x', 1, 'Required value');
    const b = new PolicyError('f', 'y', 2, 'Required value');
    const agg = new PolicyErrors([a, b]);
    expect(agg).toBeInstanceOf(PolicyError);
    expect(agg).toMatchObject({ file: 'f', path: 'x', line: 1, reason: 'Required value' });
    expect(agg.errors).toEqual([a, b]);
    expect(agg.message).toBe('f:1: x: Required value\nf:2: y: Required value');
    expect(() => new PolicyErrors([])).toThrow(TypeError);
  });
});

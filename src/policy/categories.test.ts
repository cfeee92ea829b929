import { describe, expect, it } from 'vitest';
import { CategoryError, excludedBy, extractExclusionFlags, isExcluded, resolveCategories } from './categories.js';

describe('extractExclusionFlags', () => {
  it('sets with = and appends with +=, as EngFlow writes it', () => {
    expect(extractExclusionFlags(['serve', '--audit_log_excluded_categories=iam', '--audit_log_excluded_categories+=auth', '--port', '1'])).toEqual({
      rest: ['serve', '--port', '1'],
      categories: ['iam', 'auth'],
    });
  });
  it('lets a later = replace the list', () => {
    expect(extractExclusionFlags(['--audit_log_excluded_categories=iam', '--audit_log_excluded_categories=file']).categories).toEqual(['file']);
  });
  it('accepts += first, comma lists and the --exclude-category alias', () => {
    expect(extractExclusionFlags(['--audit_log_excluded_categories+=file,iam', '--exclude-category', 'auth', '--exclude-category=web']).categories).toEqual([
      'file', 'iam', 'auth', 'web',
    ]);
  });
  it('leaves the list undefined without a flag, and empty with an empty value', () => {
    expect(extractExclusionFlags(['serve']).categories).toBeUndefined();
    expect(extractExclusionFlags(['--audit_log_excluded_categories=']).categories).toEqual([]);
  });
  it('needs a value', () => {
    expect(() => extractExclusionFlags(['--exclude-category'])).toThrow(CategoryError);
  });
});

describe('resolveCategories', () => {
  it('maps flag literals to ECS categories', () => {
    expect([...resolveCategories(['auth', 'iam', 'file'])]).toEqual(['authentication', 'iam', 'file']);
  });
  it('fails on an unknown name, listing the valid ones', () => {
    expect(() => resolveCategories(['iam', 'secrets'])).toThrow(/unknown category "secrets"; valid: auth, api, authentication, .*web$/);
  });
});

describe('isExcluded', () => {
  const ex = resolveCategories(['auth', 'iam']);
  it('drops events with any excluded category', () => {
    expect(isExcluded(ex, ['authentication'])).toBe(true);
    expect(isExcluded(ex, ['auth'])).toBe(true);
    expect(isExcluded(ex, ['file', 'iam'])).toBe(true);
    expect(isExcluded(ex, ['file'])).toBe(false);
    expect(isExcluded(ex, null)).toBe(false);
    expect(excludedBy(ex, ['file', 'auth'])).toBe('auth'); // the category that dropped it, for the metric
  });
  it('never drops Vigil’s own access log', () => {
    expect(isExcluded(ex, ['iam'], 'vigil.access')).toBe(false);
  });
});

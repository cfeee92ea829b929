import { describe, expect, it } from 'vitest';
import { isLevel, isStage, LEVELS, levelRank, STAGES } from './types.js';

describe('levels and stages', () => {
  it('orders levels like ordLevel, unknown like None', () => {
    expect(LEVELS.map(levelRank)).toEqual([0, 1, 2, 3]);
    expect(levelRank('Verbose')).toBe(0);
    expect(levelRank(undefined)).toBe(0);
  });

  it('guards', () => {
    expect(LEVELS.every(isLevel) && STAGES.every(isStage)).toBe(true);
    expect(isLevel('metadata') || isStage('Done') || isStage(undefined)).toBe(false);
  });
});

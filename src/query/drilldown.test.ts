/** The pure parts of the Logs Drilldown reads: volume buckets, field types, pattern tokens. */
import { describe, expect, it } from 'vitest';
import { fieldType } from './detected-fields.js';
import { bucketEnd } from './drilldown.js';
import { tokenize } from './patterns.js';

const S = 1_000_000_000n;

describe('Logs Drilldown helpers', () => {
  it("stamps volume buckets as Loki's ForInterval does", () => {
    expect(bucketEnd(0n, 60n * S, 300n * S)).toBe(60n * S - 1_000_000n);
    expect(bucketEnd(59n * S, 60n * S, 300n * S)).toBe(60n * S - 1_000_000n);
    expect(bucketEnd(60n * S, 60n * S, 300n * S)).toBe(120n * S - 1_000_000n);
    expect(bucketEnd(250n * S, 60n * S, 290n * S)).toBe(290n * S);
  });

  it("guesses field types in Loki's order", () => {
    expect(['42', '-7', '1.5', '1e3', 'true', 'F', '1h30m', '12ms', '10 MB', '5KiB', 'alice', '9223372036854775808'].map(fieldType)).toEqual([
      'int', 'int', 'float', 'float', 'boolean', 'boolean', 'duration', 'duration', 'bytes', 'bytes', 'string', 'float',
    ]);
  });

  it('masks variable parts and keeps separators', () => {
    expect(tokenize('id=0b8f2d4e-6a1c-4f7e-9d3b-2c5a7e9f1b3d from 10.0.0.1:443 at 2026-01-01T00:00:00Z n=17').join('')).toBe('id=<_> from <_> at <_> n=<_>');
    expect(tokenize('a "b c"')).toEqual(['a', ' ', '"', 'b', ' ', 'c', '"']);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_NS, MIN_NS, formatNs, parseDurationNs, parseRfc3339, parseTimeArg, timestampError } from './time.js';

describe('parseRfc3339', () => {
  it('keeps nanoseconds exactly', () => {
    const t = parseRfc3339('2022-12-02T21:37:03.657277582Z')!;
    expect(t.ns).toBe(1670017023657277582n);
    expect(t.iso).toBe('2022-12-02T21:37:03.657277582Z');
  });
  it('keeps the digits given, without padding', () => {
    expect(parseRfc3339('2022-12-06T14:37:40.942762Z')!.iso).toBe('2022-12-06T14:37:40.942762Z');
    expect(parseRfc3339('2022-12-06T14:37:40Z')!.ns).toBe(1670337460000000000n);
  });
  it('converts offsets to UTC', () => {
    const t = parseRfc3339('2025-11-22T14:00:00.123456789+02:00')!;
    expect(t.iso).toBe('2025-11-22T12:00:00.123456789Z');
    expect(parseRfc3339('2025-11-22T00:30:00-01:30')!.iso).toBe('2025-11-22T02:00:00Z');
  });
  it('rejects what is not RFC 3339', () => {
    for (const s of ['2025-11-22', '2025-13-01T00:00:00Z', 'yesterday', '2025-11-22T12:00:00', '2025-11-22T12:00:00.1234567891Z']) {
      expect(parseRfc3339(s), s).toBeUndefined();
    }
  });
});

describe('the timestamps Vigil stores (issue 19 item 8)', () => {
  it('refuses instants outside signed 64-bit nanoseconds instead of wrapping them', () => {
    for (const s of ['9999-12-31T23:59:59Z', '2263-01-01T00:00:00Z', '1600-01-01T00:00:00Z', '2262-04-11T23:47:16.854775808Z', '1677-09-21T00:12:43.145224191Z', '0050-01-01T00:00:00Z']) {
      expect(parseRfc3339(s), s).toBeUndefined();
      expect(timestampError(s), s).toMatch(/outside the range of timestamps Vigil stores \(1677-09-21T00:12:43.145224192Z through 2262-04-11T23:47:16.854775807Z\)/);
    }
    expect(parseRfc3339('2262-04-11T23:47:16.854775807Z')!.ns).toBe(MAX_NS);
    expect(parseRfc3339('1677-09-21T00:12:43.145224192Z')!.ns).toBe(MIN_NS);
    expect(parseRfc3339('2262-04-12T01:47:16.854775807+02:00')!.ns).toBe(MAX_NS);
  });
  it('refuses dates that are not on the calendar instead of rolling them over', () => {
    for (const s of ['2025-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2025-04-31T00:00:00Z', '2025-01-01T24:00:00Z']) {
      expect(parseRfc3339(s), s).toBeUndefined();
      expect(timestampError(s), s).toMatch(/is not a calendar date and time/);
    }
    expect(parseRfc3339('2024-02-29T00:00:00Z')!.iso).toBe('2024-02-29T00:00:00Z');
    expect(parseRfc3339('2000-02-29T12:00:00Z')!.ns).toBe(BigInt(Date.UTC(2000, 1, 29, 12)) * 1_000_000n);
    expect(timestampError('soon')).toMatch(/is not an RFC 3339 timestamp/);
    expect(timestampError('2025-11-22T12:00:00Z')).toBeUndefined();
  });
  it('counts from the proleptic Gregorian calendar as Date does, across the whole range', () => {
    for (let ms = -9_000_000_000_000; ms < 9_000_000_000_000; ms += 123_456_789_011) {
      const iso = new Date(ms).toISOString();
      expect(parseRfc3339(iso)!.ns, iso).toBe(BigInt(ms) * 1_000_000n);
    }
  });
});

describe('formatNs', () => {
  it('round-trips', () => {
    expect(formatNs(1670017023657277582n)).toBe('2022-12-02T21:37:03.657277582Z');
    expect(formatNs(1670017023657277582n, 3)).toBe('2022-12-02T21:37:03.657Z');
    expect(formatNs(0n, 0)).toBe('1970-01-01T00:00:00Z');
    expect(formatNs(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
  });
});

describe('durations and time arguments', () => {
  it('parses Loki durations', () => {
    expect(parseDurationNs('1h30m')).toBe(5400n * 1_000_000_000n);
    expect(parseDurationNs('500ms')).toBe(500_000_000n);
    expect(parseDurationNs('7d')).toBe(7n * 86400n * 1_000_000_000n);
    expect(parseDurationNs('1x')).toBeUndefined();
    expect(parseDurationNs('')).toBeUndefined();
  });
  it('tells epoch seconds, milliseconds and nanoseconds apart', () => {
    expect(parseTimeArg('1670017023')).toBe(1670017023_000_000_000n);
    expect(parseTimeArg('1670017023.5')).toBe(1670017023_500_000_000n);
    expect(parseTimeArg('1670017023657')).toBe(1670017023_657_000_000n);
    expect(parseTimeArg('1670017023657277582')).toBe(1670017023657277582n);
    expect(parseTimeArg('now-1h', 10_000_000_000_000n)).toBe(10_000_000_000_000n - 3_600_000_000_000n);
  });
});

describe('parseRfc3339 fast path', () => {
  it('gives the same answers as the full parser within a cached second, and rejects bad fractions', () => {
    const a = parseRfc3339('2025-11-22T12:00:00.5Z')!;
    expect(a.ns).toBe(1763812800_500_000_000n);
    expect(parseRfc3339('2025-11-22T12:00:00.000000001Z')!.ns).toBe(1763812800_000_000_001n);
    expect(parseRfc3339('2025-11-22T12:00:00Z')!.ns).toBe(1763812800_000_000_000n);
    expect(parseRfc3339('2025-11-22T12:00:00.Z')).toBeUndefined();
    expect(parseRfc3339('2025-11-22T12:00:00.12a4Z')).toBeUndefined();
    expect(parseRfc3339('2025-11-22T12:00:00.1234567890Z')).toBeUndefined();
    expect(parseRfc3339('2025-11-22T12:00:01.25Z')!.ns).toBe(1763812801_250_000_000n);
  });
});

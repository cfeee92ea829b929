import { describe, expect, it } from 'vitest';
import { fuzzFormats } from './fuzz.js';

/**
 * The property tests at unit-suite scale (≈2,000 inputs per format, a fresh
 * seed each run; fast-check prints the seed and the counterexample on a
 * failure). `fuzzFormats(100_000)` runs the same properties at scale.
 */
describe('fuzz', () => {
  it('no input makes a decoder crash, hang, emit a bad event or throw anything but FormatError', { timeout: 300_000 }, () => {
    const report = fuzzFormats(2000);
    expect(report.map((r) => r.format)).toEqual(['app', 'gdch-proxy', 'kubernetes-audit', 'ecs', 'generic', 'auto']);
    for (const r of report) expect(r.events, `${r.format} decoded nothing`).toBeGreaterThan(200);
  });
});

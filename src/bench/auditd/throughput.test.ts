import { describe, expect, it } from 'vitest';
import { benchAuditd, decodeAll } from './throughput.js';
import { generateAuditdLog } from './generate.js';

describe('auditd benchmark harness', () => {
  it('generates realistic, fully decodable logs with interleaving, split args and ENRICHED hosts', () => {
    const lines = generateAuditdLog(2000, 3);
    expect(decodeAll(lines)).toBe(2000);
    expect(lines.some((l) => / a\d+_len=\d+ a\d+\[0\]=/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('\x1dARCH=aarch64'))).toBe(true);
    expect(lines.some((l) => l.startsWith('node=web-2 '))).toBe(true);
    const serials = lines.map((l) => /:(\d+)\):/.exec(l)![1]);
    expect(serials.some((s, i) => i > 1 && s < serials[i - 1])).toBe(true); // interleaved
  });

  it('benchAuditd reports throughput', () => {
    const r = benchAuditd(1000, 1);
    expect(r.events).toBe(1000);
    expect(r.eventsPerSec).toBeGreaterThan(0);
    expect(r.linesPerSec).toBeGreaterThan(r.eventsPerSec);
  });
});

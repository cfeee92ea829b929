import { describe, expect, it } from 'vitest';
import { benchData, benchFormats } from './throughput.js';
import { eventProblems } from './fuzz.js';
import { decodeAll, getFormat } from '../../formats/registry.js';

describe('bench', () => {
  it('generates realistic records every format decodes without a rejection', () => {
    const data = benchData(200);
    for (const [name, lines] of Object.entries(data)) {
      expect(lines).toHaveLength(200);
      const { events, rejected } = decodeAll(getFormat(name), lines.join('\n'), { keepOriginal: true });
      expect(rejected, name).toEqual([]);
      expect(events).toHaveLength(200);
      for (const d of events) expect(eventProblems(d.event, name === 'ecs' || name === 'auto')).toEqual([]);
    }
  });
  it('measures every JSON format against JSON.parse (small run; the ratio target is checked by the bench script)', () => {
    const rows = benchFormats(300, 5);
    expect(rows.map((r) => r.format)).toEqual(['app', 'gdch-proxy', 'kubernetes-audit', 'ecs', 'auto']);
    for (const r of rows) {
      expect(r.eventsPerSec).toBeGreaterThan(0);
      expect(r.jsonParsePerSec).toBeGreaterThan(0);
      expect(r.ratio).toBeGreaterThan(0);
      expect(Number.isFinite(r.ratio)).toBe(true);
    }
  });
});

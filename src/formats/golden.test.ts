/**
 * Golden files: every sample in testdata/ normalizes without a rejection to
 * exactly the documents in its `*.expected.ndjson` (one event a line, compact
 * JSON, key order as written). The expected files were produced by the code
 * and then checked by hand against ecs-mapping.md; the spot values are also
 * asserted one by one in each format's own test file.
 * Regenerate after an intended change: `UPDATE_GOLDEN=1 npx vitest run src/formats/golden.test.ts`,
 * then review the diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventProblems } from '../bench/formats/fuzz.js';
import { decodeAll, getFormat } from './registry.js';

const GOLDEN = [
  { format: 'app', input: 'app.ndjson', expected: 'app.expected.ndjson', count: 22 },
  { format: 'gdch-proxy', input: 'gdch-proxy.ndjson', expected: 'gdch-proxy.expected.ndjson', count: 12 },
  { format: 'kubernetes-audit', input: 'kubernetes-audit.ndjson', expected: 'kubernetes-audit.expected.ndjson', count: 22 },
  { format: 'kubernetes-audit', input: 'kubernetes-eventlist.json', expected: 'kubernetes-eventlist.expected.ndjson', count: 3 },
  { format: 'kubernetes-audit', input: 'seed-gdch-kubernetes.json', expected: 'seed-gdch-kubernetes.expected.ndjson', count: 4 },
  { format: 'kubernetes-audit', input: 'seed-giantswarm-kubernetes.json', expected: 'seed-giantswarm-kubernetes.expected.ndjson', count: 1 },
] as const;

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url);

describe('golden files', () => {
  for (const g of GOLDEN) {
    it(`${g.format}: ${g.input} → ${g.expected}`, () => {
      const { events, rejected } = decodeAll(getFormat(g.format), readFileSync(testdata(g.input), 'utf8'), { keepOriginal: true });
      expect(rejected).toEqual([]);
      expect(events).toHaveLength(g.count);
      for (const d of events) expect(eventProblems(d.event)).toEqual([]);
      const actual = events.map((d) => JSON.stringify(d.event)).join('\n') + '\n';
      if (process.env.UPDATE_GOLDEN) writeFileSync(testdata(g.expected), actual);
      const expected = readFileSync(testdata(g.expected), 'utf8').split('\n');
      const lines = actual.split('\n');
      for (let i = 0; i < Math.max(lines.length, expected.length); i++) {
        expect(lines[i] === undefined ? undefined : JSON.parse(lines[i] || 'null'), `${g.expected} line ${i + 1}`).toEqual(
          expected[i] === undefined ? undefined : JSON.parse(expected[i] || 'null'),
        );
      }
      expect(actual).toBe(expected.join('\n')); // byte-exact, including key order
    });
  }
});

/**
 * Throughput of the auditd decoder (parse + assemble + ECS mapping, `keepOriginal` on) on a
 * generated log of realistic events. The peer to compare with is
 * `ausearch --input FILE --format csv` on the same log (`generateAuditdLog(events)` joined
 * with `\n`): see the report in the change that added this file.
 */
import { AuditdDecoder } from '../../formats/auditd/assemble.js';
import { generateAuditdLog } from './generate.js';

export interface AuditdBenchResult {
  eventsPerSec: number;
  linesPerSec: number;
  events: number;
  lines: number;
  /** Best of the timed runs, milliseconds. */
  ms: number;
}

/** Decodes all lines once; returns the number of events produced. */
export function decodeAll(lines: readonly string[], keepOriginal = true): number {
  const dec = new AuditdDecoder({ keepOriginal });
  let events = 0;
  const pos = { line: 0, offset: 0 };
  for (let i = 0; i < lines.length; i++) {
    pos.line = i + 1;
    events += dec.push(lines[i], pos).length;
  }
  return events + dec.flush().length;
}

export function benchAuditd(events = 50_000, runs = 5): AuditdBenchResult {
  const lines = generateAuditdLog(events, 42);
  decodeAll(lines.slice(0, 20_000)); // warm-up
  let best = Infinity;
  let produced = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    produced = decodeAll(lines);
    best = Math.min(best, performance.now() - t0);
  }
  return {
    eventsPerSec: Math.round((produced / best) * 1000),
    linesPerSec: Math.round((lines.length / best) * 1000),
    events: produced,
    lines: lines.length,
    ms: Math.round(best),
  };
}

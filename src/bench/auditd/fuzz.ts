/**
 * Large-scale robustness run for the auditd decoder: generated realistic logs, then mutated
 * (bit flips, truncation, duplicated/dropped/swapped lines, spliced garbage, broken hex and
 * quotes, extreme numbers, header damage) and fed through one decoder per input. The decoder
 * must never throw anything but FormatError, never hang, keep working after a rejected line,
 * and every event it emits must be valid ECS (the model's schema) and serializable.
 * Deterministic for a given seed; no dependency beyond the project itself.
 */
import { FormatError } from '../../formats/format.js';
import { validateEvent } from '../../model/validate.js';
import { AuditdDecoder } from '../../formats/auditd/assemble.js';
import { generateAuditdLog, generateEvent, hexOf, prng } from './generate.js';

export interface FuzzFailure {
  input: string[];
  problem: string;
}

export interface FuzzReport {
  runs: number;
  lines: number;
  rejected: number;
  events: number;
  /** Slowest single input, milliseconds. */
  slowestMs: number;
  failures: FuzzFailure[];
}

const PIECES = [
  ' ', '=', '"', "'", '\x1d', '\x00', '\x01', '\ufffd', 'msg=audit(', '):', 'type=', 'node=', 'a1_len=',
  'a1[0]=', 'argc=', '4294967295', '-1', '99999999999999999999', '(null)', '(none)', '?', 'saddr=', 'msg=\'',
  'UNKNOWN[', 'SADDR={', 'ÿ', '😀', '\\', 'EOE', 'PROCTITLE', 'op=', 'acct=', 'key=', 'proctitle=',
];

function mutateLine(line: string, rnd: () => number): string {
  const pos = Math.floor(rnd() * (line.length + 1));
  switch (Math.floor(rnd() * 12)) {
    case 0: return line.slice(0, pos); // truncated
    case 1: return line.slice(0, pos) + line.slice(pos + 1 + Math.floor(rnd() * 8));
    case 2: return line.slice(0, pos) + PIECES[Math.floor(rnd() * PIECES.length)] + line.slice(pos);
    case 3: {
      const c = line.charCodeAt(pos) ^ (1 << Math.floor(rnd() * 7));
      return line.slice(0, pos) + String.fromCharCode(Number.isNaN(c) ? 0 : c) + line.slice(pos + 1);
    }
    case 4: return line.replace(/=([0-9A-F]{2,})/, (_m, h: string) => '=' + h.slice(0, Math.max(1, h.length - 1)));
    case 5: return line.replace(/"([^"]*)"/, '"$1');
    case 6: return line.replace(/\d+/, ['0', '4294967296', '999999999999', '-5', '00000000000000000001'][Math.floor(rnd() * 5)]);
    case 7: return line.replace(/msg=audit\([^)]*\)/, `msg=audit(${Math.floor(rnd() * 2e9)}.${Math.floor(rnd() * 1000)}:${Math.floor(rnd() * 10)})`);
    case 8: return line + ' ' + line;
    case 9: return line.replace(/argc=\d+/, `argc=${Math.floor(rnd() * 1e9)}`).replace(/a(\d)=/, 'a$1_len=7 a$1[0]=');
    case 10: return Array.from({ length: Math.floor(rnd() * 40) }, () => String.fromCharCode(Math.floor(rnd() * 0x3000))).join('');
    default: return `${line.slice(0, pos)}${hexOf(line.slice(pos, pos + 5))}${line.slice(pos + 5)}`;
  }
}

/** One fuzz input: a few events' lines, possibly mutated and reordered. */
export function fuzzInput(rnd: () => number): string[] {
  const mode = rnd();
  if (mode < 0.15) return generateAuditdLog(1 + Math.floor(rnd() * 6), Math.floor(rnd() * 1e9), rnd());
  const lines: string[] = [];
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    lines.push(...generateEvent(rnd, Math.floor(rnd() * 50), 1763830000 + Math.floor(rnd() * 6), Math.floor(rnd() * 1000)));
  }
  const muts = 1 + Math.floor(rnd() * 4);
  for (let m = 0; m < muts && lines.length; m++) {
    const i = Math.floor(rnd() * lines.length);
    const r = rnd();
    if (r < 0.7) lines[i] = mutateLine(lines[i], rnd);
    else if (r < 0.8) lines.splice(i, 1);
    else if (r < 0.9) lines.splice(i, 0, lines[Math.floor(rnd() * lines.length)]);
    else {
      const j = Math.floor(rnd() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
  }
  return lines;
}

/** Feeds one input to a fresh decoder; returns a problem description, or undefined when all is well. */
export function checkInput(lines: readonly string[], report?: FuzzReport): string | undefined {
  const dec = new AuditdDecoder({ keepOriginal: true, maxOpenEvents: 64 });
  const emitted = [];
  for (let i = 0; i < lines.length; i++) {
    try {
      emitted.push(...dec.push(lines[i], { line: i + 1, offset: 0 }));
    } catch (err) {
      if (!(err instanceof FormatError)) return `line ${i + 1}: threw ${(err as Error)?.stack ?? String(err)}`;
      if (report) report.rejected++;
    }
  }
  try {
    emitted.push(...dec.flush());
  } catch (err) {
    return `flush threw ${(err as Error)?.stack ?? String(err)}`;
  }
  if (dec.pendingSince() !== undefined) return 'events still open after flush()';
  for (const d of emitted) {
    const problems = validateEvent(JSON.parse(JSON.stringify(d.event)));
    if (problems.length) return `invalid ECS: ${problems.map((p) => `${p.path} ${p.reason}`).join('; ')}`;
    if (typeof d.event.message !== 'string') return 'event without message';
  }
  if (report) {
    report.events += emitted.length;
    report.lines += lines.length;
  }
  return undefined;
}

/** Runs `runs` generated/mutated inputs (≥ 100,000 for the large-scale run). */
export function fuzzAuditd(runs: number, seed = 20251122): FuzzReport {
  const rnd = prng(seed);
  const report: FuzzReport = { runs, lines: 0, rejected: 0, events: 0, slowestMs: 0, failures: [] };
  for (let r = 0; r < runs; r++) {
    const input = fuzzInput(rnd);
    const t0 = performance.now();
    const problem = checkInput(input, report);
    const ms = performance.now() - t0;
    if (ms > report.slowestMs) report.slowestMs = ms;
    if (ms > 1000 && !problem) report.failures.push({ input, problem: `slow: ${Math.round(ms)} ms` });
    if (problem && report.failures.length < 20) report.failures.push({ input, problem });
  }
  return report;
}

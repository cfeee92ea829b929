/**
 * Dry-run engine behind `vigil policy check`: per-event decision records (ndjson
 * output) and a per-rule summary (table output). Pure: the caller reads files.
 */
import { applyDecision } from './apply.js';
import { attributesFromEvent } from './attributes.js';
import { evaluate, type CompiledPolicy } from './evaluate.js';
import type { AuditEvent, Level, RequestAttributes, Stage } from './types.js';

/** One ndjson output record; key order is part of the format. */
export interface CheckRecord {
  auditID: string | null;
  stage: string | null;
  level: Level;
  omitStages: Stage[];
  rule: number | null;
}

export interface RuleStats {
  /** 1-based rule index; null for "no rule matched" (level None). */
  rule: number | null;
  level: Level;
  file?: string;
  line?: number;
  hits: number;
  kept: number;
  dropped: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface InvalidInput {
  /** 1-based position in the input (the line number for ndjson lines). */
  index: number;
  reason: string;
}

export interface CheckSummary {
  rules: RuleStats[];
  noMatch: RuleStats;
  totals: {
    events: number;
    kept: number;
    dropped: number;
    /** Dropped because the decided level is None. */
    droppedByLevel: number;
    /** Dropped because the event's stage is in omitStages. */
    droppedByStage: number;
    bytesBefore: number;
    bytesAfter: number;
  };
  /** 1-based indexes of the rules no event matched, ascending. */
  unmatchedRules: number[];
  invalid: InvalidInput[];
}

/** Serialise a record exactly as `{"auditID":…,"stage":…,"level":…,"omitStages":[…],"rule":…}`. */
export function formatCheckRecord(r: CheckRecord): string {
  return JSON.stringify({ auditID: r.auditID, stage: r.stage, level: r.level, omitStages: r.omitStages, rule: r.rule });
}

const byteLength = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Incremental checker: feed inputs with `add` (a raw JSON line or a parsed value;
 * an EventList expands to its items), read `summary()` at the end.
 */
export class PolicyChecker {
  private readonly stats: RuleStats[];
  private readonly noMatch: RuleStats = newStats(null, 'None');
  private readonly invalid: InvalidInput[] = [];
  private readonly attrs: RequestAttributes = attributesFromEvent(undefined);
  private position = 0;
  private droppedByLevel = 0;
  private droppedByStage = 0;

  constructor(private readonly policy: CompiledPolicy) {
    this.stats = policy.rules.map((r) => {
      const s = newStats(r.index, r.level);
      if (r.file !== undefined) s.file = r.file;
      if (r.line !== undefined) s.line = r.line;
      return s;
    });
  }

  /** Check one input item; returns a record per event it holds (0 for blank/invalid input). */
  add(input: unknown): CheckRecord[] {
    const index = ++this.position;
    let value = input;
    if (typeof input === 'string') {
      if (input.trim() === '') return [];
      try {
        value = JSON.parse(input);
      } catch (err) {
        this.invalid.push({ index, reason: `invalid JSON: ${(err as Error).message}` });
        return [];
      }
    }
    if (!isObject(value)) {
      this.invalid.push({ index, reason: 'not a JSON object (an audit Event or EventList)' });
      return [];
    }
    if (value.kind === 'EventList') {
      if (!Array.isArray(value.items)) {
        this.invalid.push({ index, reason: 'EventList without an items list' });
        return [];
      }
      const out: CheckRecord[] = [];
      value.items.forEach((item, i) => {
        if (isObject(item)) out.push(this.check(item as AuditEvent));
        else this.invalid.push({ index, reason: `EventList item ${i} is not an object` });
      });
      return out;
    }
    return [this.check(value as AuditEvent)];
  }

  private check(event: AuditEvent): CheckRecord {
    const decision = evaluate(this.policy, attributesFromEvent(event, this.attrs));
    const applied = applyDecision(event, decision);
    const s = decision.rule === null ? this.noMatch : this.stats[decision.rule - 1];
    const before = byteLength(event);
    s.hits++;
    s.bytesBefore += before;
    if (applied.event === null) {
      s.dropped++;
      if (applied.dropped === 'stage') this.droppedByStage++;
      else this.droppedByLevel++;
    } else {
      s.kept++;
      s.bytesAfter += byteLength(applied.event);
    }
    return {
      auditID: typeof event.auditID === 'string' ? event.auditID : null,
      stage: typeof event.stage === 'string' ? event.stage : null,
      level: decision.level,
      omitStages: [...decision.omitStages],
      rule: decision.rule,
    };
  }

  summary(): CheckSummary {
    const all = [...this.stats, this.noMatch];
    const sum = (f: (s: RuleStats) => number): number => all.reduce((n, s) => n + f(s), 0);
    return {
      rules: this.stats.map((s) => ({ ...s })),
      noMatch: { ...this.noMatch },
      totals: {
        events: sum((s) => s.hits),
        kept: sum((s) => s.kept),
        dropped: sum((s) => s.dropped),
        droppedByLevel: this.droppedByLevel,
        droppedByStage: this.droppedByStage,
        bytesBefore: sum((s) => s.bytesBefore),
        bytesAfter: sum((s) => s.bytesAfter),
      },
      unmatchedRules: this.stats.filter((s) => s.hits === 0).map((s) => s.rule as number),
      invalid: [...this.invalid],
    };
  }
}

function newStats(rule: number | null, level: Level): RuleStats {
  return { rule, level, hits: 0, kept: 0, dropped: 0, bytesBefore: 0, bytesAfter: 0 };
}

/**
 * Check every event of the input: an EventList object, an iterable of raw JSON
 * lines / parsed values (each may itself be an EventList), or a file's whole text
 * (see inputsFromText). Records come in input order.
 */
export function checkEvents(
  policy: CompiledPolicy,
  input: string | Iterable<unknown> | { kind: 'EventList'; items: unknown[] },
): { records: CheckRecord[]; summary: CheckSummary } {
  const checker = new PolicyChecker(policy);
  const records: CheckRecord[] = [];
  const items: Iterable<unknown> =
    typeof input === 'string'
      ? inputsFromText(input)
      : Symbol.iterator in Object(input)
        ? (input as Iterable<unknown>)
        : [input];
  for (const item of items) for (const r of checker.add(item)) records.push(r);
  return { records, summary: checker.summary() };
}

/**
 * Split a file's text into check inputs: a whole-document JSON value (e.g. a
 * pretty-printed EventList or Event) is one input, a JSON array one input per
 * element, otherwise one input per line (ndjson; blank lines keep their numbers).
 */
export function inputsFromText(text: string): unknown[] {
  const trimmed = text.trim();
  if ((trimmed.startsWith('{') && trimmed.includes('\n')) || trimmed.startsWith('[')) {
    try {
      const doc: unknown = JSON.parse(trimmed);
      return Array.isArray(doc) ? doc : [doc];
    } catch {
      // not one document: fall through to ndjson
    }
  }
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Render the summary as aligned columns. */
export function formatTable(summary: CheckSummary): string {
  const header = ['RULE', 'SOURCE', 'LEVEL', 'HITS', 'KEPT', 'DROPPED', 'BYTES BEFORE', 'BYTES AFTER'];
  const numeric = [false, false, false, true, true, true, true, true];
  const row = (s: RuleStats, label: string, source?: string): string[] => [
    label,
    source ?? (s.file !== undefined ? `${s.file}${s.line !== undefined ? `:${s.line}` : ''}` : ''),
    s.level,
    String(s.hits),
    String(s.kept),
    String(s.dropped),
    String(s.bytesBefore),
    String(s.bytesAfter),
  ];
  const t = summary.totals;
  const rows = [
    header,
    ...summary.rules.map((s) => row(s, String(s.rule))),
    row(summary.noMatch, '-', '(no rule matched)'),
    ['TOTAL', '', '', String(t.events), String(t.kept), String(t.dropped), String(t.bytesBefore), String(t.bytesAfter)],
  ];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
  const saved = t.bytesBefore === 0 ? 0 : Math.round((1 - t.bytesAfter / t.bytesBefore) * 1000) / 10;
  lines.push('');
  lines.push(`Events: ${t.events} (kept ${t.kept}, dropped ${t.dropped}: ${t.droppedByLevel} by level None, ${t.droppedByStage} by omitStages); bytes ${t.bytesBefore} -> ${t.bytesAfter} (${saved}% less)`);
  lines.push(`Rules never matched: ${summary.unmatchedRules.length === 0 ? 'none' : summary.unmatchedRules.join(', ')}`);
  if (summary.invalid.length > 0) {
    lines.push(`Invalid input: ${summary.invalid.length}`);
    for (const inv of summary.invalid) lines.push(`  #${inv.index}: ${inv.reason}`);
  }
  return lines.join('\n') + '\n';
}

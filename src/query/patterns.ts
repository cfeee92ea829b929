/**
 * A small pattern miner for GET /loki/api/v1/patterns, in the spirit of
 * Loki's Drain: UUIDs, timestamps, IPs, long hex and numbers are masked as
 * `<_>`, the line is split into words and separators, and lines of the same
 * level and shape whose words agree at least half the time share a pattern,
 * the words that differ becoming `<_>`. Matches are counted per step.
 */
import type { Store } from '../store/store.js';
import { selection, type Window } from './drilldown.js';

const VAR = '<_>';
const MASKS: RegExp[] = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
  /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g,
  /\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g,
  /\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b/gi,
  /\b\d+(\.\d+)?\b/g,
];
const SEPARATOR = /^(\s+|[{}[\],:="'])$/;
const SIMILARITY = 0.5;

/** The line's tokens, masked: words and the separators between them (joined back they give the line). */
export function tokenize(line: string): string[] {
  const masked = MASKS.reduce((s, re) => s.replace(re, VAR), line);
  return masked.split(/(\s+|[{}[\],:="'])/).filter((t) => t !== '');
}

interface Cluster {
  tokens: string[];
  level: string;
  counts: Map<bigint, number>;
  total: number;
}

/** Whether the line fits the cluster (same separators, half the words equal or `<_>`); merges it when it does. */
function absorb(c: Cluster, tokens: string[]): boolean {
  let words = 0;
  let same = 0;
  for (let i = 0; i < tokens.length; i++) {
    const a = c.tokens[i];
    const b = tokens[i];
    if (SEPARATOR.test(a) || SEPARATOR.test(b)) {
      if (a !== b) return false;
      continue;
    }
    words++;
    if (a === b || a === VAR) same++;
  }
  if (words && same / words < SIMILARITY) return false;
  c.tokens = c.tokens.map((t, i) => (t === tokens[i] ? t : VAR));
  return true;
}

export interface PatternsRequest extends Window {
  stepNs: bigint;
}

export interface PatternSeries {
  pattern: string;
  level: string;
  /** [step start (ns), lines], oldest first. */
  samples: [bigint, number][];
}

/** The patterns of the matched lines with their counts per step, most frequent first. */
export async function patterns(store: Store, r: PatternsRequest): Promise<PatternSeries[]> {
  const groups = new Map<string, Cluster[]>();
  const all: Cluster[] = [];
  for await (const e of selection(store, r)) {
    const tokens = tokenize(e.line);
    const level = e.labels.get('detected_level') || e.labels.get('level') || 'unknown';
    const key = `${level}\u0000${tokens.length}`;
    const group = groups.get(key) ?? [];
    groups.set(key, group);
    let c = group.find((g) => absorb(g, tokens));
    if (!c) {
      c = { tokens, level, counts: new Map(), total: 0 };
      group.push(c);
      all.push(c);
    }
    const at = e.ts - (((e.ts % r.stepNs) + r.stepNs) % r.stepNs);
    c.counts.set(at, (c.counts.get(at) ?? 0) + 1);
    c.total++;
  }
  return all
    .sort((a, b) => b.total - a.total)
    .map((c) => ({ pattern: c.tokens.join(''), level: c.level, samples: [...c.counts].sort(([a], [b]) => (a < b ? -1 : 1)) }));
}

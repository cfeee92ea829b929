/** Executes a log query plan: the store scans, TypeScript runs the rest line by line, stopping at the limit. */
import { QueryBudget } from '../budget.js';
import type { Entry } from '../pipeline/pipeline.js';
import { compilePipeline } from '../pipeline/pipeline.js';
import type { LogPlan } from '../plan/plan.js';
import type { SqlReader } from '../sql/dialect.js';
import { renderScan } from '../sql/render.js';
import { rowReader } from './source.js';

export type ResultEntry = Entry & { seq: number; doc: string };

export interface ScanStats {
  /** Rows the store returned. */
  scanned: number;
  bytes: number;
}

/**
 * Streams the entries of a plan's scan through its residual pipeline (no
 * limit applied), yielding to the event loop as the budget says and stopping
 * the store's scan when the budget's deadline passes.
 */
export async function* scanEntries(reader: SqlReader, plan: LogPlan, stats: ScanStats = { scanned: 0, bytes: 0 }, budget = new QueryBudget()): AsyncGenerator<ResultEntry> {
  const { sql, params } = renderScan(reader.dialect, reader.catalog, plan.scan);
  const rows = rowReader(reader.catalog, plan.view);
  const pipeline = compilePipeline(plan.residual);
  for await (const chunk of reader.select(sql, params, budget.signal)) {
    for (const row of chunk) {
      if (budget.tick()) await budget.pause();
      const e = rows.entry(row);
      stats.scanned++;
      stats.bytes += e.line.length;
      if (pipeline(e)) yield e;
    }
  }
}

/** The first `plan.limit` entries in the plan's direction (each held entry counts against the budget). */
export async function runLogPlan(reader: SqlReader, plan: LogPlan, stats?: ScanStats, budget = new QueryBudget()): Promise<ResultEntry[]> {
  const out: ResultEntry[] = [];
  if (plan.limit <= 0) return out;
  for await (const e of scanEntries(reader, plan, stats, budget)) {
    budget.hold(1);
    out.push(e);
    if (out.length >= plan.limit) break;
  }
  return out;
}

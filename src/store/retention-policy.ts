/**
 * The `retention` setting and its schedule: a store that keeps events for a
 * limited time prunes once at start and then hourly (see the engines' retention.ts
 * for how pruning keeps proofs and verification working).
 */
import type { Config } from '../config/load.js';
import { nowNs, parseDurationNs } from '../model/time.js';
import type { AuditStore } from './audit-store.js';
import type { RetentionRules } from './retention.js';

/** How often a store with a retention limit looks for expired events. */
export const RETENTION_INTERVAL_MS = 3_600_000;

function age(text: string): bigint | undefined {
  if (text === 'forever') return undefined;
  const ns = parseDurationNs(text);
  if (ns === undefined || ns <= 0n) throw new Error(`retention: not a duration: ${JSON.stringify(text)}`);
  return ns;
}

/** The rules of a `retention` setting (`400d`, or `{default, datasets}`); undefined when everything is kept. */
export function retentionRules(setting: Config['retention']): RetentionRules | undefined {
  const { default: fallback, datasets = {} } = typeof setting === 'string' ? { default: setting } : setting;
  const rules: RetentionRules = {
    maxAgeNs: age(fallback ?? 'forever'),
    datasets: new Map(Object.entries(datasets).map(([d, t]) => [d, age(t)])),
    text: { default: fallback ?? 'forever', ...datasets },
  };
  const prunes = rules.maxAgeNs !== undefined || [...rules.datasets.values()].some((a) => a !== undefined);
  return prunes ? rules : undefined;
}

/**
 * Prunes now and every hour while the store is open; returns a stop function
 * that waits for a run in progress. Failures are reported through `onError`.
 */
export function startRetention(
  store: AuditStore,
  config: Config,
  onError: (err: Error) => void = (err) => process.emitWarning(`retention failed: ${err.message}`),
): () => Promise<void> {
  const rules = retentionRules(config.retention);
  if (!rules || !store.sealing) return async () => undefined;
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(() => store.prune(rules, nowNs())).catch(onError);
  };
  run();
  const timer = setInterval(run, RETENTION_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * LogQL benchmark: N stored events (1,000,000 unless BENCH_EVENTS says
 * otherwise) spread over the last 24 h, appended straight into a DuckDB store
 * in batches (no HTTP, no sealing: this measures queries). Then
 *  - a selective log query, `{category="auth"} |= "alice"` limit 100 (p50 of
 *    several runs), through Vigil's own path (ECS line) and the Loki API's
 *    (original line), next to `grep -c alice` and a `jq` doing the same
 *    selection over the same events as NDJSON;
 *  - a metric query, `sum by (action) (count_over_time({dataset="app"}[5m]))`
 *    over the 24 h at step 5m, next to `grep -c` and `jq` computing the same
 *    per-action 5-minute counts.
 * The events use `auth` as a category value literally, as the query does.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../model/event.js';
import { docOf, ingestedAt, prepareEvent } from '../model/prepare.js';
import { formatNs, nowNs } from '../model/time.js';
import { execute, runQuery } from '../query/engine.js';
import { alignToStep } from '../query/loki-params.js';
import { openTestStore } from '../testing/store.js';
import { tempDir } from '../testing/events.js';
import { printFigure } from './report.js';

const DATASETS = ['app', 'k8s', 'auditd'];
const ACTIONS = ['sign-in', 'sign-out', 'user-create', 'read', 'write', 'delete'];
const CATEGORIES = [['auth'], ['auth'], ['iam'], ['file'], ['file'], ['file']];

function benchEvent(i: number, tsNs: bigint): AuditEvent {
  const k = (i * 7) % ACTIONS.length;
  const user = i % 50 === 0 ? 'alice' : `user${i % 97}`;
  return {
    '@timestamp': formatNs(tsNs, 9),
    event: { action: ACTIONS[k], category: CATEGORIES[k], outcome: i % 7 === 0 ? 'failure' : 'success', dataset: DATASETS[i % 3], module: 'bench' },
    user: { name: user, email: `${user}@example.com` },
    source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    host: { name: `node-${i % 5}` },
    message: `${user} ${ACTIONS[k]} request ${i}`,
  } as AuditEvent;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeRuns(n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Wall time of a shell pipeline in ms, or undefined when it fails (tool missing). */
function shell(cmd: string): { ms: number; out: string } | undefined {
  const t = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  return r.status === 0 ? { ms, out: r.stdout.trim() } : undefined;
}

const hasJq = () => spawnSync('sh', ['-c', 'command -v jq'], { encoding: 'utf8' }).status === 0;

export async function benchLogql(events: number): Promise<void> {
  const dir = tempDir('vigil-bench-logql-');
  const ndjson = join(dir, 'events.ndjson');
  const store = await openTestStore(dir, {}, { 'integrity.sealing': false, 'store.checkpoint_threshold': '1GB' });
  const end = nowNs();
  const start = end - 86_400_000_000_000n;
  const spacing = 86_400_000_000_000n / BigInt(events);
  const ingested = ingestedAt(end);
  const file = createWriteStream(ndjson);
  const loadStart = performance.now();
  const BATCH = 20_000;
  for (let from = 0; from < events; from += BATCH) {
    const batch = [];
    const lines: string[] = [];
    for (let i = from; i < Math.min(events, from + BATCH); i++) {
      const p = prepareEvent(benchEvent(i, start + BigInt(i) * spacing), ingested);
      batch.push(p);
      lines.push(docOf(p));
    }
    await store.append([{ events: batch }]);
    if (!file.write(`${lines.join('\n')}\n`)) await new Promise((r) => file.once('drain', () => r(undefined)));
  }
  await new Promise<void>((r) => file.end(() => r()));
  const loadSeconds = (performance.now() - loadStart) / 1000;
  process.stdout.write(`logql: ${events.toLocaleString('en-US')} events over 24 h stored in ${loadSeconds.toFixed(1)} s (direct appends, batches of ${BATCH}, unsealed)\n`);

  // Log query.
  const logQuery = '{category="auth"} |= "alice"';
  const from = formatNs(start, 9);
  const to = formatNs(end + 1n, 9);
  let returned = 0;
  const ecsMs = await timeRuns(7, async () => {
    returned = (await runQuery(store, { query: logQuery, from, to, limit: 100 })).length;
  });
  const lokiMs = await timeRuns(7, () => execute(store, { query: logQuery, startNs: start, endNs: end + 1n, limit: 100, direction: 'backward', view: 'original' }));
  const grep = shell(`grep -c alice ${ndjson}`);
  const jq = hasJq()
    ? shell(`jq -c 'select((.event.category | index("auth")) and (tostring | contains("alice")))' ${ndjson} | tail -n 100 | wc -l`)
    : undefined;
  process.stdout.write(`  ${logQuery} limit 100: ${returned} returned; grep -c alice: ${grep?.out ?? '?'} lines${jq ? '' : '; jq not installed (apt-get install jq): jq baseline skipped'}\n`);
  const base = jq ? { name: 'jq', value: jq.ms } : grep ? { name: 'grep -c', value: grep.ms } : undefined;
  printFigure({ name: 'log query p50 (vigil query, ECS line)', value: ecsMs, unit: 'ms', baseline: base, target: { max: 100 } });
  printFigure({ name: 'log query p50 (Loki API, original line)', value: lokiMs, unit: 'ms', baseline: base, target: { max: 100 } });
  if (grep) printFigure({ name: 'grep -c alice (same NDJSON)', value: grep.ms, unit: 'ms' });
  if (jq) printFigure({ name: 'log query speed-up over jq', value: jq.ms / ecsMs, unit: '×', target: { min: 20 } });

  // Metric query.
  const metricQuery = 'sum by (action) (count_over_time({dataset="app"}[5m]))';
  const stepNs = 300_000_000_000n;
  const aligned = alignToStep(start, end, stepNs);
  let points = 0;
  const metricMs = await timeRuns(5, async () => {
    const r = await execute(store, { query: metricQuery, ...aligned, stepNs, limit: 100, direction: 'forward', view: 'ecs' });
    points = r.type === 'matrix' ? r.series.reduce((n, s) => n + s.points.length, 0) : 0;
  });
  const grepApp = shell(`grep -c '"dataset":"app"' ${ndjson}`);
  const jqMetric = hasJq()
    ? shell(`jq -r 'select(.event.dataset == "app") | "\\(.event.action) \\((.["@timestamp"][0:19] + "Z" | fromdate) / 300 | floor)"' ${ndjson} | sort | uniq -c | wc -l`)
    : undefined;
  process.stdout.write(`  ${metricQuery}, 24 h step 5m: ${points} points; jq buckets: ${jqMetric?.out ?? 'skipped'}\n`);
  const mbase = jqMetric ? { name: 'jq', value: jqMetric.ms } : grepApp ? { name: 'grep -c', value: grepApp.ms } : undefined;
  printFigure({ name: 'metric query (24 h, step 5m)', value: metricMs, unit: 'ms', baseline: mbase, target: { max: 500 } });
  if (grepApp) printFigure({ name: 'grep -c dataset app (same NDJSON)', value: grepApp.ms, unit: 'ms' });

  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

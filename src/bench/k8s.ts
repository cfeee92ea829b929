/**
 * Kubernetes benchmarks: policy decisions/s against the 17-rule default policy
 * of seed 002 (one core), and webhook ingest of EventLists of 400 events (the
 * API server's default batch) end to end through that policy.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEvents, benchPolicy } from './k8s-policy/throughput.js';
import { GIANTSWARM_POLICY_YAML } from '../policy/k8s/giantswarm-policy.js';
import { tempDir } from '../testing/events.js';
import { printFigure } from './report.js';
import { cpuLine, parseLine, startBenchServer, warmThenTimed, warmupEvents } from './server-process.js';

const BATCH = 400;
/**
 * Concurrent senders, each posting its next batch once the last is answered.
 * The API server throttles its webhook batches to 10 a second (4,000 events)
 * by default and sends them asynchronously, so 20,000 events/s come from at
 * least five API servers, each with a batch or more in flight: the target is
 * judged at 8. The figure at 4, what earlier runs measured, follows it.
 */
const SENDERS = [8, 4];

/** Audit events [first, first + count) as EventLists of BATCH, each request kind in turn. */
function eventLists(first: number, count: number): Buffer[] {
  const kinds = benchEvents();
  const now = Date.now() - 3_600_000;
  const lists: Buffer[] = [];
  for (let from = first; from < first + count; from += BATCH) {
    const items = [];
    for (let i = from; i < Math.min(first + count, from + BATCH); i++) {
      const t = new Date(now + i).toISOString().replace('Z', '123Z');
      items.push({ ...kinds[i % kinds.length], auditID: `bench-${i}`, requestReceivedTimestamp: t, stageTimestamp: t, sourceIPs: [`10.0.${(i >> 8) & 255}.${i & 255}`] });
    }
    lists.push(Buffer.from(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items })));
  }
  return lists;
}

export async function benchK8s(events: number): Promise<void> {
  const policy = benchPolicy();
  process.stdout.write(`kubernetes: policy = seed 002 default policy (17 rules), ${policy.distinctEvents} kinds of request\n`);
  printFigure({ name: 'policy decisions', value: policy.decisionsPerSec, unit: 'decisions/s', target: { min: 1_000_000 } });
  printFigure({ name: 'policy decisions incl. attribute extraction', value: policy.eventsPerSec, unit: 'events/s' });

  const warmup = warmupEvents(events);
  const warm = eventLists(events, warmup);
  const lists = eventLists(0, events);
  const bytes = lists.reduce((n, b) => n + b.length, 0);
  const policyFile = join(tempDir('vigil-bench-policy-'), 'policy.yaml');
  writeFileSync(policyFile, GIANTSWARM_POLICY_YAML);
  for (const senders of SENDERS) {
    const server = await startBenchServer(['--kubernetes-policy', policyFile]);
    const timed = await warmThenTimed(server, '/api/v1/k8s/audit', 'application/json', senders, warm, lists, events, true);
    const { coldSeconds, seconds, parseRate } = timed;
    process.stdout.write(
      `webhook: ${events.toLocaleString('en-US')} events in EventLists of ${BATCH} (${(bytes / events).toFixed(0)} B avg), ${senders} concurrent senders, ` +
        `after ${warmup.toLocaleString('en-US')} warm-up events; ${parseLine(timed)}\n${cpuLine(timed, events)}\n`,
    );
    const target = senders === SENDERS[0] ? { min: 20_000 } : undefined;
    printFigure({ name: `webhook ingest incl. policy, ${senders} senders`, value: events / seconds, unit: 'ev/s', baseline: { name: 'JSON.parse', value: parseRate }, target });
    if (warmup > 0) printFigure({ name: `webhook ingest, warm-up (fresh server), ${senders} senders`, value: warmup / coldSeconds, unit: 'ev/s' });
  }
}

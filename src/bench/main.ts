/** `npm run bench [ingest|k8s|formats|logql|integrity]`: each figure next to a baseline measured in the same run. */
import { benchFormatsAll } from './formats.js';
import { benchIngest } from './ingest.js';
import { benchIntegrity } from './integrity.js';
import { benchK8s } from './k8s.js';
import { benchLogql } from './logql.js';

const only = process.argv[2];
const events = Number(process.env.BENCH_EVENTS ?? 500_000);

if (!only || only === 'ingest') {
  for (const batch of [1000, 10000]) await benchIngest({ events, batch, clients: 4, judged: true });
  // With more senders the pipeline is bound by CPU rather than by each batch's latency.
  await benchIngest({ events, batch: 1000, clients: 8, judged: false });
}
if (!only || only === 'k8s') await benchK8s(Math.min(events, 200_000));
if (!only || only === 'formats') benchFormatsAll(Math.min(events, 50_000));
// Tamper evidence on 1,000,000 stored events unless BENCH_EVENTS says otherwise.
if (!only || only === 'integrity') await benchIntegrity(process.env.BENCH_EVENTS ? events : 1_000_000);
// LogQL queries on 1,000,000 stored events unless BENCH_EVENTS says otherwise.
if (!only || only === 'logql') await benchLogql(process.env.BENCH_EVENTS ? events : 1_000_000);

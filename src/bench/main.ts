/** `npm run bench [ingest|k8s|formats|logql|integrity|query-load]`: each figure next to a baseline measured in the same run. */
import { benchFormatsAll } from './formats.js';
import { benchIngest } from './ingest.js';
import { benchIntegrity } from './integrity.js';
import { benchK8s } from './k8s.js';
import { benchLogql } from './logql.js';
import { benchQueryLoad } from './query-load.js';

const only = process.argv[2];
const events = Number(process.env.BENCH_EVENTS ?? 500_000);

if (!only || only === 'ingest') {
  // The 25 % target is judged where the pipeline is bound by CPU: batches of 10,000, and batches
  // of 1,000 from 8 senders. With 4 senders of 1,000 it waits on each batch's commit (no target).
  await benchIngest({ events, batch: 1000, clients: 4, judged: false });
  await benchIngest({ events, batch: 10000, clients: 4, judged: true });
  await benchIngest({ events, batch: 1000, clients: 8, judged: true });
}
if (!only || only === 'k8s') await benchK8s(Math.min(events, 200_000));
if (!only || only === 'formats') benchFormatsAll(Math.min(events, 50_000));
// Tamper evidence on 1,000,000 stored events unless BENCH_EVENTS says otherwise.
if (!only || only === 'integrity') await benchIntegrity(process.env.BENCH_EVENTS ? events : 1_000_000);
// LogQL queries on 1,000,000 stored events unless BENCH_EVENTS says otherwise.
if (!only || only === 'logql') await benchLogql(process.env.BENCH_EVENTS ? events : 1_000_000);
// Ingest acknowledgements while 50 heavy queries run, on 200,000 stored events unless BENCH_EVENTS says otherwise.
if (!only || only === 'query-load') await benchQueryLoad(process.env.BENCH_EVENTS ? events : 200_000);

/** `npm run bench`: every benchmark, each figure next to a baseline measured in the same run. */
import { benchIngest } from './ingest.js';

const only = process.argv[2];
const events = Number(process.env.BENCH_EVENTS ?? 500_000);

if (!only || only === 'ingest') {
  for (const batch of [1000, 10000]) await benchIngest({ events, batch, clients: 4 });
}

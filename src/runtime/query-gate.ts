/** The query gate `query:` configures (server routes and local CLI queries alike). */
import type { Config } from '../config/load.js';
import { durationMs } from '../integrity/signing/index.js';
import { QueryGate } from '../query/gate.js';

export function queryGate(config: Config): QueryGate {
  const q = config.query;
  return new QueryGate({
    maxConcurrent: q.max_concurrent,
    maxWaitMs: durationMs(q.max_queue_wait),
    timeoutMs: durationMs(q.timeout),
    maxSamples: q.max_samples,
  });
}

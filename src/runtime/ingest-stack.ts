/** The ingest side of the composition root: decoding pool → ingest service → group committer → store. */
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import { DeadLetter } from '../ingest/dead-letter.js';
import { GroupCommitter } from '../ingest/group-commit.js';
import { PreparePool } from '../ingest/prepare-pool.js';
import { IngestService } from '../ingest/service.js';
import { durationMs } from '../integrity/signing/index.js';
import { resolveCategories } from '../policy/categories.js';
import type { CompiledPolicy } from '../policy/k8s/index.js';
import type { AuditStore } from '../store/index.js';
import type { Metrics } from '../telemetry/metrics.js';

/**
 * The ingest service over a store. `decodeThreads` starts that many decoding
 * threads (the server's long-running ingest); short CLI runs decode inline.
 */
export function ingestStack(config: Config, store: AuditStore, metrics?: Metrics, k8sPolicy?: CompiledPolicy, decodeThreads = 0) {
  const excludedCategories = resolveCategories(config.exclude_categories);
  const pool = PreparePool.start(
    {
      maxRecordBytes: config.ingest.max_record_bytes,
      keepOriginal: config.ingest.keep_original,
      excludedCategories: [...excludedCategories],
      sealing: store.sealing,
      k8sPolicyFiles: config.kubernetes.policy,
      maxQueuedBytes: config.ingest.max_queued_bytes,
      nice: config.ingest.decode_nice,
    },
    decodeThreads,
  );
  const committer = new GroupCommitter(
    store,
    { maxBatchEvents: config.ingest.max_batch_events, maxQueuedBytes: config.ingest.max_queued_bytes, maxWaitMs: durationMs(config.ingest.commit_wait) },
    metrics,
  );
  const ingest = new IngestService(
    committer,
    (key) => store.lookupIdempotency(key),
    new DeadLetter(join(config.data_dir, 'rejected')),
    {
      maxRecordBytes: config.ingest.max_record_bytes,
      keepOriginal: config.ingest.keep_original,
      excludedCategories,
      k8sPolicy,
    },
    metrics,
    pool,
  );
  return { committer, ingest, pool };
}

/**
 * A decoding thread of PreparePool: decodes a request body, then prepares
 * its records (prepare-records.ts) and sends the encoded events back, moving
 * their buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { transferList } from '../model/encoded.js';
import { loadPolicies } from '../policy/k8s/index.js';
import { bodyDigest } from './body-digest.js';
import { decodeKind } from './decode-kind.js';
import { IngestError } from './errors.js';
import type { PrepareReply, PrepareRequest, PrepareWorkerConfig } from './prepare-pool.js';
import { prepareRecords } from './prepare-records.js';
import { lowerThreadPriority } from './thread-priority.js';

const config = workerData as PrepareWorkerConfig;
if (config.nice) lowerThreadPriority(config.nice);
const policy = config.k8sPolicyFiles.length ? await loadPolicies(config.k8sPolicyFiles) : undefined;
const excludedCategories = new Set(config.excludedCategories);

parentPort!.on('message', async (m: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    const digest = m.digest ? bodyDigest(body) : undefined;
    const decoded = decodeKind(m.kind, body, { ...config, k8sPolicy: policy });
    const batch = await prepareRecords(decoded, m.opts, { excludedCategories, sealing: config.sealing, ingestedNs: m.ingestedNs });
    if (digest) batch.bodyDigest = digest;
    parentPort!.postMessage({ id: m.id, batch } satisfies PrepareReply, transferList(batch.events));
    return;
  } catch (err) {
    reply = { id: m.id, error: (err as Error).message, kind: err instanceof IngestError ? err.kind : undefined };
  }
  parentPort!.postMessage(reply);
});

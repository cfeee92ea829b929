/**
 * Worker thread of Sealer: extends the tree by a batch of canonical
 * documents, off the thread that builds the batch's data chunks.
 * In: the range's size and frontier, the documents. Out: the stored hashes
 * the batch adds and the new frontier.
 */
import { parentPort } from 'node:worker_threads';
import { CompactRange, HASH_SIZE, appendStored, hashLeafUtf8 } from '../../integrity/index.js';

interface SealRequest {
  id: number;
  size: number;
  frontier: Uint8Array;
  docs: string[];
}

parentPort!.on('message', (m: SealRequest) => {
  try {
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < m.frontier.length; i += HASH_SIZE) hashes.push(m.frontier.subarray(i, i + HASH_SIZE));
    const range = CompactRange.fromHashes(m.size, hashes);
    const leaves = new Array<Buffer>(m.docs.length);
    for (let i = 0; i < m.docs.length; i++) leaves[i] = hashLeafUtf8(m.docs[i]);
    const stored = new Uint8Array(appendStored(range, leaves));
    const frontier = new Uint8Array(Buffer.concat(range.hashes as Buffer[]));
    parentPort!.postMessage({ id: m.id, stored: stored.buffer, frontier: frontier.buffer }, [stored.buffer, frontier.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});

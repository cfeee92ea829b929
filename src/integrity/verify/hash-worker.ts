/** Worker thread of BlockHashPool: hashes blocks of stored events (see hash-block.ts). */
import { parentPort } from 'node:worker_threads';
import { hashBlock, type BlockResult } from './hash-block.js';

interface Message {
  id: number;
  buf: ArrayBuffer;
  start: number;
  size: number;
  rows: number;
  subtree: boolean;
  canonicalEvery: number;
}

parentPort!.on('message', (m: Message) => {
  let result: BlockResult;
  try {
    result = hashBlock({ buf: new Uint8Array(m.buf), start: m.start, size: m.size, rows: m.rows, subtree: m.subtree, canonicalEvery: m.canonicalEvery });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
    return;
  }
  const moved: ArrayBuffer[] = [];
  if (result.kind !== 'unframed') moved.push(result.hashes.buffer as ArrayBuffer);
  if (result.kind === 'leaves') moved.push(result.seqs.buffer as ArrayBuffer);
  parentPort!.postMessage({ id: m.id, result }, moved);
});

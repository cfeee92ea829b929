/** Worker thread of LeafHashPool: hashes blocks of newline-separated canonical JSON documents. */
import { parentPort } from 'node:worker_threads';
import { hashBlock } from './hash-lines.js';

parentPort!.on('message', (msg: { id: number; buf: ArrayBuffer; count: number; subtree: boolean }) => {
  try {
    const hashes = hashBlock(new Uint8Array(msg.buf), msg.count, msg.subtree);
    // Copy into an ArrayBuffer of its own (never a pooled slab) to move it back.
    const out = new Uint8Array(hashes.length);
    out.set(hashes);
    parentPort!.postMessage({ id: msg.id, hashes: out.buffer }, [out.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});

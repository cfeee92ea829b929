/**
 * Leaf hashing on every core: verify hands each block of documents to a
 * worker thread and gets the 32-byte leaf hashes back (buffers are moved, not
 * copied). Where the compiled worker is not available (tests run from
 * source) it hashes on the calling thread; the results are the same.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledWorker } from '../worker-file.js';
import { hashBlock } from './hash-lines.js';

interface Pending {
  resolve: (hashes: Buffer) => void;
  reject: (err: Error) => void;
}

export class LeafHashPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private turn = 0;

  constructor(threads = availableParallelism()) {
    const file = compiledWorker(new URL('./hash-worker.js', import.meta.url));
    if (!file || threads < 2) return;
    for (let i = 0; i < threads; i++) {
      const w = new Worker(file);
      w.on('message', (m: { id: number; hashes?: ArrayBuffer; error?: string }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined || !m.hashes) p?.reject(new Error(m.error));
        else p?.resolve(Buffer.from(m.hashes));
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  get threads(): number {
    return Math.max(1, this.workers.length);
  }

  /**
   * Hashes `count` newline-separated documents (see hashBlock): their leaf
   * hashes, or with `subtree` the block's perfect subtree in stored order.
   * `buf` is handed over: do not use it afterwards.
   */
  hashBlock(buf: Uint8Array, count: number, subtree = false): Promise<Buffer> {
    if (this.workers.length === 0) {
      try {
        return Promise.resolve(hashBlock(buf, count, subtree));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const id = this.nextId++;
    // A view into a larger (or shared) buffer is copied so that only its bytes move.
    const own = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf : new Uint8Array(buf);
    const w = this.workers[this.turn++ % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, buf: own.buffer, count, subtree }, [own.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

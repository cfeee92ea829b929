/**
 * Block hashing on every core: verify hands each block of stored events to
 * the worker thread with the least work queued and gets its leaf hashes (or
 * its subtree) back; buffers are moved, not copied. Where the compiled worker
 * is not available (tests run from source), or one thread is asked for, it
 * hashes on the calling thread; the results are the same.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledWorker } from '../../worker-file.js';
import { hashBlock, type BlockJob, type BlockResult } from './hash-block.js';

interface Pending {
  resolve: (r: BlockResult) => void;
  reject: (err: Error) => void;
  worker: number;
}

export class BlockHashPool {
  private readonly workers: Worker[] = [];
  private readonly queued: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(threads = availableParallelism()) {
    const file = compiledWorker(new URL('./hash-worker.js', import.meta.url));
    if (!file || threads < 2) return;
    for (let i = 0; i < threads; i++) {
      const w = new Worker(file);
      w.on('message', (m: { id: number; result?: BlockResult; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.queued[p.worker]--;
        if (m.result) p.resolve(m.result);
        else p.reject(new Error(m.error));
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.workers.push(w);
      this.queued.push(0);
    }
  }

  get threads(): number {
    return Math.max(1, this.workers.length);
  }

  /** Hashes a block (see hashBlock). `job.buf` is handed over: do not use it afterwards. */
  hash(job: BlockJob): Promise<BlockResult> {
    if (this.workers.length === 0) {
      try {
        return Promise.resolve(hashBlock(job));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const id = this.nextId++;
    let worker = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.queued[i] < this.queued[worker]) worker = i;
    this.queued[worker]++;
    // Only a buffer of its own moves; a view into a larger one is copied first.
    const { buf } = job;
    const own = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf : new Uint8Array(buf);
    const result = new Promise<BlockResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      const msg = { id, buf: own.buffer, start: job.start, size: job.size, rows: job.rows, subtree: job.subtree, canonicalEvery: job.canonicalEvery };
      this.workers[worker].postMessage(msg, [own.buffer as ArrayBuffer]);
    });
    result.catch(() => undefined); // a block nobody awaits any more (the pass stopped earlier) must not fail the process
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

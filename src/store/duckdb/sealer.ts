/**
 * Sealing a batch: the leaf hash of every document, and the interior nodes
 * they complete, appended to a copy of the tree's compact range. Batches of
 * some size are hashed on a worker thread, so hashing overlaps with building
 * the batch's data chunks; small ones (a single access event) inline. Both
 * give the same bytes.
 */
import { Worker } from 'node:worker_threads';
import { CompactRange, HASH_SIZE, appendStored, hashLeafUtf8 } from '../../integrity/index.js';
import { compiledWorker } from '../../worker-file.js';

/** Batches smaller than this are sealed inline. */
export const WORKER_MIN_EVENTS = 256;

export interface Sealed {
  /** The stored hashes the batch adds (see src/integrity/stored.ts). */
  stored: Buffer;
  /** The range after the batch (the store's once the batch commits). */
  range: CompactRange;
}

/** Seals on the calling thread. */
export function sealInline(range: CompactRange, docs: readonly string[]): Sealed {
  const next = range.clone();
  const leaves = new Array<Buffer>(docs.length);
  for (let i = 0; i < docs.length; i++) leaves[i] = hashLeafUtf8(docs[i]);
  return { stored: appendStored(next, leaves), range: next };
}

interface Pending {
  size: number;
  resolve: (s: Sealed) => void;
  reject: (e: Error) => void;
}

export class Sealer {
  private worker: Worker | undefined;
  private readonly file = compiledWorker(new URL('./seal-worker.js', import.meta.url));
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  seal(range: CompactRange, docs: readonly string[]): Promise<Sealed> {
    if (docs.length < WORKER_MIN_EVENTS || !this.file) {
      try {
        return Promise.resolve(sealInline(range, docs));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const w = this.start();
    const id = this.nextId++;
    const size = range.size + docs.length;
    return new Promise<Sealed>((resolve, reject) => {
      this.pending.set(id, { size, resolve, reject });
      if (this.pending.size === 1) w.ref();
      w.postMessage({ id, size: range.size, frontier: Buffer.concat(range.hashes as Buffer[]), docs });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.file!);
    w.unref();
    w.on('message', (m: { id: number; stored?: ArrayBuffer; frontier?: ArrayBuffer; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (!p) return;
      if (m.error !== undefined || !m.stored || !m.frontier) return p.reject(new Error(`sealing failed: ${m.error}`));
      const frontier = Buffer.from(m.frontier);
      const hashes: Buffer[] = [];
      for (let i = 0; i < frontier.length; i += HASH_SIZE) hashes.push(frontier.subarray(i, i + HASH_SIZE));
      p.resolve({ stored: Buffer.from(m.stored), range: CompactRange.fromHashes(p.size, hashes) });
    });
    w.on('error', (err) => this.fail(err));
    w.on('exit', (code) => this.fail(new Error(`the sealing thread exited (${code})`)));
    this.worker = w;
    return w;
  }

  private fail(err: Error): void {
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }
}

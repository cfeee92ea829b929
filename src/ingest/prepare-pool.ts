/**
 * Decoding threads: request bodies are decoded, validated, completed and
 * encoded (prepare-records.ts) on worker threads, so the main thread is left
 * with HTTP, staging into the store and the group commit, and ingest uses
 * every core. Bodies go to the least busy worker; the encoded events come
 * back as moved buffers, not copies.
 */
import { Worker } from 'node:worker_threads';
import { compiledWorker } from '../worker-file.js';
import type { PreparedBatch, PrepareOptions } from './prepare-records.js';

/** What a worker needs to know, fixed for its life. */
export interface PrepareWorkerConfig {
  maxRecordBytes: number;
  keepOriginal: boolean;
  excludedCategories: string[];
  sealing: boolean;
  /** Kubernetes audit policy files (each worker compiles them itself). */
  k8sPolicyFiles: string[];
}

/** Body kinds a worker decodes: ECS NDJSON / JSON array, or a Kubernetes webhook EventList. */
export type BodyKind = 'ecs' | 'k8s-eventlist';

export interface PrepareRequest {
  id: number;
  kind: BodyKind;
  body: Uint8Array;
  opts: PrepareOptions;
  ingestedNs: bigint;
}

export type PrepareReply = { id: number; batch: PreparedBatch } | { id: number; error: string; statusCode?: number };

interface Slot {
  worker: Worker;
  busy: number;
}

export class PreparePool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { resolve: (b: PreparedBatch) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  /** A pool of `threads` workers; undefined where the compiled worker is missing (then decode inline). */
  static start(config: PrepareWorkerConfig, threads: number): PreparePool | undefined {
    const file = compiledWorker(new URL('./prepare-worker.js', import.meta.url));
    if (!file || threads < 1) return undefined;
    return new PreparePool(file, config, threads);
  }

  private constructor(file: string, config: PrepareWorkerConfig, threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(file, { workerData: config });
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on('message', (m: PrepareReply) => {
        slot.busy--;
        if (slot.busy === 0) worker.unref();
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if ('batch' in m) return p.resolve(m.batch);
        p.reject(Object.assign(new Error(m.error), m.statusCode ? { statusCode: m.statusCode } : {}));
      });
      worker.on('error', (err) => this.fail(err));
      this.slots.push(slot);
    }
  }

  /** Prepares a body on the least busy worker. The body's bytes are moved there when it owns its memory. */
  run(kind: BodyKind, body: Buffer, opts: PrepareOptions, ingestedNs: bigint): Promise<PreparedBatch> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : Buffer.from(body);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (slot.busy++ === 0) slot.worker.ref();
      const request: PrepareRequest = { id, kind, body: own, opts, ingestedNs };
      slot.worker.postMessage(request, [own.buffer as ArrayBuffer]);
    });
  }

  private fail(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

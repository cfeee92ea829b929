/**
 * Decoding threads: request bodies are decoded, validated, completed and
 * encoded (prepare-records.ts) on worker threads, so the main thread is left
 * with HTTP, staging into the store and the group commit, and ingest uses
 * every core. Bodies go to the least busy worker; the encoded events come
 * back as moved buffers, not copies.
 */
import { Worker } from 'node:worker_threads';
import { compiledWorker } from '../worker-file.js';
import { IngestError, type IngestErrorKind } from './errors.js';
import { BackpressureError } from './group-commit.js';
import type { PreparedBatch, PrepareOptions } from './prepare-records.js';

/** What a worker needs to know, fixed for its life. */
export interface PrepareWorkerConfig {
  maxRecordBytes: number;
  keepOriginal: boolean;
  excludedCategories: string[];
  sealing: boolean;
  /** Kubernetes audit policy files (each worker compiles them itself). */
  k8sPolicyFiles: string[];
  /** Most body bytes waiting for a decoding thread before new bodies are refused (503). */
  maxQueuedBytes: number;
  /** Nice increment of each decoding thread (see thread-priority.ts); 0 or absent: none. */
  nice?: number;
}

/** Body kinds a worker decodes: ECS NDJSON / JSON array, or a Kubernetes webhook EventList. */
export type BodyKind = 'ecs' | 'k8s-eventlist';

export interface PrepareRequest {
  id: number;
  kind: BodyKind;
  body: Uint8Array;
  opts: PrepareOptions;
  ingestedNs: bigint;
  /** Also return the body's digest (PreparedBatch.bodyDigest). */
  digest: boolean;
}

export type PrepareReply = { id: number; batch: PreparedBatch } | { id: number; error: string; kind?: IngestErrorKind };

interface Slot {
  worker: Worker;
  /** Requests it is working on. */
  pending: Set<number>;
}

export class PreparePool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { bytes: number; resolve: (b: PreparedBatch) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closing = false;
  private queuedBytes = 0;

  /** A pool of `threads` workers; undefined where the compiled worker is missing (then decode inline). */
  static start(config: PrepareWorkerConfig, threads: number): PreparePool | undefined {
    const file = compiledWorker(new URL('./prepare-worker.js', import.meta.url));
    if (!file || threads < 1) return undefined;
    return new PreparePool(file, config, threads);
  }

  private constructor(
    private readonly file: string,
    private readonly config: PrepareWorkerConfig,
    threads: number,
  ) {
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.file, { workerData: this.config });
    worker.unref();
    const slot: Slot = { worker, pending: new Set() };
    worker.on('message', (m: PrepareReply) => {
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      const p = this.take(m.id);
      if (!p) return;
      if ('batch' in m) return p.resolve(m.batch);
      p.reject(m.kind ? new IngestError(m.kind, m.error) : new Error(m.error));
    });
    // A worker that dies fails its own requests and is replaced; the others carry on.
    const died = (err: Error) => {
      for (const id of slot.pending) this.take(id)?.reject(err);
      slot.pending.clear();
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closing) this.slots[i] = this.spawn();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`a decoding thread exited (code ${code})`)));
    return slot;
  }

  /** Prepares a body on the least busy worker. The body's bytes are moved there when it owns its memory. */
  run(kind: BodyKind, body: Buffer, opts: PrepareOptions, ingestedNs: bigint, digest = false): Promise<PreparedBatch> {
    if (this.queuedBytes > 0 && this.queuedBytes + body.length > this.config.maxQueuedBytes) {
      return Promise.reject(new BackpressureError(`decoding queue full (${this.queuedBytes} bytes waiting)`));
    }
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : Buffer.from(body);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { bytes: body.length, resolve, reject });
      this.queuedBytes += body.length;
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.add(id);
      const request: PrepareRequest = { id, kind, body: own, opts, ingestedNs, digest };
      slot.worker.postMessage(request, [own.buffer as ArrayBuffer]);
    });
  }

  private take(id: number) {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.queuedBytes -= p.bytes;
    return p;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

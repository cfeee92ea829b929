/**
 * Issues signed checkpoints of the store's tree: after every `everyEvents`
 * new events, every `intervalMs` while events arrive, and once more when the
 * store closes. Each is stored in the database, appended to
 * `<data>/checkpoints.log`, and emitted as a `checkpoint` event, which is the
 * hook outputs use to ship a copy out of an attacker's reach:
 *
 *   checkpointer.on('checkpoint', (cp) => sink.send(cp.note));
 */
import { EventEmitter } from 'node:events';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signCheckpoint } from '../index.js';
import { noteLogEntry } from '../note-log.js';
import type { Ledger, StoredCheckpoint } from '../../store/ledger.js';
import type { LogKey } from './key.js';

export const CHECKPOINT_LOG = 'checkpoints.log';

export interface CheckpointerOptions {
  dataDir: string;
  everyEvents: number;
  intervalMs: number;
}

export interface CheckpointerEvents {
  checkpoint: [StoredCheckpoint];
  error: [Error];
}

export class Checkpointer extends EventEmitter<CheckpointerEvents> {
  private lastSize = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<StoredCheckpoint | undefined> = Promise.resolve(undefined);
  private closed = false;
  private scheduled = false;

  constructor(
    private readonly ledger: Ledger,
    readonly key: LogKey,
    private readonly opts: CheckpointerOptions,
  ) {
    super();
  }

  get logFile(): string {
    return join(this.opts.dataDir, CHECKPOINT_LOG);
  }

  /** Starts issuing; first signs a checkpoint of what is already stored, if it has none. */
  async start(): Promise<void> {
    this.lastSize = (await this.ledger.latestCheckpoint())?.size ?? 0;
    this.unsubscribe = this.ledger.onCommit(({ size }) => {
      if (size - this.lastSize >= this.opts.everyEvents) this.background();
    });
    this.timer = setInterval(() => {
      if (this.ledger.treeHead().size > this.lastSize) this.background();
    }, this.opts.intervalMs);
    this.timer.unref();
    await this.issue();
  }

  /** Signs a checkpoint of the current tree unless it already has one; one at a time. */
  issue(): Promise<StoredCheckpoint | undefined> {
    const next = this.running.then(() => this.issueNow());
    this.running = next.catch(() => undefined);
    return next;
  }

  /**
   * A scheduled issue, unless one is already waiting (commits keep coming
   * while it does); failures go to 'error' listeners (or a process warning).
   */
  private background(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.issue()
      .catch((err: Error) => {
        if (this.listenerCount('error') === 0) process.emitWarning(`checkpoint failed: ${err.message}`);
      })
      .finally(() => {
        this.scheduled = false;
      });
  }

  private async issueNow(): Promise<StoredCheckpoint | undefined> {
    const { origin, signer } = this.key;
    try {
      const cp = await this.ledger.addCheckpoint((head) => signCheckpoint({ origin, size: head.size, rootHash: head.root }, signer));
      if (!cp) return undefined;
      this.lastSize = cp.size;
      await appendFile(this.logFile, noteLogEntry(cp.note), { mode: 0o600 });
      this.emit('checkpoint', cp);
      return cp;
    } catch (err) {
      if (this.listenerCount('error') > 0) this.emit('error', err as Error);
      throw err;
    }
  }

  /** Stops the schedule and signs the final checkpoint. */
  async close(): Promise<StoredCheckpoint | undefined> {
    if (this.closed) return undefined;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    return this.issue();
  }
}

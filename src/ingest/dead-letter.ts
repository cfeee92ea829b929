/**
 * The dead-letter file: every rejected record, with where it came from, why,
 * and its original text, appended as NDJSON to `<data>/rejected/<date>.ndjson`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordError } from './decode.js';

export interface DeadLetterEntry extends RecordError {
  /** Where the record came from: a route, a file name, `stdin`. */
  source: string;
}

export class DeadLetter {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {}

  /** Appends the entries; resolves once they are written. */
  async write(entries: DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.ready;
    const now = new Date();
    const lines = entries.map((e) =>
      JSON.stringify({
        time: now.toISOString(),
        source: e.source,
        line: e.line,
        offset: e.offset,
        path: e.path,
        reason: e.reason,
        original: e.text,
        ...(e.bytes ? { original_base64: Buffer.from(e.bytes).toString('base64') } : {}),
      }),
    );
    await appendFile(join(this.dir, `${now.toISOString().slice(0, 10)}.ndjson`), lines.join('\n') + '\n', { mode: 0o600 });
  }
}

/**
 * The file source: files (or stdin) of any input format, read in batches that
 * end on line boundaries and fed to the ingest service, a few batches in
 * flight; multi-line records (auditd) carry across a file's batches. This is
 * `vigil ingest` without --server (with it, the same reading feeds a remote
 * sender instead: readInputs).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Format } from '../formats/format.js';
import { getFormat } from '../formats/registry.js';
import { FormatStream } from '../ingest/format-decode.js';
import type { IngestService } from '../ingest/service.js';
import type { Accepted, IngestOutcome } from '../model/ingest-result.js';
import { readBatches } from './file-batches.js';
import type { Source } from './source.js';

export const FileSourceConfig = Type.Object(
  {
    type: Type.Literal('file'),
    paths: Type.Array(Type.String(), { description: 'Files to read; - is stdin' }),
    format: Type.String({ default: 'ecs', description: 'Input format: ecs, app, gdch-proxy, kubernetes-audit, auditd, generic, or auto (per line)' }),
  },
  { additionalProperties: false },
);
export type FileSourceConfig = Static<typeof FileSourceConfig>;

const BATCH_BYTES = 4 << 20;
const IN_FLIGHT = 3;

/** What one batch came to, as counts (the accepted result without its sequence number). */
export type BatchCounts = Omit<Accepted, 'kind' | 'firstSeq'>;

/** Takes one batch of a file; `last` closes the file's stream (multi-line records still open are flushed). */
export type BatchSink = (body: Buffer, file: string, lineBase: number, offsetBase: number, last: boolean) => Promise<BatchCounts>;

/** Called with each batch's counts, the name of its input (`stdin` for -) and its size. */
export type OnBatch = (name: string, counts: BatchCounts, bytes: number) => void;

/** Reads each input (`-` is stdin) in batches into `sink`, a few at a time, then closes its stream. */
export async function readInputs(inputs: readonly string[], sink: BatchSink, onBatch: OnBatch): Promise<void> {
  for (const file of inputs) {
    const name = file === '-' ? 'stdin' : file;
    const inflight = new Set<Promise<void>>();
    for await (const b of readBatches(file, BATCH_BYTES)) {
      const job = sink(b.body, name, b.lineBase, b.offsetBase, false).then((r) => onBatch(name, r, b.body.length));
      inflight.add(job);
      void job.finally(() => inflight.delete(job)).catch(() => undefined);
      if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    onBatch(name, await sink(Buffer.alloc(0), name, 0, 0, true), 0); // closes the file's stream
  }
}

function countsOf(outcome: IngestOutcome): BatchCounts {
  switch (outcome.kind) {
    case 'accepted':
    case 'duplicate': {
      const { kind: _k, firstSeq: _s, ...counts } = outcome.kind === 'duplicate' ? outcome.of : outcome;
      return counts;
    }
    case 'rejected':
      return { accepted: 0, rejected: outcome.rejected, errors: outcome.errors };
    case 'backpressure':
      throw new Error(`ingest refused a batch: ${outcome.reason}`);
    case 'key-reused':
      throw new Error('ingest refused a batch: its idempotency key was used before with another body'); // files send no keys
  }
}

/** Feeds batches to the ingest service, partially accepted, one format stream per file. */
function serviceSink(ingest: IngestService, format: Format): BatchSink {
  const streams = new Map<string, FormatStream>();
  return async (body, file, lineBase, offsetBase, last) => {
    let decoder = streams.get(file);
    if (!decoder) streams.set(file, (decoder = new FormatStream(format)));
    return countsOf(await ingest.ingest({ kind: 'formatted', format, body, stream: { decoder, last } }, { source: file, partial: true, lineBase, offsetBase }));
  };
}

export interface FileSource extends Source {
  /** Reads every path into the ingest service; resolves once each batch is committed. */
  run(ingest: IngestService, onBatch: OnBatch): Promise<void>;
}

/** The file source; throws on an unknown format. */
export function fileSource(config: FileSourceConfig): FileSource {
  const format = getFormat(config.format);
  return { type: 'file', run: (ingest, onBatch) => readInputs(config.paths, serviceSink(ingest, format), onBatch) };
}

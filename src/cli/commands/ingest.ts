/** `vigil ingest [FILE...|-]` — load NDJSON files into the embedded store or send them to a server. */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import type { IngestResult } from '../../ingest/service.js';
import { isRetriable, retryDelayMs } from '../../outputs/retry.js';
import { readBatches } from '../batches.js';
import type { VigilClient } from '../client.js';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { CliError } from '../errors.js';
import { progressBar } from '../progress.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

const BATCH_BYTES = 4 << 20;
const IN_FLIGHT = 3;
const SHOWN_ERRORS = 20;

/** Sends one batch of a file; `last` closes the file's stream (multi-line records still open are flushed). */
type Send = (body: Buffer, file: string, lineBase: number, offsetBase: number, last: boolean) => Promise<IngestResult['body']>;

interface IngestFlags extends RemoteFlags {
  format: string;
}

/** Posts one batch, retrying overload and server errors with the same Idempotency-Key. */
function remoteSender(client: VigilClient, format: string): Send {
  return async (body, _file, lineBase, offsetBase) => {
    if (body.length === 0) return { accepted: 0 }; // each request is decoded whole: nothing to close
    const key = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const res = await client.request('POST', `api/v1/events?partial=true&format=${encodeURIComponent(format)}`, {
        body,
        headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': key },
      });
      if (res.ok) {
        const result = (await res.json()) as IngestResult['body'];
        for (const e of result.errors ?? []) {
          e.line += lineBase;
          if (e.offset >= 0) e.offset += offsetBase;
        }
        return result;
      }
      if (!isRetriable(res) || attempt >= 8) throw new CliError(`server answered HTTP ${res.status}: ${await res.text()}`);
      await new Promise((r) => setTimeout(r, retryDelayMs(attempt, { baseMs: 100, capMs: 5000 }, res)));
    }
  };
}

export function ingestCommand(program: Command): void {
  const cmd = program
    .command('ingest')
    .description('Ingest audit records from files or stdin into the store or a server')
    .argument('[files...]', 'input files; - or nothing for stdin')
    .option('-f, --format <format>', 'input format: ecs, app, gdch-proxy, kubernetes-audit, auditd, generic, or auto (per line)', 'ecs')
    .action(async (files: string[], opts: IngestFlags & Record<string, unknown>) => {
      const { getFormat } = await import('../../formats/registry.js');
      let format;
      try {
        format = getFormat(opts.format);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const inputs = files.length ? files : ['-'];
      const client = remoteClient(opts);
      const config = configFrom(opts);
      let send: Send;
      let finish = async () => {};
      if (client) send = remoteSender(client, format.name);
      else {
        const { openLocalStore } = await import('../local-store.js');
        const { tuneHeapForIngest } = await import('../../gc-tuning.js');
        tuneHeapForIngest();
        const [{ ingestStack }, { loadK8sPolicy }] = await Promise.all([import('../../runtime/ingest-stack.js'), import('../../runtime/policy.js')]);
        const policy = await loadK8sPolicy(config);
        const store = await openLocalStore(config);
        const { ingest, committer } = ingestStack(config, store, undefined, policy);
        const { FormatStream } = await import('../../ingest/format-decode.js');
        const streams = new Map<string, InstanceType<typeof FormatStream>>();
        send = async (body, file, lineBase, offsetBase, last) => {
          let decoder = streams.get(file);
          if (!decoder) streams.set(file, (decoder = new FormatStream(format)));
          return (await ingest.ingestFormatted(body, format, { source: file, partial: true, lineBase, offsetBase }, { decoder, last })).body;
        };
        finish = async () => {
          await committer.close();
          await store.close();
        };
      }
      const total = inputs.every((f) => f !== '-') ? inputs.reduce((n, f) => n + statSync(f).size, 0) : undefined;
      const progress = progressBar(total, 'ingest');
      let accepted = 0;
      let rejected = 0;
      let dropped = 0;
      const byFormat: Record<string, number> = {};
      const errors: string[] = [];
      try {
        for (const file of inputs) {
          const name = file === '-' ? 'stdin' : file;
          const inflight = new Set<Promise<void>>();
          const tally = (r: IngestResult['body'], bytes: number) => {
            accepted += r.accepted;
            rejected += r.rejected ?? 0;
            dropped += (r.dropped ?? 0) + (r.excluded ?? 0);
            for (const [k, n] of Object.entries(r.by_format ?? {})) byFormat[k] = (byFormat[k] ?? 0) + n;
            for (const e of r.errors ?? []) errors.push(`${name}:${e.line}: ${e.path ? `${e.path}: ` : ''}${e.reason}`);
            progress.advance(bytes, r.accepted);
          };
          for await (const b of readBatches(file, BATCH_BYTES)) {
            const job = send(b.body, name, b.lineBase, b.offsetBase, false).then((r) => tally(r, b.body.length));
            inflight.add(job);
            void job.finally(() => inflight.delete(job)).catch(() => undefined);
            if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
          }
          await Promise.all(inflight);
          tally(await send(Buffer.alloc(0), name, 0, 0, true), 0); // closes the file's stream
        }
      } finally {
        progress.stop();
        await finish();
      }
      const err = process.stderr;
      for (const line of errors.slice(0, SHOWN_ERRORS)) err.write(`rejected ${line}\n`);
      if (errors.length > SHOWN_ERRORS) err.write(`… and ${errors.length - SHOWN_ERRORS} more\n`);
      err.write(`read ${accepted + rejected + dropped} records: ${accepted} accepted, ${rejected} rejected${dropped ? `, ${dropped} dropped by policy` : ''}\n`);
      const formats = Object.entries(byFormat);
      if (formats.length) err.write(`by format: ${formats.map(([k, n]) => `${k} ${n}`).join(', ')}${byFormat.generic ? ` (${byFormat.generic} lines of no known format kept as generic)` : ''}\n`);
      if (rejected > 0) {
        err.write(`rejected records are kept with their original text in ${client ? 'the server\'s' : config.data_dir}/rejected/\n`);
        process.exitCode = 1;
      }
    });
  addRemoteFlags(cmd);
  addConfigFlags(cmd);
}

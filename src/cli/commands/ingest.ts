/** `vigil ingest [FILE...|-]` — load NDJSON files into the embedded store or send them to a server. */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { isRetriable, retryDelayMs } from '../../outputs/retry.js';
import type { Config } from '../../config/load.js';
import type { IngestAnswerBody } from '../../server/ingest-answer.js';
import type { BatchCounts, BatchSink, FileSourceConfig, OnBatch } from '../../sources/file.js';
import type { VigilClient } from '../client.js';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { CliError } from '../errors.js';
import { progressBar } from '../progress.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

const SHOWN_ERRORS = 20;

interface IngestFlags extends RemoteFlags {
  format: string;
}

/** The counts of a server's answer. */
function countsOf({ by_format: byFormat, ...counts }: IngestAnswerBody): BatchCounts {
  return byFormat ? { ...counts, byFormat } : counts;
}

/** Posts one batch, retrying overload and server errors with the same Idempotency-Key. */
function remoteSender(client: VigilClient, format: string): BatchSink {
  return async (body, _file, lineBase, offsetBase) => {
    if (body.length === 0) return { accepted: 0 }; // each request is decoded whole: nothing to close
    const key = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const res = await client.request('POST', `api/v1/events?partial=true&format=${encodeURIComponent(format)}`, {
        body,
        headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': key },
      });
      if (res.ok) {
        const result = (await res.json()) as IngestAnswerBody;
        for (const e of result.errors ?? []) {
          e.line += lineBase;
          if (e.offset >= 0) e.offset += offsetBase;
        }
        return countsOf(result);
      }
      if (!isRetriable(res) || attempt >= 8) throw new CliError(`server answered HTTP ${res.status}: ${await res.text()}`);
      await new Promise((r) => setTimeout(r, retryDelayMs(attempt, { baseMs: 100, capMs: 5000 }, res)));
    }
  };
}

/** The file source into the embedded store: the ingest stack opened for it, and closed (every commit done) after. */
async function ingestLocally(config: Config, source: FileSourceConfig, onBatch: OnBatch): Promise<void> {
  const { openLocalStore } = await import('../local-store.js');
  const { tuneHeapForIngest } = await import('../../gc-tuning.js');
  tuneHeapForIngest();
  const [{ ingestStack }, { loadK8sPolicy }, { fileSource }] = await Promise.all([
    import('../../runtime/ingest-stack.js'),
    import('../../runtime/policy.js'),
    import('../../sources/file.js'),
  ]);
  const policy = await loadK8sPolicy(config);
  const store = await openLocalStore(config);
  const { ingest, committer } = ingestStack(config, store, undefined, policy);
  try {
    await fileSource(source).run(ingest, onBatch);
  } finally {
    await committer.close();
    await store.close();
  }
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
      const total = inputs.every((f) => f !== '-') ? inputs.reduce((n, f) => n + statSync(f).size, 0) : undefined;
      const progress = progressBar(total, 'ingest');
      let accepted = 0;
      let rejected = 0;
      let dropped = 0;
      const byFormat: Record<string, number> = {};
      const errors: string[] = [];
      const tally: OnBatch = (name, r, bytes) => {
        accepted += r.accepted;
        rejected += r.rejected ?? 0;
        dropped += (r.dropped ?? 0) + (r.excluded ?? 0);
        for (const [k, n] of Object.entries(r.byFormat ?? {})) byFormat[k] = (byFormat[k] ?? 0) + n;
        for (const e of r.errors ?? []) errors.push(`${name}:${e.line}: ${e.path ? `${e.path}: ` : ''}${e.reason}`);
        progress.advance(bytes, r.accepted);
      };
      try {
        if (client) await (await import('../../sources/file.js')).readInputs(inputs, remoteSender(client, format.name), tally);
        else await ingestLocally(config, { type: 'file', paths: inputs, format: format.name }, tally);
      } finally {
        progress.stop();
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

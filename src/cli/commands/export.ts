/**
 * `vigil export '<query>' [--since|--from/--to] --format ndjson|csv|parquet [--with-proofs] -o FILE`
 * — hand events to an auditor, each with vigil.seq and vigil.leaf_hash; with
 * --with-proofs a bundle `vigil verify --bundle` checks offline. Locally the
 * read is recorded in the audit log before the file appears under its name.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { CliError } from '../errors.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

const FORMATS = ['ndjson', 'csv', 'parquet'] as const;

interface ExportFlags extends RemoteFlags {
  since?: string;
  from?: string;
  to?: string;
  format: (typeof FORMATS)[number];
  withProofs?: boolean;
  output: string;
}

async function localExport(query: string, opts: ExportFlags & Record<string, unknown>, partial: string): Promise<number> {
  const [{ auditedLocalRead }, { exportSelection }, { checkpointerOf }] = await Promise.all([
    import('../audited-store.js'),
    import('../../query/export-selection.js'),
    import('../../integrity/signing/index.js'),
  ]);
  const action = opts.withProofs ? 'export-proofs' : 'export';
  return auditedLocalRead(
    configFrom(opts),
    { route: 'cli:export', action, query },
    async (store) => {
      const selection = exportSelection({ query, from: opts.from, to: opts.to, since: opts.since }, store.labels);
      let proofs;
      if (opts.withProofs) {
        const checkpointer = checkpointerOf(store);
        if (!checkpointer) throw new CliError('this store does not sign checkpoints (integrity.sealing is off)');
        const checkpoint = (await checkpointer.issue()) ?? (await store.latestCheckpoint());
        if (!checkpoint) throw new CliError('the log is empty: nothing to prove');
        proofs = { checkpoint, origin: checkpointer.key.origin, verifierKey: checkpointer.key.verifierKey, query };
      }
      return store.exportEvents(selection, opts.format, partial, { proofs });
    },
    (n) => n,
  );
}

export function exportCommand(program: Command): void {
  const cmd = program
    .command('export')
    .description('Export the events a query selects, with their seq and leaf hash (and, with --with-proofs, what proves them)')
    .argument('<query>', 'LogQL stream selector and line filters, e.g. \'{dataset="app.audit"} |= "alice"\'')
    .option('--since <duration>', 'look back this far from --to (default 1h)')
    .option('--from <time>', 'start: RFC 3339, Unix epoch (s/ms/ns) or now-2h')
    .option('--to <time>', 'end (exclusive), default now')
    .addOption(new Option('--format <format>', 'file format').choices([...FORMATS]).default('ndjson'))
    .option('--with-proofs', 'write a proof bundle: events, their inclusion proofs, the checkpoint and the public key (NDJSON)')
    .requiredOption('-o, --output <file>', 'file to write')
    .action(async (query: string, opts: ExportFlags & Record<string, unknown>) => {
      if (opts.withProofs && opts.format !== 'ndjson') throw new CliError('a proof bundle is NDJSON: drop --format or use --format ndjson');
      const partial = `${opts.output}.partial`;
      const client = remoteClient(opts);
      let events: number;
      try {
        if (client) {
          const params = new URLSearchParams({ query, format: opts.format });
          for (const k of ['since', 'from', 'to'] as const) if (opts[k]) params.set(k, opts[k]!);
          if (opts.withProofs) params.set('proofs', 'true');
          const res = await client.request('GET', `api/v1/export?${params}`);
          if (!res.ok || !res.body) {
            const text = await res.text();
            let message = text;
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? text;
            } catch {
              // not JSON
            }
            throw new CliError(`GET api/v1/export: HTTP ${res.status}: ${message}`);
          }
          const out = createWriteStream(partial, { mode: 0o600 });
          await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), out);
          events = Number(res.headers.get('x-vigil-events') ?? NaN);
        } else {
          events = await localExport(query, opts, partial);
        }
        renameSync(partial, opts.output);
      } catch (err) {
        rmSync(partial, { force: true });
        throw err;
      }
      process.stderr.write(`exported ${Number.isNaN(events) ? 'the' : events} events to ${opts.output}${opts.withProofs ? ' with inclusion proofs (check it with: vigil verify --bundle ' + opts.output + ')' : ''}\n`);
    });
  addRemoteFlags(cmd);
  addConfigFlags(cmd);
}

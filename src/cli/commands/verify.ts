/**
 * `vigil verify [--data DIR | --server URL | --bundle FILE]` — recompute every
 * leaf and the tree, check every checkpoint's signature and root; exit 0 when
 * all holds, 1 naming the first failing seq and what happened.
 */
import type { Command } from 'commander';
import type { VerifyReport } from '../../verify/report.js';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { CliError } from '../errors.js';
import { eventProgress, type EventProgress } from '../event-progress.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

interface VerifyFlags extends RemoteFlags {
  key?: string;
  bundle?: string;
  json?: boolean;
}

async function localReport(opts: VerifyFlags & Record<string, unknown>): Promise<VerifyReport> {
  const [{ openLocalStore }, { readVerifierKey, configuredVerifierKey, KeyError }, { verifyStore }] = await Promise.all([
    import('../local-store.js'),
    import('../../checkpoint/index.js'),
    import('../../verify/local.js'),
  ]);
  const config = configFrom(opts);
  let key: { key: string; source: string };
  try {
    key = opts.key ? readVerifierKey(config.data_dir, opts.key) : configuredVerifierKey(config.data_dir, config.integrity.key_file);
  } catch (err) {
    throw err instanceof KeyError ? new CliError(err.message) : err;
  }
  if (!opts.key && !opts.json) {
    process.stderr.write(`checking checkpoints with ${key.source}; pass --key <verifier key> to use a copy kept elsewhere\n`);
  }
  const store = await openLocalStore(config, { readOnly: true });
  const progress = eventProgress('verify', store.nextSeq());
  try {
    return await verifyStore(store, { verifierKey: key.key, onProgress: (done, total) => progress.update(done, total) });
  } finally {
    progress.stop();
    await store.close();
  }
}

export function verifyCommand(program: Command): void {
  const cmd = program
    .command('verify')
    .description('Check that no stored event was modified, deleted, inserted or reordered, and every checkpoint is genuine')
    .option('--key <key>', 'verifier key (<origin>+<id>+<base64>) or a file holding it; default: the data dir\'s, or the server\'s')
    .option('--bundle <file>', 'verify an export bundle (vigil export --with-proofs) offline, without the store')
    .option('--json', 'print the report as JSON')
    .action(async (opts: VerifyFlags & Record<string, unknown>) => {
      const client = remoteClient(opts);
      let report: VerifyReport;
      if (opts.bundle) {
        const { verifyBundleFile } = await import('../../verify/bundle.js');
        try {
          report = await verifyBundleFile(opts.bundle, { verifierKey: opts.key, warn: (m: string) => opts.json || process.stderr.write(`${m}\n`) });
        } catch (err) {
          throw new CliError(`${opts.bundle}: ${(err as Error).message}`);
        }
      } else if (client) {
        const { verifyRemote } = await import('../../verify/remote.js');
        let progress: EventProgress | undefined; // the total is known once the checkpoints are in
        try {
          report = await verifyRemote(client, {
            verifierKey: opts.key,
            warn: (m) => opts.json || process.stderr.write(`${m}\n`),
            onProgress: (done, total) => (progress ??= eventProgress('verify', total)).update(done, total),
          });
        } catch (err) {
          throw err instanceof CliError ? err : new CliError((err as Error).message);
        } finally {
          progress?.stop();
        }
      } else {
        report = await localReport(opts);
      }
      const { describeReport } = await import('../../verify/report.js');
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else process.stdout.write(`${describeReport(report)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
  addRemoteFlags(cmd);
  addConfigFlags(cmd);
}

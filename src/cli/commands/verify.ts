/**
 * `vigil verify [--data DIR | --server URL | --bundle FILE]` — recompute every
 * leaf and the tree, check every checkpoint's signature and root; exit 0 when
 * all holds, 1 naming the first failing seq and what happened.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config/load.js';
import type { VerifyReport } from '../../integrity/verify/report.js';
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
  const [{ openLocalStore }, { readVerifierKey, configuredVerifierKey, KeyError }] = await Promise.all([
    import('../local-store.js'),
    import('../../integrity/signing/index.js'),
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
  let report: VerifyReport;
  try {
    report = await store.verify({ verifierKey: key.key, onProgress: (done, total) => progress.update(done, total) });
  } finally {
    progress.stop();
    await store.close();
  }
  await recordLocalVerify(config, report, key.key, (m) => process.stderr.write(`${m}\n`));
  return report;
}

/**
 * Records a local verification in the audit log it read, as other local
 * reads are (`vigil.access`, action `verify`), before the verdict is shown:
 * the store is opened for writing once the read-only pass is over.
 *
 * Only a store that verified is written to, and only with the key that
 * verified it: Vigil adds nothing (no event, no checkpoint signed over a
 * tree that does not hold) to a store that failed, one whose signing key is
 * not at hand (an auditor's copy: no key is generated for it) or is another
 * key, or one with sealing off. Then, or if the store cannot be opened for
 * writing, `warn` says the verification was not recorded.
 */
export async function recordLocalVerify(config: Config, report: VerifyReport, verifiedKey: string, warn: (message: string) => void): Promise<boolean> {
  const skip = (why: string) => {
    warn(`this verification is not recorded in the audit log: ${why}`);
    return false;
  };
  if (!report.ok) return skip('Vigil writes nothing to a store that fails verification');
  if (!config.integrity.sealing) return skip('integrity.sealing is off');
  const [{ KEY_FILE, loadOrCreateKey }, { openLocalStore }, { withLocalStore }] = await Promise.all([
    import('../../integrity/signing/index.js'),
    import('../local-store.js'),
    import('../audited-store.js'),
  ]);
  const keyFile = config.integrity.key_file || join(config.data_dir, KEY_FILE);
  if (!existsSync(keyFile)) return skip(`there is no signing key at ${keyFile} to sign for the record`);
  try {
    if (loadOrCreateKey(config.data_dir, keyFile).verifierKey !== verifiedKey) return skip(`the signing key ${keyFile} is not the key the checkpoints were verified with`);
  } catch (err) {
    return skip((err as Error).message);
  }
  let store;
  try {
    store = await openLocalStore(config);
  } catch (err) {
    return skip((err as Error).message);
  }
  await withLocalStore(config, 'cli:verify', (_store, record) => record({ action: 'verify', outcome: 'success', results: report.events }), store);
  return true;
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
        const { verifyBundleFile } = await import('../../integrity/verify/bundle.js');
        try {
          report = await verifyBundleFile(opts.bundle, { verifierKey: opts.key, warn: (m: string) => opts.json || process.stderr.write(`${m}\n`) });
        } catch (err) {
          throw new CliError(`${opts.bundle}: ${(err as Error).message}`);
        }
      } else if (client) {
        const { verifyRemote } = await import('../../integrity/verify/remote.js');
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
      const { describeReport } = await import('../../integrity/verify/report.js');
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else process.stdout.write(`${describeReport(report)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
  addRemoteFlags(cmd);
  addConfigFlags(cmd);
}

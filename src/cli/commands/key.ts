/** `vigil key show` — the log's checkpoint verifier key, in the signed-note format. */
import type { Command } from 'commander';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { CliError } from '../errors.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

export function keyCommand(program: Command): void {
  const key = program.command('key').description("Show the log's checkpoint verifier key");
  const show = key
    .command('show')
    .description('Print the verifier key (<origin>+<key id>+<base64 Ed25519 key>) that checks this log\'s checkpoints')
    .action(async (opts: RemoteFlags & Record<string, unknown>) => {
      const client = remoteClient(opts);
      let text: string;
      if (client) {
        const res = await client.request('GET', 'api/v1/checkpoint/key');
        if (!res.ok) throw new CliError(`GET api/v1/checkpoint/key: HTTP ${res.status}: ${await res.text()}`);
        text = (await res.text()).trim();
      } else {
        const { configuredVerifierKey, KeyError } = await import('../../integrity/signing/index.js');
        const config = configFrom(opts);
        try {
          text = configuredVerifierKey(config.data_dir, config.integrity.key_file).key;
        } catch (err) {
          throw err instanceof KeyError ? new CliError(err.message) : err;
        }
      }
      process.stdout.write(`${text}\n`);
    });
  addRemoteFlags(show);
  addConfigFlags(show);
}

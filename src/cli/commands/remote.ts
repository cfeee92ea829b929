/** The `--server URL --token T` pair shared by commands that can work against a running server. */
import { Option, type Command } from 'commander';
import { VigilClient } from '../client.js';

export interface RemoteFlags {
  server?: string;
  token?: string;
}

export function addRemoteFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--server <url>', 'talk to this Vigil server instead of opening --data').env('VIGIL_SERVER'))
    .addOption(new Option('--token <token>', 'API token for --server').env('VIGIL_TOKEN'));
}

export function remoteClient(opts: RemoteFlags): VigilClient | undefined {
  return opts.server ? new VigilClient({ server: opts.server, token: opts.token }) : undefined;
}

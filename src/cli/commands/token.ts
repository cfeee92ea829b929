/** `vigil token create|list|revoke` — manage API tokens; changes are recorded in the audit log. */
import type { Command } from 'commander';
import { isScope, SCOPES, TokenStore, type Scope, type TokenRecord } from '../../auth/tokens.js';
import type { AccessRecord } from '../../server/access-audit.js';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { CliError } from '../errors.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

type PublicToken = Omit<TokenRecord, 'hash'>;

/** Applies a token change to the local data dir and records it in the store, in that order. */
async function localChange(opts: Record<string, unknown>, change: (tokens: TokenStore) => { record: PublicToken; action: AccessRecord['action'] }) {
  const { withLocalStore } = await import('../audited-store.js');
  const config = configFrom(opts);
  // Opening the store first fails clearly if a server holds the data dir.
  await withLocalStore(config, 'cli:token', async (_store, recordAccess) => {
    const { record, action } = change(new TokenStore(config.data_dir));
    await recordAccess({ action, outcome: 'success', targetToken: record });
  });
}

function parseScopes(values: string[]): Scope[] {
  const scopes = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !isScope(s));
  if (bad.length || scopes.length === 0) throw new CliError(`--scope must be one or more of ${SCOPES.join(', ')}${bad.length ? ` (got ${bad.join(', ')})` : ''}`);
  return [...new Set(scopes)] as Scope[];
}

const show = (t: PublicToken) =>
  `${t.id}  ${t.name.padEnd(24)}  ${t.scopes.join(',').padEnd(18)}  ${t.created}${t.revoked ? `  revoked ${t.revoked}` : ''}`;

export function tokenCommand(program: Command): void {
  const token = program.command('token').description('Create, list and revoke API tokens');

  const create = token
    .command('create')
    .description('Create a token (printed once; only its hash is kept)')
    .requiredOption('--scope <scope...>', `scopes: ${SCOPES.join(', ')}`)
    .option('--name <name>', 'a name for the token (default: <scope>-<date>)')
    .action(async (opts: RemoteFlags & { scope: string[]; name?: string } & Record<string, unknown>) => {
      const scopes = parseScopes(opts.scope);
      const name = opts.name ?? `${scopes.join('+')}-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}`;
      const client = remoteClient(opts);
      let secret: string;
      if (client) {
        const res = await client.json<{ token: string }>('POST', 'api/v1/tokens', {
          body: JSON.stringify({ name, scopes }),
          headers: { 'content-type': 'application/json' },
        });
        secret = res.token;
      } else {
        await localChange(opts, (tokens) => {
          const { token: t, record } = tokens.create(name, scopes);
          secret = t;
          const { hash: _h, ...pub } = record;
          return { record: pub, action: 'token-create' };
        });
      }
      process.stdout.write(`${secret!}\n`);
      process.stderr.write(`created token ${JSON.stringify(name)} with scopes ${scopes.join(', ')}; store it now, it is not shown again\n`);
    });

  const list = token
    .command('list')
    .description('List tokens (names, scopes, dates; never secrets)')
    .action(async (opts: RemoteFlags & Record<string, unknown>) => {
      const client = remoteClient(opts);
      const tokens: PublicToken[] = client
        ? (await client.json<{ tokens: PublicToken[] }>('GET', 'api/v1/tokens')).tokens
        : new TokenStore(configFrom(opts).data_dir).list().map(({ hash: _h, ...rest }) => rest);
      for (const t of tokens) process.stdout.write(`${show(t)}\n`);
    });

  const revoke = token
    .command('revoke')
    .description('Revoke a token by id or name')
    .argument('<token>', 'id or name')
    .action(async (idOrName: string, opts: RemoteFlags & Record<string, unknown>) => {
      const client = remoteClient(opts);
      if (client) await client.json('DELETE', `api/v1/tokens/${encodeURIComponent(idOrName)}`);
      else {
        await localChange(opts, (tokens) => {
          let r;
          try {
            r = tokens.revoke(idOrName);
          } catch (err) {
            throw new CliError((err as Error).message);
          }
          const { hash: _h, ...pub } = r;
          return { record: pub, action: 'token-revoke' };
        });
      }
      process.stderr.write(`revoked ${idOrName}\n`);
    });

  for (const c of [create, list, revoke]) {
    addRemoteFlags(c);
    addConfigFlags(c);
  }
}

/** The `vigil` command line. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { CategoryError, extractExclusionFlags } from '../policy/categories.js';
import { ingestCommand } from './commands/ingest.js';
import { normalizeCommand } from './commands/normalize.js';
import { policyCommand } from './commands/policy.js';
import { queryCommand } from './commands/query.js';
import { serveCommand } from './commands/serve.js';
import { tailCommand } from './commands/tail.js';
import { tokenCommand } from './commands/token.js';
import { exportCommand } from './commands/export.js';
import { keyCommand } from './commands/key.js';
import { proofCommand } from './commands/proof.js';
import { verifyCommand } from './commands/verify.js';
import { isClientError } from '../query/errors.js';
import { setExcludedCategoriesFlag } from './config-flags.js';
import { CliError } from './errors.js';
import { privateUmask } from '../runtime/file-modes.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: collect, normalize (ECS), store tamper-evidently and query security audit logs')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  serveCommand(program);
  ingestCommand(program);
  queryCommand(program);
  tailCommand(program);
  normalizeCommand(program);
  tokenCommand(program);
  policyCommand(program);
  exportCommand(program);
  verifyCommand(program);
  proofCommand(program);
  keyCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // What any command writes into a data dir (the store, its WAL, tokens) is private to this user.
  privateUmask();
  try {
    // commander cannot parse `--flag+=value`, so the exclusion flags are taken out first.
    const { rest, categories } = extractExclusionFlags(argv);
    setExcludedCategoriesFlag(categories);
    await buildProgram().exitOverride().parseAsync(rest);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof CliError || err instanceof ConfigError || err instanceof CategoryError || isClientError(err) || (err as Error).name === 'PolicyErrors') {
      process.stderr.write(`vigil: ${(err as Error).message}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 2;
      return;
    }
    // The store's tree does not match its head (an integrity incident), or the checkpoint key is unusable.
    // … or the store cannot start as configured (a full data volume), or a query ran past query.timeout.
    if (['TreeCorruptError', 'KeyError', 'StartupError', 'QueryTimeoutError'].includes((err as Error).name)) {
      process.stderr.write(`vigil: ${(err as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

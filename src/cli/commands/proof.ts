/**
 * `vigil proof inclusion <seq> [--size S]` and `vigil proof consistency <from> [<to>]`:
 * RFC 9162 proofs as JSON, from the local store or a server. Without a size,
 * proofs are against the latest signed checkpoint.
 */
import type { Command } from 'commander';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { CliError } from '../errors.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

function nonNegative(text: string, what: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new CliError(`${what} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

type Local = import('../local-store.js').LocalStore;

/** Runs `fn` on the data dir's store opened read-only, turning proof argument errors into CLI errors. */
async function withStore<T>(opts: Record<string, unknown>, fn: (store: Local) => Promise<T>): Promise<T> {
  const [{ openLocalStore }, { ProofError }] = await Promise.all([import('../local-store.js'), import('../../integrity/index.js')]);
  const store = await openLocalStore(configFrom(opts), { readOnly: true });
  try {
    return await fn(store);
  } catch (err) {
    if (err instanceof ProofError) throw new CliError(err.message);
    throw err;
  } finally {
    await store.close();
  }
}

async function latestSize(store: Local): Promise<number> {
  const cp = await store.latestCheckpoint();
  if (!cp) throw new CliError('the log has no checkpoint yet; pass a tree size');
  return cp.size;
}

const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));

export function proofCommand(program: Command): void {
  const proof = program.command('proof').description('Print RFC 9162 inclusion and consistency proofs (JSON)');

  const inclusion = proof
    .command('inclusion')
    .description('Prove that the event at <seq> is in the tree of --size events (default: the latest checkpoint)')
    .argument('<seq>', 'the event\'s vigil.seq')
    .option('--size <n>', 'tree size to prove against')
    .action(async (seqText: string, opts: RemoteFlags & { size?: string } & Record<string, unknown>) => {
      const seq = nonNegative(seqText, 'seq');
      const size = opts.size === undefined ? undefined : nonNegative(opts.size, '--size');
      const client = remoteClient(opts);
      let out: unknown;
      if (client) {
        const params = new URLSearchParams({ seq: String(seq), ...(size === undefined ? {} : { size: String(size) }) });
        out = await client.json('GET', `api/v1/proof/inclusion?${params}`);
      } else {
        out = await withStore(opts, async (store) => {
          const s = size ?? (await latestSize(store));
          return { leaf_index: seq, tree_size: s, hashes: hex(await store.inclusionProof(seq, s)) };
        });
      }
      process.stdout.write(`${JSON.stringify(out)}\n`);
    });

  const consistency = proof
    .command('consistency')
    .description('Prove that the tree of <to> events (default: the latest checkpoint) extends the tree of <from> events')
    .argument('<from>', 'the older tree size')
    .argument('[to]', 'the newer tree size')
    .action(async (fromText: string, toText: string | undefined, opts: RemoteFlags & Record<string, unknown>) => {
      const first = nonNegative(fromText, 'from');
      const second = toText === undefined ? undefined : nonNegative(toText, 'to');
      const client = remoteClient(opts);
      let out: unknown;
      if (client) {
        const params = new URLSearchParams({ from: String(first), ...(second === undefined ? {} : { to: String(second) }) });
        out = await client.json('GET', `api/v1/proof/consistency?${params}`);
      } else {
        out = await withStore(opts, async (store) => {
          const s = second ?? (await latestSize(store));
          return { first, second: s, hashes: hex(await store.consistencyProof(first, s)) };
        });
      }
      process.stdout.write(`${JSON.stringify(out)}\n`);
    });

  for (const c of [inclusion, consistency]) {
    addRemoteFlags(c);
    addConfigFlags(c);
  }
}

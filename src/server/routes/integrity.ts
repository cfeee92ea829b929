/**
 * Tamper evidence over HTTP: signed checkpoints, the verifier key, RFC 9162
 * inclusion and consistency proofs, and the log's leaves for remote verify.
 *
 *   GET /api/v1/checkpoint                       latest signed checkpoint (text/plain)
 *   GET /api/v1/checkpoints?from=SIZE&limit=N    checkpoints with tree size >= SIZE, oldest first
 *   GET /api/v1/checkpoint/key                   verifier key (text/plain)
 *   GET /api/v1/proof/inclusion?seq=N&size=S     {"leaf_index","tree_size","hashes"}
 *   GET /api/v1/proof/consistency?from=A&to=B    {"first","second","hashes"}
 *   GET /api/v1/log/entries?start=A&end=B        the leaves [A, B) with their events (audited read)
 *   GET /api/v1/log/pruned                       what retention deleted, by run
 *
 * Checkpoints, the key and proofs carry hashes only, so any valid token may
 * read them; the entries are the audit log itself and need `read`.
 */
import type { FastifyInstance } from 'fastify';
import { ProofError } from '../../integrity/index.js';
import type { Checkpointer } from '../../integrity/signing/index.js';
import type { Ledger, StoredCheckpoint } from '../../store/ledger.js';
import type { AccessLog } from '../access-log.js';
import { ApiError } from '../errors.js';

/** Most leaves one entries request returns. */
export const MAX_ENTRIES = 10_000;
const MAX_CHECKPOINTS = 1000;

export interface IntegrityDeps {
  ledger: Ledger;
  checkpoints: Checkpointer | undefined;
  access: AccessLog;
}

function int(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw new ApiError('bad_request', `${name}: a non-negative integer is required`);
  }
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new ApiError('bad_request', `${name}: not a non-negative integer: ${JSON.stringify(value)}`);
  return Number(value);
}

const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));

export const checkpointJson = (cp: StoredCheckpoint) => ({ size: cp.size, root_hash: cp.root.toString('hex'), issued: cp.issued, note: cp.note });

/** Proof arguments the store rejects (sizes beyond the tree, index >= size) are the client's error. */
async function proof<T>(make: () => Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (err) {
    if (err instanceof ProofError && (err.code === 'INVALID_ARGUMENT' || err.code === 'INDEX_OUT_OF_RANGE')) throw new ApiError('bad_request', err.message);
    throw err;
  }
}

export function integrityRoutes(app: FastifyInstance, deps: IntegrityDeps): void {
  const { ledger } = deps;

  app.get('/api/v1/checkpoint', { config: { scope: 'any' } }, async (_req, reply) => {
    const cp = await ledger.latestCheckpoint();
    if (!cp) throw new ApiError('not_found', 'no checkpoint yet: the log is empty');
    return reply.type('text/plain; charset=utf-8').send(cp.note);
  });

  app.get<{ Querystring: { from?: string; limit?: string } }>('/api/v1/checkpoints', { config: { scope: 'any' } }, async (req) => {
    const from = int(req.query.from, 'from', 0);
    const limit = Math.min(int(req.query.limit, 'limit', MAX_CHECKPOINTS), MAX_CHECKPOINTS);
    return { checkpoints: (await ledger.checkpoints(from, limit)).map(checkpointJson) };
  });

  app.get('/api/v1/checkpoint/key', { config: { scope: 'any' } }, async (_req, reply) => {
    if (!deps.checkpoints) throw new ApiError('not_found', 'this server does not sign checkpoints (integrity.sealing is off)');
    return reply.type('text/plain; charset=utf-8').send(`${deps.checkpoints.key.verifierKey}\n`);
  });

  app.get<{ Querystring: { seq?: string; size?: string } }>('/api/v1/proof/inclusion', { config: { scope: 'any' } }, async (req) => {
    const seq = int(req.query.seq, 'seq');
    let size: number;
    if (req.query.size !== undefined) size = int(req.query.size, 'size');
    else {
      const cp = await ledger.latestCheckpoint();
      if (!cp || seq >= cp.size) throw new ApiError('bad_request', `seq ${seq} is not in a checkpoint yet; pass size= (at most ${ledger.treeHead().size})`);
      size = cp.size;
    }
    const hashes = await proof(() => ledger.inclusionProof(seq, size));
    return { leaf_index: seq, tree_size: size, hashes: hex(hashes) };
  });

  app.get<{ Querystring: { from?: string; to?: string } }>('/api/v1/proof/consistency', { config: { scope: 'any' } }, async (req) => {
    const first = int(req.query.from, 'from');
    const second = req.query.to === undefined ? ((await ledger.latestCheckpoint())?.size ?? 0) : int(req.query.to, 'to');
    const hashes = await proof(() => ledger.consistencyProof(first, second));
    return { first, second, hashes: hex(hashes) };
  });

  app.get<{ Querystring: { start?: string; end?: string } }>('/api/v1/log/entries', { config: { scope: 'read' } }, async (req, reply) => {
    // Checked inside the audited read, so a refused range is recorded as a failed read.
    const entries = await deps.access.audited(req, 'log-entries', `[${req.query.start ?? 0}, ${req.query.end ?? ''})`, () => {
      const start = int(req.query.start, 'start', 0);
      const head = ledger.treeHead().size;
      const end = Math.min(int(req.query.end, 'end', Math.min(head, start + MAX_ENTRIES)), start + MAX_ENTRIES);
      if (end > head) throw new ApiError('bad_request', `end ${end} is beyond the tree (${head} events)`);
      return proof(() => ledger.entries(start, end));
    });
    const lines = entries.map((e) => {
      const head = `{"seq":${e.seq},"leaf_hash":${e.leafHash ? `"${e.leafHash.toString('hex')}"` : 'null'}`;
      if (e.doc !== undefined) return `${head},"event":${e.doc}}`;
      return `${head},${e.pruned ? '"pruned":true' : '"missing":true'}}`;
    });
    return reply.type('application/x-ndjson').send(lines.length ? `${lines.join('\n')}\n` : '');
  });

  app.get('/api/v1/log/pruned', { config: { scope: 'any' } }, async () => ({ runs: await ledger.prunedRuns() }));
}

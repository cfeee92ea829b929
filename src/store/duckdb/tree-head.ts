/**
 * The store's tree head (its compact range) from commit to commit: loaded at
 * open and, for a writer, checked against the stored tree; extended by each
 * commit with the leaf hashes of the batches it appends.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { CompactRange, HASH_SIZE, appendStoredBatch, hashEquals, storedHashCount } from '../../integrity/index.js';
import { TreeCorruptError } from '../errors.js';
import type { DuckDBStaged } from './rows.js';
import { appendTreeHashes, readNodes, readTreeHead, saveTreeHeadSql, storedHashTotal } from './tree.js';


/**
 * The persisted head of the store in `file`, which holds events up to seq
 * `next - 1`. With `check` (a writer), also checks that the events are all
 * sealed (when the store seals) and that the stored tree adds up to the head.
 */
export async function loadTreeHead(
  conn: DuckDBConnection,
  file: string,
  schemaVersion: number,
  next: number,
  check?: { sealing: boolean },
): Promise<CompactRange> {
  const state = await readTreeHead(conn, schemaVersion);
  const range = state ? CompactRange.fromState(JSON.parse(state)) : CompactRange.empty();
  if (!check) return range;
  if (check.sealing && next > range.size) {
    throw new TreeCorruptError(
      `${file}: events up to seq ${next - 1} are stored, but only ${range.size} are sealed into the tree ` +
        `(were they added with integrity.sealing off, or inserted directly?); run 'vigil verify --data ...'`,
    );
  }
  const total = await storedHashTotal(conn);
  if (total !== storedHashCount(range.size)) {
    throw new TreeCorruptError(
      `${file}: the tree head says ${range.size} events, but ${total} tree hashes are stored ` +
        `(want ${storedHashCount(range.size)}); run 'vigil verify --data ...'`,
    );
  }
  const stored = await readNodes(conn, range.nodeIds());
  if (!stored.every((h, i) => hashEquals(h, range.hashes[i]))) {
    throw new TreeCorruptError(`${file}: the stored tree does not match its head; run 'vigil verify --data ...'`);
  }
  return range;
}

/**
 * Seals appended batches, inside the caller's transaction: writes the hashes
 * they add to the tree and returns the new head, which becomes the store's
 * once the caller has committed, and the statement that saves it (run with
 * the COMMIT, in one round trip).
 */
export async function sealBatches(conn: DuckDBConnection, head: CompactRange, batches: readonly DuckDBStaged[]): Promise<{ range: CompactRange; save: string }> {
  const leaves = new Uint8Array(batches.reduce((n, b) => n + b.count, 0) * HASH_SIZE);
  let at = 0;
  for (const b of batches) {
    if (!b.leafHashes) throw new Error('DuckDBStore.append: a batch staged without sealing reached a sealing store');
    leaves.set(b.leafHashes, at);
    at += b.leafHashes.length;
  }
  const { range, stored } = appendStoredBatch(head, leaves);
  await appendTreeHashes(conn, storedHashCount(head.size), stored);
  return { range, save: saveTreeHeadSql(range.state()) };
}

/** Leaf hashes of a buffer of documents separated by '\n' (canonical JSON never contains a raw newline). */
import { CompactRange, HASH_SIZE, appendStored, hashLeaf } from '../integrity/index.js';

/** Writes SHA-256(0x00 || line) of each line into `out` (32 bytes each); returns the number of lines. */
export function hashLinesInto(buf: Uint8Array, out: Buffer): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = 0;
  let start = 0;
  for (;;) {
    const nl = b.indexOf(0x0a, start);
    const end = nl < 0 ? b.length : nl;
    if (n * HASH_SIZE >= out.length) throw new RangeError('more lines than expected');
    out.set(hashLeaf(b.subarray(start, end)), n * HASH_SIZE);
    n++;
    if (nl < 0) return n;
    start = nl + 1;
  }
}

/**
 * The hashes a block of `count` leaves adds to the stored-hash sequence of a
 * tree that starts with them (src/integrity/stored.ts): for a block of 2^k
 * leaves aligned at a multiple of 2^k, exactly its perfect subtree — leaves
 * and interior nodes in stored order, ending with the block's root.
 * `subtree` false: just the leaf hashes.
 */
export function hashBlock(buf: Uint8Array, count: number, subtree: boolean): Buffer {
  const leaves = Buffer.alloc(count * HASH_SIZE);
  const n = hashLinesInto(buf, leaves);
  if (n !== count) throw new RangeError(`block has ${n} documents, expected ${count}`);
  if (!subtree) return leaves;
  const list = new Array<Buffer>(count);
  for (let i = 0; i < count; i++) list[i] = leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  return appendStored(CompactRange.empty(), list);
}

/**
 * `vigil verify --data DIR`: checks a DuckDB store from its own bytes.
 *
 *  1. Every stored checkpoint: signature (log key), origin, and that its row
 *     agrees with the signed note.
 *  2. Every retention run: its pruned ranges must hash to the digest in the
 *     run's sealed `vigil.retention` event.
 *  3. One pass in sequence order over events and stored tree hashes, a window
 *     at a time: each event's leaf is recomputed from its stored bytes
 *     (worker threads) and must equal the stored leaf, and the bytes must be
 *     the event's canonical JSON; pruned seqs use the stored leaf; the tree
 *     is rebuilt and every stored interior node, and the root at every
 *     checkpoint's size, must match. Roots of consecutive checkpoints
 *     recomputed from one sequence of leaves are consistent by construction
 *     (each tree is a prefix of the next).
 *  4. Nothing beyond the tree: no events past its size, no extra tree hashes,
 *     and the persisted head equals the rebuilt frontier.
 *
 * The first failure stops the pass and is classified (modified, deleted,
 * inserted, reordered) with targeted lookups (local-reads.ts).
 *
 * Speed: while the hashing threads work on one window, DuckDB reads the
 * next. A window is read as one aggregate per block of GROUP seqs (their
 * documents as one buffer, unsorted); a block whose rows come back complete
 * and in order is hashed, subtree and all, in a few WebAssembly calls
 * (hash-block.ts) and compared with its stored hashes with one memcmp.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { HASH_SIZE, hashEquals, storedHashCount, storedHashIndex, toHex } from '../../integrity/index.js';
import type { DuckDBStore } from './duckdb-store.js';
import { readTreeHead } from './tree.js';
import type { BlockResult, NonCanonical } from '../../integrity/verify/hash-block.js';
import { BlockHashPool } from '../../integrity/verify/hash-pool.js';
import { checkCheckpoints } from '../../integrity/verify/checkpoints.js';
import { checkRuns, classify, mergeRanges, num, prunedLookup, readBlocks, readRows, rows, storedRange } from './verify-reads.js';
import { TreeReplay } from '../../integrity/verify/replay.js';
import { startReport, type VerifyFailure, type VerifyReport } from '../../integrity/verify/report.js';
import { CANONICAL_EVERY, type VerifyOptions } from '../../integrity/verify/options.js';

/** Sequence numbers per window (one read), and how many windows are read ahead of the one being checked. */
const WINDOW = 65_536;
const AHEAD = 2;
/** Events per block handed to a hashing thread: a perfect subtree of height GROUP_LEVEL. */
const GROUP = 2048;
const GROUP_LEVEL = Math.log2(GROUP);

/** The seqs [start, end) of one aligned block; `hashed` unless no row is stored there. */
interface Block {
  start: number;
  end: number;
  hashed?: Promise<BlockResult>;
}

interface Window {
  from: number;
  to: number;
  /** Stored hashes for positions [storedHashCount(from), storedHashCount(to)). */
  stored: Buffer;
  blocks: Block[];
  failure?: VerifyFailure;
}

/** What every block of one verify pass is checked with. */
interface Pass {
  conn: DuckDBConnection;
  replay: TreeReplay;
  report: VerifyReport;
  isPruned: (seq: number) => boolean;
  /** The tree size being verified. */
  size: number;
}

/** The stored hashes at positions [a, b) of the current window. */
type StoredOf = (a: number, b: number) => Buffer;

/** Leaves of one block, checked leaf by leaf. */
interface Leaves {
  start: number;
  end: number;
  leaves: Map<number, Buffer>;
  duplicates: number[];
  nonCanonical?: NonCanonical;
}

function notCanonical(n: NonCanonical): VerifyFailure {
  return {
    kind: 'modified',
    seq: n.seq,
    message: `the event stored at seq ${n.seq} is not its canonical JSON (RFC 8785: ${n.why}): these are the bytes that were sealed, but whoever re-serializes the event gets another leaf hash, so its proofs fail`,
  };
}

export class LocalVerifier {
  private readonly pool: BlockHashPool;
  private readonly canonicalEvery: number;

  constructor(
    private readonly store: DuckDBStore,
    private readonly opts: VerifyOptions,
  ) {
    this.pool = new BlockHashPool(opts.threads);
    this.canonicalEvery = Math.max(1, Math.floor(opts.canonicalEvery ?? CANONICAL_EVERY));
  }

  async run(): Promise<VerifyReport> {
    const { report, done } = startReport();
    const conn = await this.store.connect();
    // One DuckDB thread: the cores are for hashing, and a single-threaded
    // aggregate reads a block's rows in storage order, so none needs re-reading.
    const threads = (await rows(conn, "SELECT current_setting('threads')"))[0][0];
    await conn.run('SET threads = 1');
    try {
      return done(await this.verify(conn, report));
    } finally {
      await conn.run(`SET threads = ${Number(threads)}`);
      conn.closeSync();
      await this.pool.close();
    }
  }

  private async verify(conn: DuckDBConnection, report: VerifyReport): Promise<VerifyFailure | undefined> {
    if (this.store.schema < 2) {
      return { kind: 'unsealed', seq: 0, message: 'this store predates tamper evidence (schema 1); open it once with a current Vigil to seal it' };
    }
    // 1. checkpoints
    const cpRows = await rows(conn, 'SELECT size, root, note FROM checkpoints');
    const { trusted, failure: cpFailure } = checkCheckpoints(
      cpRows.map(([size, root, note]) => ({ size: num(size), root: Buffer.from((root as { bytes: Uint8Array }).bytes), note: note as string })),
      this.opts.verifierKey,
    );
    if (cpFailure) return cpFailure;
    report.checkpoints = trusted.length;

    // 2. the tree head and retention runs
    const headState = await readTreeHead(conn, this.store.schema);
    const head = headState ? (JSON.parse(headState) as { size: number; hashes: string[] }) : { size: 0, hashes: [] };
    const size = head.size;
    report.size = size;
    const runs = await this.store.prunedRuns();
    const runFailure = await checkRuns(conn, runs);
    if (runFailure) return runFailure;
    report.pruned.ranges = mergeRanges(runs.flatMap((r) => r.ranges).sort((a, b) => a[0] - b[0]));

    // 3. the pass
    const replay = new TreeReplay(trusted);
    const passFailure = await this.pass(conn, report, replay, size);
    if (passFailure) return passFailure;
    report.root = toHex(replay.range.root());
    report.checkpoints = replay.matched;

    // 4. nothing beyond the tree
    const end = replay.finish();
    if (end) return end;
    const beyond = await rows(conn, 'SELECT min(seq) FROM events WHERE seq >= $1', [BigInt(size)]);
    if (beyond[0][0] !== null) {
      const seq = num(beyond[0][0]);
      return {
        kind: this.store.sealing ? 'inserted' : 'unsealed',
        seq,
        message: `an event is stored at seq ${seq}, beyond the sealed tree of ${size} events (inserted directly, or stored with integrity.sealing off)`,
      };
    }
    const extra = await rows(conn, 'SELECT coalesce(max(first + octet_length(hashes) // 32), 0) FROM tree_hashes');
    if (num(extra[0][0]) > storedHashCount(size)) {
      return { kind: 'tree', seq: size, message: `tree hashes are stored beyond the tree head (${size} events)` };
    }
    const frontier = replay.range.hashes.map(toHex);
    if (frontier.length !== head.hashes.length || frontier.some((h, i) => h !== head.hashes[i])) {
      return { kind: 'tree', seq: size, message: 'the persisted tree head does not match the tree rebuilt from the events' };
    }
    return undefined;
  }

  /** Step 3: every window in order, the next ones read while this one is checked. */
  private async pass(conn: DuckDBConnection, report: VerifyReport, replay: TreeReplay, size: number): Promise<VerifyFailure | undefined> {
    const ranges = report.pruned.ranges;
    const run: Pass = { conn, replay, report, isPruned: prunedLookup(ranges), size };
    const anyPruned = (start: number, end: number) => ranges.some(([a, b]) => a < end && b > start);
    const ahead: Promise<Window>[] = [];
    let from = 0;
    // Keep DuckDB reading: AHEAD windows are asked for beyond the one being checked.
    const readAhead = () => {
      for (; ahead.length < AHEAD && from < size; from += WINDOW) ahead.push(this.loadWindow(conn, from, Math.min(size, from + WINDOW), anyPruned));
    };
    try {
      readAhead();
      for (let w = await ahead.shift(); w; w = await ahead.shift()) {
        readAhead();
        if (w.failure) return w.failure;
        const base = storedHashCount(w.from);
        const stored = w.stored;
        const storedOf = (a: number, b: number) => stored.subarray((a - base) * HASH_SIZE, (b - base) * HASH_SIZE);
        for (const block of w.blocks) {
          const f = await this.checkBlock(run, block, storedOf);
          if (f) return f;
        }
        this.opts.onProgress?.(w.to, size);
      }
      return undefined;
    } finally {
      await Promise.allSettled(ahead); // leave no read running on the connection
    }
  }

  /** One block: a complete one whose subtree equals the stored hashes is appended whole; anything else leaf by leaf. */
  private async checkBlock(run: Pass, block: Block, storedOf: StoredOf): Promise<VerifyFailure | undefined> {
    const { conn, replay, report } = run;
    const hashed = block.hashed ? await block.hashed : undefined;
    let leaves: Leaves;
    if (hashed?.kind === 'subtree') {
      const subtree = Buffer.from(hashed.hashes.buffer, hashed.hashes.byteOffset, hashed.hashes.byteLength);
      // The block's own stored hashes come first, then the nodes above it that its last leaf completes.
      const own = storedHashCount(block.start);
      const above = own + subtree.length / HASH_SIZE;
      if (storedOf(own, above).equals(subtree)) {
        if (hashed.nonCanonical) return notCanonical(hashed.nonCanonical);
        const f = replay.appendBlock(subtree, GROUP_LEVEL, storedOf(above, storedHashCount(block.end)));
        if (!f) report.events += GROUP;
        return f;
      }
      // Something differs: find out what, leaf by leaf.
      const m = new Map<number, Buffer>();
      for (let i = 0; i < GROUP; i++) {
        const at = storedHashIndex(0, i) * HASH_SIZE;
        m.set(block.start + i, subtree.subarray(at, at + HASH_SIZE));
      }
      leaves = { ...block, leaves: m, duplicates: [], nonCanonical: hashed.nonCanonical };
    } else if (hashed?.kind === 'leaves') {
      const m = new Map<number, Buffer>();
      const h = Buffer.from(hashed.hashes.buffer, hashed.hashes.byteOffset, hashed.hashes.byteLength);
      hashed.seqs.forEach((seq, i) => m.set(seq, h.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)));
      leaves = { ...block, leaves: m, duplicates: [], nonCanonical: hashed.nonCanonical };
    } else if (hashed?.kind === 'unframed') {
      // Doubled or disordered rows, or a document with a newline: read them one by one.
      leaves = { ...block, ...(await readRows(conn, block.start, block.end)) }; // every document checked for canonical form
    } else {
      leaves = { ...block, leaves: new Map(), duplicates: [] };
    }
    return this.leafByLeaf(run, leaves, storedOf);
  }

  /** Checks the leaves [start, end) one by one against the stored ones and appends them. */
  private async leafByLeaf(run: Pass, block: Leaves, storedOf: StoredOf): Promise<VerifyFailure | undefined> {
    const { conn, replay, report, isPruned, size } = run;
    for (let seq = block.start; seq < block.end; seq++) {
      const stored = storedOf(storedHashCount(seq), storedHashCount(seq + 1));
      const storedLeaf = stored.subarray(0, HASH_SIZE);
      const leaf = block.leaves.get(seq);
      const pruned = isPruned(seq);
      let use: Uint8Array;
      if (block.duplicates.includes(seq)) {
        return { kind: 'inserted', seq, message: `two events are stored with seq ${seq}; only one was sealed there` };
      } else if (leaf) {
        if (pruned) return { kind: 'inserted', seq, message: `an event is stored at seq ${seq}, which retention deleted` };
        if (!hashEquals(leaf, storedLeaf)) return classify(conn, seq, Buffer.from(leaf), Buffer.from(storedLeaf), size);
        if (block.nonCanonical?.seq === seq) return notCanonical(block.nonCanonical);
        report.events++;
        use = leaf;
      } else if (pruned) {
        report.pruned.events++;
        use = storedLeaf;
      } else {
        return { kind: 'deleted', seq, message: `the event sealed at seq ${seq} (leaf hash ${toHex(storedLeaf)}) is missing` };
      }
      const f = replay.append(use, stored);
      if (f) return f;
    }
    return undefined;
  }

  /** Events and stored hashes of [from, to) (from a multiple of GROUP), each block handed to a hashing thread. */
  private async loadWindow(conn: DuckDBConnection, from: number, to: number, anyPruned: (start: number, end: number) => boolean): Promise<Window> {
    const w: Window = { from, to, stored: Buffer.alloc(0), blocks: [] };
    const [tiles, groups] = await Promise.all([storedRange(conn, storedHashCount(from), storedHashCount(to)), readBlocks(conn, from, to, GROUP)]);
    w.stored = tiles.bytes;
    if (tiles.failure) {
      w.failure = tiles.failure;
      return w;
    }
    for (let start = from; start < to; start += GROUP) {
      const end = Math.min(to, start + GROUP);
      const group = groups.get(start / GROUP);
      if (!group) {
        w.blocks.push({ start, end });
        continue;
      }
      const subtree = end - start === GROUP && !anyPruned(start, end);
      w.blocks.push({ start, end, hashed: this.pool.hash({ buf: group.bytes, start, size: end - start, rows: group.rows, subtree, canonicalEvery: this.canonicalEvery }) });
    }
    return w;
  }
}

/** Verifies an open store (read-only is enough). */
export function verifyStore(store: DuckDBStore, opts: VerifyOptions): Promise<VerifyReport> {
  return new LocalVerifier(store, opts).run();
}

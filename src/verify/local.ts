/**
 * `vigil verify --data DIR`: checks a DuckDB store from its own bytes.
 *
 *  1. Every stored checkpoint: signature (log key), origin, and that its row
 *     agrees with the signed note.
 *  2. Every retention run: its pruned ranges must hash to the digest in the
 *     run's sealed `vigil.retention` event.
 *  3. One pass in sequence order over events and stored tree hashes, a window
 *     at a time: each event's leaf is recomputed from its stored bytes
 *     (worker threads) and must equal the stored leaf; pruned seqs use the
 *     stored leaf; the tree is rebuilt and every stored interior node, and the
 *     root at every checkpoint's size, must match. Roots of consecutive
 *     checkpoints recomputed from one sequence of leaves are consistent by
 *     construction (each tree is a prefix of the next).
 *  4. Nothing beyond the tree: no events past its size, no extra tree hashes,
 *     and the persisted head equals the rebuilt frontier.
 *
 * The first failure stops the pass and is classified (modified, deleted,
 * inserted, reordered) with targeted lookups.
 */
import type { DuckDBBlobValue, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { HASH_SIZE, hashEquals, hashLeafUtf8, storedHashCount, storedHashIndex, storedNodeAt, toHex } from '../integrity/index.js';
import type { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { RETENTION_DATASET, rangesDigest } from '../store/duckdb/retention.js';
import { HEAD_KEY } from '../store/duckdb/seal-existing.js';
import { TILE_HASHES } from '../store/duckdb/tree.js';
import type { PrunedRun } from '../store/ledger.js';
import { checkCheckpoints } from './checkpoints.js';
import { LeafHashPool } from './hash-pool.js';
import { TreeReplay } from './replay.js';
import type { VerifyFailure, VerifyReport } from './report.js';

/** Sequence numbers per window (one pair of queries). */
const WINDOW = 65_536;
/** Events per block handed to a hashing thread. */
const GROUP = 2048;

export interface VerifyOptions {
  /** The log's verifier key, `<name>+<id>+<base64>`. */
  verifierKey: string;
  /** Called as the pass advances (events done, tree size). */
  onProgress?: (done: number, total: number) => void;
  /** Hashing threads (default: one per core). */
  threads?: number;
}

/** The leaves of one aligned block of GROUP seqs. */
type Block =
  /** Every seq stored once, none pruned: its perfect subtree, hashed on a worker. */
  | { kind: 'full'; start: number; subtree: Promise<Buffer> }
  /** Anything else (the tree's last partial block, gaps, duplicates, pruned seqs): leaf by leaf. */
  | { kind: 'rows'; start: number; end: number; leaves: Promise<Map<number, Buffer>>; duplicates: number[] };

interface Window {
  from: number;
  to: number;
  /** Stored hashes for positions [storedHashCount(from), storedHashCount(to)). */
  stored: Buffer;
  blocks: Block[];
  failure?: VerifyFailure;
}

/** log2(GROUP): blocks are perfect subtrees of this height. */
const GROUP_LEVEL = Math.log2(GROUP);

const num = (v: DuckDBValue) => Number(v as bigint);

async function rows(conn: DuckDBConnection, sql: string, params: DuckDBValue[] = []): Promise<DuckDBValue[][]> {
  return (await conn.runAndReadAll(sql, params)).getRows();
}

/** The stored hashes at positions [from, to), assembled from their tiles; a failure if any is missing or doubled. */
async function storedRange(conn: DuckDBConnection, from: number, to: number): Promise<{ bytes: Buffer; failure?: VerifyFailure }> {
  const bytes = Buffer.alloc((to - from) * HASH_SIZE);
  if (to === from) return { bytes };
  const got = await rows(
    conn,
    'SELECT first, hashes FROM tree_hashes WHERE tile >= $1 AND tile <= $2 ORDER BY first',
    [BigInt(Math.floor(from / TILE_HASHES)), BigInt(Math.floor((to - 1) / TILE_HASHES))],
  );
  let next = from;
  for (const [firstV, hashesV] of got) {
    const first = num(firstV);
    const h = (hashesV as DuckDBBlobValue).bytes;
    const end = first + Math.floor(h.length / HASH_SIZE);
    if (end <= from || first >= to) continue;
    if (first !== next && !(first < from && next === from)) {
      return { bytes, failure: treeGap(Math.min(first, next)) };
    }
    const a = Math.max(first, from);
    const b = Math.min(end, to);
    bytes.set(h.subarray((a - first) * HASH_SIZE, (b - first) * HASH_SIZE), (a - from) * HASH_SIZE);
    next = b;
  }
  if (next !== to) return { bytes, failure: treeGap(next) };
  return { bytes };
}

function treeGap(pos: number): VerifyFailure {
  // The leaf whose append stored this position: the last leaf under the node there.
  const { level, index } = storedNodeAt(pos);
  const seq = (index + 1) * 2 ** level - 1;
  return { kind: 'tree', seq, message: `the stored tree hashes at position ${pos} (stored with seq ${seq}) are missing or doubled` };
}

export class LocalVerifier {
  private readonly pool: LeafHashPool;

  constructor(
    private readonly store: DuckDBStore,
    private readonly opts: VerifyOptions,
  ) {
    this.pool = new LeafHashPool(opts.threads);
  }

  async run(): Promise<VerifyReport> {
    const started = performance.now();
    const conn = await this.store.connect();
    const report: VerifyReport = { ok: false, size: 0, events: 0, pruned: { events: 0, ranges: [] }, checkpoints: 0, root: '', seconds: 0 };
    try {
      const failure = await this.verify(conn, report);
      if (failure) report.failure = failure;
      report.ok = !failure;
    } finally {
      conn.closeSync();
      await this.pool.close();
      report.seconds = (performance.now() - started) / 1000;
    }
    return report;
  }

  private async verify(conn: DuckDBConnection, report: VerifyReport): Promise<VerifyFailure | undefined> {
    if (this.store.schema < 2) {
      return { kind: 'unsealed', seq: 0, message: 'this store predates tamper evidence (schema 1); open it once with a current Vigil to seal it' };
    }
    // 1. checkpoints
    const cpRows = await rows(conn, 'SELECT size, root, note FROM checkpoints');
    const { trusted, failure: cpFailure } = checkCheckpoints(
      cpRows.map(([size, root, note]) => ({ size: num(size), root: Buffer.from((root as DuckDBBlobValue).bytes), note: note as string })),
      this.opts.verifierKey,
    );
    if (cpFailure) return cpFailure;
    report.checkpoints = trusted.length;

    // 2. the tree head and retention runs
    const headRow = await rows(conn, 'SELECT value FROM meta WHERE key = $1', [HEAD_KEY]);
    const head = headRow.length ? (JSON.parse(headRow[0][0] as string) as { size: number; hashes: string[] }) : { size: 0, hashes: [] };
    const size = head.size;
    report.size = size;
    const runs = await this.store.prunedRuns();
    const runFailure = await this.checkRuns(conn, runs);
    if (runFailure) return runFailure;
    const pruned = runs.flatMap((r) => r.ranges).sort((a, b) => a[0] - b[0]);
    report.pruned.ranges = mergeRanges(pruned);

    // 3. the pass
    const replay = new TreeReplay(trusted);
    const isPruned = prunedLookup(report.pruned.ranges);
    let next = this.loadWindow(conn, 0, Math.min(size, WINDOW), pruned);
    for (let from = 0; from < size; from += WINDOW) {
      const w = await next;
      if (w.to < size) next = this.loadWindow(conn, w.to, Math.min(size, w.to + WINDOW), pruned);
      if (w.failure) return w.failure;
      const base = storedHashCount(w.from);
      const storedOf = (a: number, b: number) => w.stored.subarray((a - base) * HASH_SIZE, (b - base) * HASH_SIZE);
      for (const block of w.blocks) {
        if (block.kind === 'full') {
          const subtree = await block.subtree;
          const end = block.start + GROUP;
          // The block's own stored hashes come first, then the nodes above it that its last leaf completes.
          const own = storedOf(storedHashCount(block.start), storedHashCount(block.start) + subtree.length / HASH_SIZE);
          if (own.equals(subtree)) {
            const f = replay.appendBlock(subtree, GROUP_LEVEL, storedOf(storedHashCount(block.start) + subtree.length / HASH_SIZE, storedHashCount(end)));
            if (f) return f;
            report.events += GROUP;
            continue;
          }
          // Something differs: find out what, leaf by leaf.
          const leaves = new Map<number, Buffer>();
          for (let i = 0; i < GROUP; i++) {
            const at = storedHashIndex(0, i) * HASH_SIZE;
            leaves.set(block.start + i, subtree.subarray(at, at + HASH_SIZE));
          }
          const f = await this.leafByLeaf(conn, replay, report, { start: block.start, end, leaves, duplicates: [] }, storedOf, isPruned, size);
          if (f) return f;
        } else {
          const f = await this.leafByLeaf(conn, replay, report, { ...block, leaves: await block.leaves }, storedOf, isPruned, size);
          if (f) return f;
        }
      }
      this.opts.onProgress?.(w.to, size);
    }
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

  /** Checks the leaves [start, end) one by one against the stored ones and appends them. */
  private async leafByLeaf(
    conn: DuckDBConnection,
    replay: TreeReplay,
    report: VerifyReport,
    block: { start: number; end: number; leaves: Map<number, Buffer>; duplicates: number[] },
    storedOf: (a: number, b: number) => Buffer,
    isPruned: (seq: number) => boolean,
    size: number,
  ): Promise<VerifyFailure | undefined> {
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
        if (!hashEquals(leaf, storedLeaf)) return this.classify(conn, seq, leaf, Buffer.from(storedLeaf), size);
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

  /** Events and stored hashes of [from, to) (from a multiple of GROUP), blocks handed to the hashing threads. */
  private async loadWindow(conn: DuckDBConnection, from: number, to: number, pruned: [number, number][]): Promise<Window> {
    const w: Window = { from, to, stored: Buffer.alloc(0), blocks: [] };
    const [tiles, groups] = await Promise.all([
      storedRange(conn, storedHashCount(from), storedHashCount(to)),
      rows(
        conn,
        `SELECT seq // ${GROUP} AS g, min(seq), max(seq), count(*), count(DISTINCT seq), encode(string_agg(doc, chr(10) ORDER BY seq))
         FROM events WHERE seq >= $1 AND seq < $2 GROUP BY g ORDER BY g`,
        [BigInt(from), BigInt(to)],
      ),
    ]);
    w.stored = tiles.bytes;
    if (tiles.failure) {
      w.failure = tiles.failure;
      return w;
    }
    const byGroup = new Map(groups.map((row) => [num(row[0]), row]));
    for (let start = from; start < to; start += GROUP) {
      const end = Math.min(to, start + GROUP);
      const row = byGroup.get(start / GROUP);
      if (!row) {
        w.blocks.push({ kind: 'rows', start, end, leaves: Promise.resolve(new Map()), duplicates: [] });
        continue;
      }
      const [, minV, maxV, countV, distinctV, docs] = row;
      const min = num(minV);
      const count = num(countV);
      const bytes = (docs as DuckDBBlobValue).bytes;
      // Every seq of the block stored exactly once, and none of them pruned.
      const contiguous =
        count === end - start && count === num(distinctV) && min === start && num(maxV) === end - 1 && !pruned.some(([a, b]) => a < end && b > start);
      if (contiguous && count === GROUP) {
        w.blocks.push({ kind: 'full', start, subtree: this.pool.hashBlock(bytes, count, true) });
      } else if (contiguous) {
        const leaves = this.pool.hashBlock(bytes, count).then((h) => {
          const m = new Map<number, Buffer>();
          for (let i = 0; i < count; i++) m.set(start + i, h.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
          return m;
        });
        w.blocks.push({ kind: 'rows', start, end, leaves, duplicates: [] });
      } else {
        // Gaps, duplicates or pruned seqs: read this block row by row.
        const duplicates: number[] = [];
        const detail = await rows(conn, 'SELECT seq, doc FROM events WHERE seq >= $1 AND seq < $2 ORDER BY seq', [BigInt(start), BigInt(end)]);
        const m = new Map<number, Buffer>();
        for (const [seqV, doc] of detail) {
          const seq = num(seqV);
          if (m.has(seq)) duplicates.push(seq);
          else m.set(seq, hashLeafUtf8(doc as string));
        }
        w.blocks.push({ kind: 'rows', start, end, leaves: Promise.resolve(m), duplicates });
      }
    }
    return w;
  }

  /** Each retention run's ranges must match the digest its sealed record carries. */
  private async checkRuns(conn: DuckDBConnection, runs: PrunedRun[]): Promise<VerifyFailure | undefined> {
    if (runs.length === 0) return undefined;
    const records = new Map<number, { seq: number; digest: string }>();
    for (const [seq, doc] of await rows(conn, 'SELECT seq, doc FROM events WHERE dataset = $1', [RETENTION_DATASET])) {
      const r = (JSON.parse(doc as string) as { retention?: { run?: number; ranges_sha256?: string } }).retention;
      if (r?.run !== undefined && r.ranges_sha256) records.set(r.run, { seq: num(seq), digest: r.ranges_sha256 });
    }
    for (const run of runs) {
      const rec = records.get(run.run);
      const first = run.ranges[0][0];
      if (!rec) {
        return { kind: 'deleted', seq: first, message: `seq ${first}… are recorded as pruned by retention run ${run.run}, but no sealed retention record of that run exists` };
      }
      if (rangesDigest(run.ranges) !== rec.digest) {
        return {
          kind: 'deleted',
          seq: first,
          message: `the pruned ranges of retention run ${run.run} do not match its sealed record (seq ${rec.seq}): events were deleted and passed off as retention`,
        };
      }
    }
    return undefined;
  }

  /** Names what happened at the first seq whose event does not hash to its stored leaf. */
  private async classify(conn: DuckDBConnection, seq: number, leaf: Buffer, storedLeaf: Buffer, size: number): Promise<VerifyFailure> {
    const sealedAt = await findSealedSeq(conn, leaf, size);
    const docAt = async (s: number) => {
      const r = await rows(conn, 'SELECT doc FROM events WHERE seq = $1', [BigInt(s)]);
      return r.length === 1 ? hashLeafUtf8(r[0][0] as string) : undefined;
    };
    if (sealedAt === undefined) {
      const following = seq + 1 < size ? await docAt(seq + 1) : undefined;
      if (following && hashEquals(following, storedLeaf)) {
        return { kind: 'inserted', seq, message: `an event that was never sealed is stored at seq ${seq}, and the events after it were renumbered` };
      }
      return {
        kind: 'modified',
        seq,
        message: `the event stored at seq ${seq} is not the one sealed there (its leaf hash is ${toHex(leaf)}, the tree holds ${toHex(storedLeaf)})`,
      };
    }
    const back = await docAt(sealedAt);
    if (back && hashEquals(back, storedLeaf)) {
      return { kind: 'reordered', seq: Math.min(seq, sealedAt), message: `the events sealed at seq ${seq} and ${sealedAt} were swapped` };
    }
    if (sealedAt > seq) {
      return {
        kind: 'deleted',
        seq,
        message: `the event sealed at seq ${sealedAt} is stored at seq ${seq}: ${sealedAt - seq === 1 ? `the event at seq ${seq} was` : `the events at seq ${seq}–${sealedAt - 1} were`} deleted and the later ones renumbered`,
      };
    }
    return { kind: 'reordered', seq, message: `the event sealed at seq ${sealedAt} is stored at seq ${seq}` };
  }
}

/** Where a leaf hash sits in the stored tree (a scan; only run after a failure). */
async function findSealedSeq(conn: DuckDBConnection, leaf: Buffer, size: number): Promise<number | undefined> {
  const res = await conn.stream('SELECT first, hashes FROM tree_hashes ORDER BY first');
  let seq = 0;
  let pos = 0; // stored position of leaf `seq`
  for (;;) {
    const chunk = await res.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return undefined;
    const firsts = chunk.getColumnValues(0);
    const blobs = chunk.getColumnValues(1);
    for (let i = 0; i < chunk.rowCount; i++) {
      const first = num(firsts[i]);
      const h = (blobs[i] as DuckDBBlobValue).bytes;
      const end = first + Math.floor(h.length / HASH_SIZE);
      while (seq < size && pos < end) {
        if (pos >= first && hashEquals(h.subarray((pos - first) * HASH_SIZE, (pos - first + 1) * HASH_SIZE), leaf)) return seq;
        seq++;
        pos = storedHashCount(seq);
      }
    }
  }
}

/** A fast `seq in some pruned range` test for ascending, mostly increasing queries. */
function prunedLookup(ranges: [number, number][]): (seq: number) => boolean {
  return (seq) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid][1] <= seq) lo = mid + 1;
      else if (ranges[mid][0] > seq) hi = mid - 1;
      else return true;
    }
    return false;
  };
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of ranges) {
    const last = out[out.length - 1];
    if (last && last[1] >= a) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Verifies an open store (read-only is enough). */
export function verifyStore(store: DuckDBStore, opts: VerifyOptions): Promise<VerifyReport> {
  return new LocalVerifier(store, opts).run();
}

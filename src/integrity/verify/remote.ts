/**
 * `vigil verify --server URL`: checks a running server from what it serves,
 * the way any third party can — the signed checkpoints, the log's leaves with
 * their events (`/api/v1/log/entries`, an audited read) and RFC 9162
 * consistency proofs between consecutive checkpoints. Every event's leaf is
 * recomputed here (JCS of the event, SHA-256 with the 0x00 prefix) and the
 * tree rebuilt; it must reproduce every checkpoint's signed root.
 */
import {
  fromHex,
  hashLeafUtf8,
  hashEquals,
  toHex,
  verifyConsistency,
} from '../index.js';
import { canonicalJson } from '../../model/canonical.js';
import { RETENTION_DATASET, rangesDigest } from '../../store/index.js';
import type { VigilClient } from '../../cli/client.js';
import { checkCheckpoints } from './checkpoints.js';
import { TreeReplay } from './replay.js';
import { startReport, type VerifyReport } from './report.js';

const PAGE = 10_000;

export interface RemoteVerifyOptions {
  /** The verifier key to trust; default: the one the server serves (and a warning). */
  verifierKey?: string;
  warn?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

interface Entry {
  seq: number;
  leaf_hash: string | null;
  event?: Record<string, unknown>;
  pruned?: boolean;
  missing?: boolean;
}

async function text(client: VigilClient, path: string): Promise<string> {
  const res = await client.request('GET', path);
  const body = await res.text();
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}: ${body}`);
  return body;
}

export async function verifyRemote(client: VigilClient, opts: RemoteVerifyOptions = {}): Promise<VerifyReport> {
  const { report, done } = startReport();
  let key = opts.verifierKey;
  if (!key) {
    key = (await text(client, 'api/v1/checkpoint/key')).trim();
    opts.warn?.(`trusting the key the server serves (${key.split('+')[0]}); pass --key <verifier key> to pin the one you hold`);
  }

  // Every checkpoint, oldest first.
  const notes: string[] = [];
  for (let from = 0; ; ) {
    const page = JSON.parse(await text(client, `api/v1/checkpoints?from=${from}&limit=1000`)) as { checkpoints: { size: number; note: string }[] };
    notes.push(...page.checkpoints.map((c) => c.note));
    if (page.checkpoints.length < 1000) break;
    from = page.checkpoints[page.checkpoints.length - 1].size + 1;
  }
  const { trusted, failure } = checkCheckpoints(notes.map((note) => ({ note })), key);
  if (failure) return done(failure);
  if (trusted.length === 0) return done();
  const size = trusted[trusted.length - 1].size;
  report.size = size;

  // Consecutive checkpoints must be consistent (RFC 9162 §2.1.4).
  for (let i = 1; i < trusted.length; i++) {
    const [a, b] = [trusted[i - 1], trusted[i]];
    const proof = JSON.parse(await text(client, `api/v1/proof/consistency?from=${a.size}&to=${b.size}`)) as { hashes: string[] };
    const v = verifyConsistency(a.size, b.size, proof.hashes.map(fromHex), a.root, b.root);
    if (!v.ok) {
      return done({ kind: 'forged-checkpoint', seq: b.size, message: `the checkpoints of tree sizes ${a.size} and ${b.size} are not consistent: ${v.error.message}` });
    }
  }

  const runs = (JSON.parse(await text(client, 'api/v1/log/pruned')) as { runs: { run: number; ranges: [number, number][] }[] }).runs;
  const pruned = runs.flatMap((r) => r.ranges).sort((x, y) => x[0] - y[0]);
  report.pruned.ranges = pruned;
  const isPruned = (seq: number) => pruned.some(([x, y]) => x <= seq && seq < y);
  const digests = new Map<number, string>();

  const replay = new TreeReplay(trusted);
  for (let start = 0; start < size; start += PAGE) {
    const end = Math.min(size, start + PAGE);
    const body = await text(client, `api/v1/log/entries?start=${start}&end=${end}`);
    const lines = body.split('\n').filter(Boolean);
    let seq = start;
    for (const line of lines) {
      const e = JSON.parse(line) as Entry;
      if (e.seq !== seq) return done({ kind: 'deleted', seq, message: `the server skipped seq ${seq}` });
      const stored = e.leaf_hash ? fromHex(e.leaf_hash) : undefined;
      let leaf: Buffer;
      if (e.event) {
        leaf = hashLeafUtf8(canonicalJson(e.event));
        if (!stored || !hashEquals(leaf, stored)) {
          return done({
            kind: 'modified',
            seq,
            message: `the event served at seq ${seq} hashes to ${toHex(leaf)}, but the tree holds ${stored ? toHex(stored) : 'no leaf'} there`,
          });
        }
        const r = (e.event.event as { dataset?: string } | undefined)?.dataset === RETENTION_DATASET ? (e.event.retention as { run?: number; ranges_sha256?: string }) : undefined;
        if (r?.run !== undefined && r.ranges_sha256) digests.set(r.run, r.ranges_sha256);
        report.events++;
      } else if (e.pruned && stored && isPruned(seq)) {
        leaf = stored;
        report.pruned.events++;
      } else {
        return done({ kind: 'deleted', seq, message: `the event sealed at seq ${seq} is missing` });
      }
      const f = replay.append(leaf);
      if (f) return done(f);
      seq++;
    }
    if (seq !== end) return done({ kind: 'deleted', seq, message: `the server returned no entry for seq ${seq}` });
    opts.onProgress?.(end, size);
  }
  const end = replay.finish();
  if (end) return done(end);
  for (const run of runs) {
    if (digests.get(run.run) !== rangesDigest(run.ranges)) {
      return done({ kind: 'deleted', seq: run.ranges[0][0], message: `the ranges pruned by retention run ${run.run} do not match its sealed record` });
    }
  }
  report.checkpoints = replay.matched;
  report.root = toHex(replay.range.root());
  return done();
}

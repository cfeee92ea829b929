/**
 * `vigil verify --bundle FILE`: checks an export bundle offline, with nothing
 * but the file (and, better, the log's verifier key from elsewhere): the
 * checkpoint's signature, then for every event its leaf hash from its
 * canonical bytes and its RFC 9162 inclusion proof against the checkpoint.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fromHex, hashLeafUtf8, hashEquals, openCheckpoint, parseVerifierKey, toHex, verifyInclusion } from '../index.js';
import { canonicalJson } from '../../model/canonical.js';
import { BUNDLE_VERSION, type BundleHeader, type BundleLine } from '../bundle.js';
import { startReport, type VerifyReport } from './report.js';

export interface BundleVerifyOptions {
  /** The log's verifier key to trust; default: the bundle's own (and a warning). */
  verifierKey?: string;
  warn?: (message: string) => void;
}

/** Verifies a bundle given as lines of text. */
export async function verifyBundleLines(lines: AsyncIterable<string> | Iterable<string>, opts: BundleVerifyOptions = {}): Promise<VerifyReport> {
  const { report, done } = startReport();
  let header: BundleHeader | undefined;
  let root: Buffer | undefined;
  let size = 0;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`bundle line ${lineNo} is not JSON`);
    }
    if (!header) {
      header = value as BundleHeader;
      if (header.vigil_bundle !== BUNDLE_VERSION) throw new Error(`not a Vigil proof bundle (version ${BUNDLE_VERSION}): line 1 lacks "vigil_bundle":${BUNDLE_VERSION}`);
      let key = opts.verifierKey;
      if (!key) {
        key = header.verifier_key;
        opts.warn?.(`trusting the key inside the bundle (${key.split('+')[0]}); pass --key <verifier key> from a source you trust`);
      }
      const verifier = parseVerifierKey(key);
      try {
        const cp = openCheckpoint(header.checkpoint, { origin: verifier.name, verifier });
        root = cp.rootHash;
        size = cp.size;
      } catch (err) {
        return done({ kind: 'forged-checkpoint', seq: header.tree_size, message: `the bundle's checkpoint does not verify: ${(err as Error).message}` });
      }
      if (size !== header.tree_size || toHex(root) !== header.root_hash) {
        return done({ kind: 'forged-checkpoint', seq: size, message: 'the bundle header disagrees with its signed checkpoint' });
      }
      report.size = size;
      report.root = toHex(root);
      report.checkpoints = 1;
      continue;
    }
    const e = value as BundleLine;
    const leaf = hashLeafUtf8(canonicalJson(e.event));
    if (!e.leaf_hash || !hashEquals(leaf, fromHex(e.leaf_hash))) {
      return done({ kind: 'modified', seq: e.seq, message: `the event at seq ${e.seq} hashes to ${toHex(leaf)}, not to the leaf hash recorded for it` });
    }
    const v = verifyInclusion(leaf, e.seq, size, e.proof.map(fromHex), root!);
    if (!v.ok) {
      return done({ kind: 'modified', seq: e.seq, message: `the event at seq ${e.seq} is not in the checkpointed tree of ${size} events: ${v.error.message}` });
    }
    report.events++;
  }
  if (!header) throw new Error('empty bundle');
  return done();
}

export function verifyBundleFile(file: string, opts: BundleVerifyOptions = {}): Promise<VerifyReport> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  return verifyBundleLines(lines, opts);
}

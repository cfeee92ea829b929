/**
 * The auditor's proof bundle (`vigil export --with-proofs`): NDJSON, first a
 * header with everything needed to check the rest offline, then one line per
 * event with its inclusion proof against the header's checkpoint.
 *
 *   {"vigil_bundle":1,"origin":"…","verifier_key":"…","checkpoint":"<signed note>",
 *    "tree_size":S,"root_hash":"<hex>","query":"…","exported":"<RFC 3339>"}
 *   {"seq":N,"leaf_hash":"<hex>","proof":["<hex>",…],"event":{…}}
 *   …
 *
 * To check a line: leaf = SHA-256(0x00 || JCS(event)) must equal leaf_hash,
 * and the RFC 9162 inclusion proof of leaf at index seq in a tree of
 * tree_size leaves must yield the root of the checkpoint, whose Ed25519
 * signature verifies with the log's key.
 */

export const BUNDLE_VERSION = 1;

export interface BundleHeader {
  vigil_bundle: number;
  origin: string;
  verifier_key: string;
  checkpoint: string;
  tree_size: number;
  root_hash: string;
  query: string;
  exported: string;
}

export interface BundleLine {
  seq: number;
  leaf_hash: string;
  proof: string[];
  event: Record<string, unknown>;
}

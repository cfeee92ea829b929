/**
 * Vigil's tamper-evidence core: RFC 9162 Merkle tree hashing, compact ranges,
 * inclusion/consistency proofs and C2SP signed checkpoints. Pure code: no I/O,
 * no database, no clock. Storage reads are passed in as functions, so the
 * DuckDB store and a later ClickHouse store share it.
 *
 * How a store uses it
 * -------------------
 * Leaves are events in commit order; leaf index i is the i-th event ever
 * committed (so it must be dense and never reused).
 *
 * 1. Per ingest batch, inside the transaction that inserts the events:
 *      const leafHashes = hashLeaves(events.map(canonicalBytes));
 *      const range = CompactRange.fromState(loadedState);   // or keep it in memory
 *      const nodes = range.appendAll(leafHashes);           // interior nodes completed
 *    then write, in the SAME transaction as the events:
 *      - each event's leaf hash (it is node (0, index)),
 *      - `nodes` (level >= 1, (level, index) -> hash) into a node table,
 *      - `range.state()` (size + frontier hashes) as the tree head.
 *    A crash therefore never leaves events without their tree nodes, or the
 *    other way round. The root of the new size is `range.root()`.
 *
 * 2. Periodically (not per batch), sign a checkpoint for the current head:
 *      signCheckpoint({ origin, size: range.size, rootHash: range.root() }, signerKey)
 *    and store/publish the signed note. Verifiers use `openCheckpoint` with the
 *    log's verifier key (`<name>+<keyid>+<base64>`), then `verifyInclusion` /
 *    `verifyConsistency` against the checkpoint's size and root.
 *
 * 3. To serve a proof, compute the node ids first and read them in ONE batch:
 *      const plan = inclusionNodes(index, size);        // or consistencyNodes(size1, size2)
 *      const proof = rehash(plan, await readNodes(plan.ids));
 *    (`inclusionProofBatch` / `consistencyProofBatch` / `inclusionProofsBatch`
 *    wrap exactly that). Every id in a plan is a complete node of the tree of
 *    that size: level 0 is a leaf hash, level >= 1 a persisted interior node.
 *    Ephemeral (right-border) nodes are never read; they are rehashed from
 *    the complete nodes covering them.
 *
 * 4. On startup a store can check its head: `rootFromFrontier(size, getNode)`
 *    (reading `frontierNodeIds(size)`) must equal the persisted root.
 *
 * Sizes and indices are plain numbers up to Number.MAX_SAFE_INTEGER (2^53-1).
 */
export {
  HASH_SIZE,
  LEAF_PREFIX,
  NODE_PREFIX,
  emptyRoot,
  fromHex,
  hashChildren,
  hashEquals,
  hashLeaf,
  hashLeafPrefixed,
  hashLeafUtf8,
  hashLeaves,
  toHex,
} from './hash.js';
export {
  CompactRange,
  type CompactRangeState,
  type NodeId,
  type TreeNode,
  coverage,
  decompose,
  frontierNodeIds,
  isComplete,
  nodeKey,
  rangeNodes,
  rangeSize,
  rootFromFrontier,
} from './compact-range.js';
export {
  type BatchNodeReader,
  type NodeReader,
  type ProofErrorCode,
  type ProofNodes,
  ProofError,
  consistencyNodes,
  consistencyProof,
  consistencyProofBatch,
  consistencyProofSize,
  inclusionNodes,
  inclusionProof,
  inclusionProofBatch,
  inclusionProofSize,
  inclusionProofsBatch,
  rehash,
} from './proof.js';
export {
  type Verification,
  rootFromConsistencyProof,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './verify.js';
export {
  ALG_ED25519,
  MAX_NOTE_SIGNATURES,
  type NoteErrorCode,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  NoteError,
  generateNoteKeyPair,
  isValidKeyName,
  noteKeyHash,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  signerKeyFromSeed,
  verifierKeyFromPublicKey,
  verifierKeyOfSigner,
} from './note.js';
export {
  type Checkpoint,
  type CheckpointErrorCode,
  type CheckpointInput,
  type OpenCheckpointOptions,
  type VerifiedCheckpoint,
  CheckpointError,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
export { appendStored, appendStoredBatch, storedHashCount, storedHashIndex, storedNodeAt } from './stored.js';

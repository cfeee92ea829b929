/**
 * RFC 9162 §2.1.1 (= RFC 6962 §2.1) Merkle tree hashing with SHA-256:
 *
 *   MTH({})        = SHA-256()                          (the empty tree)
 *   leaf hash      = SHA-256(0x00 || data)
 *   interior node  = SHA-256(0x01 || left || right)
 *
 * This is on the ingest hot path (one leaf hash per event), so it avoids
 * per-call allocations besides the digest itself: the domain-separation
 * prefix and the input are copied into a reused scratch buffer and hashed in
 * one native call (`crypto.hash`, Node >= 20.12; `createHash` otherwise).
 * Everything is synchronous, so sharing the scratch buffer is safe.
 */
import * as nodeCrypto from 'node:crypto';

/** Size in bytes of every hash in the tree. */
export const HASH_SIZE = 32;
/** Domain-separation prefix for leaf hashes. */
export const LEAF_PREFIX = 0x00;
/** Domain-separation prefix for interior node hashes. */
export const NODE_PREFIX = 0x01;

type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer;
// `crypto.hash` exists from Node 20.12 / 21.7; package.json allows any Node 20.
const oneShot: OneShot | undefined =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function'
    ? ((nodeCrypto as unknown as { hash: OneShot }).hash as OneShot)
    : undefined;

function sha256(data: Uint8Array): Buffer {
  return oneShot ? oneShot('sha256', data, 'buffer') : nodeCrypto.createHash('sha256').update(data).digest();
}

/** Inputs up to this size are copied into the scratch buffer; larger ones are streamed. */
const MAX_SCRATCH = 1 << 20;
let scratch = Buffer.allocUnsafe(4096);
const nodeScratch = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
nodeScratch[0] = NODE_PREFIX;

/** SHA-256 of the empty string: the root of the empty tree. */
const EMPTY_ROOT: Buffer = nodeCrypto.createHash('sha256').digest();

/** Root hash of the empty tree, MTH({}) = SHA-256(""). Returns a fresh copy. */
export function emptyRoot(): Buffer {
  return Buffer.from(EMPTY_ROOT);
}

/** Leaf hash of `data` (the event's canonical bytes): SHA-256(0x00 || data). */
export function hashLeaf(data: Uint8Array): Buffer {
  const n = data.length + 1;
  if (n > MAX_SCRATCH) {
    return nodeCrypto.createHash('sha256').update(Uint8Array.of(LEAF_PREFIX)).update(data).digest();
  }
  if (n > scratch.length) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  scratch[0] = LEAF_PREFIX;
  scratch.set(data, 1);
  return sha256(scratch.subarray(0, n));
}

/**
 * Leaf hash of data that the caller has already written after a 0x00 prefix:
 * `prefixed` = 0x00 || data. Saves the copy when the caller needs the bytes anyway.
 */
export function hashLeafPrefixed(prefixed: Uint8Array): Buffer {
  if (prefixed[0] !== LEAF_PREFIX) throw new Error('hashLeafPrefixed: input must start with the leaf prefix 0x00');
  return sha256(prefixed);
}

/**
 * Leaf hash of a text's UTF-8 bytes, SHA-256(0x00 || utf8(text)), without
 * allocating the encoded bytes: the text is encoded straight into the scratch
 * buffer. A store whose documents are already canonical JSON seals them with this.
 */
export function hashLeafUtf8(text: string): Buffer {
  const max = 3 * text.length + 1; // UTF-8 needs at most 3 bytes per UTF-16 unit
  if (max > MAX_SCRATCH) return hashLeaf(Buffer.from(text, 'utf8'));
  if (max > scratch.length) scratch = Buffer.allocUnsafe(Math.max(max, scratch.length * 2));
  scratch[0] = LEAF_PREFIX;
  const n = scratch.write(text, 1, 'utf8');
  return sha256(scratch.subarray(0, n + 1));
}

/** Leaf hashes of a whole ingest batch, in order. */
export function hashLeaves(items: readonly Uint8Array[]): Buffer[] {
  const out = new Array<Buffer>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = hashLeaf(items[i]);
  return out;
}

/**
 * Interior node hash: SHA-256(0x01 || left || right). The children are
 * normally 32-byte hashes, but any lengths are hashed as given (as the
 * reference implementations do).
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeScratch.set(left, 1);
    nodeScratch.set(right, 1 + HASH_SIZE);
    return sha256(nodeScratch);
  }
  return nodeCrypto.createHash('sha256').update(Uint8Array.of(NODE_PREFIX)).update(left).update(right).digest();
}

/** Byte equality of two hashes (public values, so no constant-time compare is needed). */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Lowercase hex of a hash. */
export function toHex(h: Uint8Array): string {
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
}

/** Parses a 64-character hex hash; throws a RangeError on anything else. */
export function fromHex(hex: string): Buffer {
  if (hex.length !== 2 * HASH_SIZE || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new RangeError(`not a ${HASH_SIZE}-byte hex hash: ${JSON.stringify(hex)}`);
  }
  return Buffer.from(hex, 'hex');
}

/**
 * Inclusion and consistency proof VERIFICATION, written from RFC 9162
 * §2.1.3.2 ("Verifying an Inclusion Proof") and §2.1.4.2 ("Verifying
 * Consistency between Two Tree Heads").
 *
 * The RFC algorithms reject malformed proofs implicitly (they run out of
 * levels, or end with sn != 0). To report *why* a proof fails, the expected
 * proof length is checked up front (as transparency-dev/merkle does), so a
 * failure is one of the typed {@link ProofError} codes:
 * INDEX_OUT_OF_RANGE, INVALID_ARGUMENT, INVALID_HASH_SIZE, WRONG_PROOF_SIZE,
 * EMPTY_PROOF, NON_EMPTY_PROOF, ROOT_MISMATCH, OLD_ROOT_MISMATCH.
 *
 * `rootFrom*` throw a ProofError; `verify*` never throw and return a
 * {@link Verification} carrying the error.
 */
import { assertU53, isOdd, isPowerOfTwo, shr } from './bits.js';
import { HASH_SIZE, hashChildren, hashEquals } from './hash.js';
import { ProofError, consistencyProofSize, inclusionProofSize } from './proof.js';

/** Outcome of a verification: ok, or the typed reason it failed. */
export type Verification = { readonly ok: true } | { readonly ok: false; readonly error: ProofError };

const OK: Verification = Object.freeze({ ok: true as const });

function checkSize(n: number, what: string): void {
  try {
    assertU53(n, what);
  } catch (e) {
    throw new ProofError('INVALID_ARGUMENT', (e as Error).message);
  }
}

function checkHashes(proof: readonly Uint8Array[]): void {
  for (let i = 0; i < proof.length; i++) {
    const p = proof[i];
    if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE) {
      throw new ProofError('INVALID_HASH_SIZE', `proof[${i}] is not a ${HASH_SIZE}-byte hash`);
    }
  }
}

/** Right-shifts fn and sn together until LSB(fn) is set or fn is 0 (the RFC's inner loop). */
function shiftUntilOddOrZero(s: { fn: number; sn: number }): void {
  while (!isOdd(s.fn) && s.fn !== 0) {
    s.fn = shr(s.fn, 1);
    s.sn = shr(s.sn, 1);
  }
}

/**
 * Root hash implied by an inclusion proof for `leafHash` at `index` in a tree
 * of `size` leaves (RFC 9162 §2.1.3.2 steps 1–4). Throws a ProofError.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Buffer {
  checkSize(index, 'index');
  checkSize(size, 'size');
  // 1. leaf_index >= tree_size fails.
  if (index >= size) throw new ProofError('INDEX_OUT_OF_RANGE', `index ${index} >= tree size ${size}`);
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) {
    throw new ProofError('INVALID_HASH_SIZE', `leaf hash is not a ${HASH_SIZE}-byte hash`);
  }
  const want = inclusionProofSize(index, size);
  if (proof.length !== want) {
    throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}, want ${want}`);
  }
  checkHashes(proof);
  // 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
  const s = { fn: index, sn: size - 1 };
  let r: Buffer = Buffer.from(leafHash);
  // 4. For each value p in the inclusion_path:
  for (const p of proof) {
    // a. If sn is 0, stop and fail.
    if (s.sn === 0) throw new ProofError('WRONG_PROOF_SIZE', 'proof is longer than the path to the root');
    // b. If LSB(fn) is set, or fn == sn: r = HASH(0x01 || p || r), and if LSB(fn)
    //    is not set, shift fn and sn until LSB(fn) is set or fn is 0.
    if (isOdd(s.fn) || s.fn === s.sn) {
      r = hashChildren(p, r);
      if (!isOdd(s.fn)) shiftUntilOddOrZero(s);
    } else {
      //  Otherwise r = HASH(0x01 || r || p).
      r = hashChildren(r, p);
    }
    // c. Right-shift fn and sn once.
    s.fn = shr(s.fn, 1);
    s.sn = shr(s.sn, 1);
  }
  // 5. sn must be 0 (the root comparison is the caller's).
  if (s.sn !== 0) throw new ProofError('WRONG_PROOF_SIZE', 'proof is shorter than the path to the root');
  return r;
}

/** Verifies an inclusion proof against a tree head (RFC 9162 §2.1.3.2). */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Verification {
  try {
    const calculated = rootFromInclusionProof(leafHash, index, size, proof);
    // 5. Compare r against root_hash.
    if (!hashEquals(calculated, root)) {
      return fail('ROOT_MISMATCH', 'calculated root does not match the expected root', root, calculated);
    }
    return OK;
  } catch (e) {
    return asFailure(e);
  }
}

/**
 * Root hash of the tree of `size2` leaves implied by a consistency proof from
 * the tree of `size1` leaves with root `root1` (RFC 9162 §2.1.4.2). Also checks
 * that the proof reproduces `root1` (OLD_ROOT_MISMATCH otherwise). For equal
 * sizes the proof must be empty and `root1` is returned. Throws a ProofError.
 */
export function rootFromConsistencyProof(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
): Buffer {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size2 < size1) throw new ProofError('INVALID_ARGUMENT', `size2 (${size2}) < size1 (${size1})`);
  if (size1 === 0) throw new ProofError('INVALID_ARGUMENT', 'consistency proof from empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError('NON_EMPTY_PROOF', 'size1 = size2, but proof is not empty');
    return Buffer.from(root1);
  }
  // 1. An empty consistency_path fails.
  if (proof.length === 0) throw new ProofError('EMPTY_PROOF', 'empty consistency proof');
  const want = consistencyProofSize(size1, size2);
  if (proof.length !== want) {
    throw new ProofError('WRONG_PROOF_SIZE', `wrong proof size ${proof.length}, want ${want}`);
  }
  checkHashes(proof);
  // 2. If first is an exact power of 2, prepend first_hash to the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // 3. fn = first - 1, sn = second - 1.
  const s = { fn: size1 - 1, sn: size2 - 1 };
  // 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
  while (isOdd(s.fn)) {
    s.fn = shr(s.fn, 1);
    s.sn = shr(s.sn, 1);
  }
  // 5. fr = sr = the first value of the path.
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = fr;
  // 6. For each subsequent value c:
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    // a. If sn is 0, stop and fail.
    if (s.sn === 0) throw new ProofError('WRONG_PROOF_SIZE', 'proof is longer than the path to the root');
    // b. If LSB(fn) is set or fn == sn: fr = HASH(0x01||c||fr), sr = HASH(0x01||c||sr),
    //    then if LSB(fn) is not set, shift until LSB(fn) is set or fn is 0.
    if (isOdd(s.fn) || s.fn === s.sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!isOdd(s.fn)) shiftUntilOddOrZero(s);
    } else {
      //  Otherwise sr = HASH(0x01 || sr || c).
      sr = hashChildren(sr, c);
    }
    // c. Right-shift fn and sn once.
    s.fn = shr(s.fn, 1);
    s.sn = shr(s.sn, 1);
  }
  // 7. sn must be 0 and fr must equal first_hash (sr vs second_hash is the caller's).
  if (s.sn !== 0) throw new ProofError('WRONG_PROOF_SIZE', 'proof is shorter than the path to the root');
  if (!hashEquals(fr, root1)) {
    throw new ProofError('OLD_ROOT_MISMATCH', 'proof does not reproduce the old root', { expected: root1, calculated: fr });
  }
  return sr;
}

/** Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Verification {
  try {
    const calculated = rootFromConsistencyProof(size1, size2, proof, root1);
    if (!hashEquals(calculated, root2)) {
      return fail('ROOT_MISMATCH', 'calculated root does not match the expected new root', root2, calculated);
    }
    return OK;
  } catch (e) {
    return asFailure(e);
  }
}

function fail(code: 'ROOT_MISMATCH', message: string, expected: Uint8Array, calculated: Uint8Array): Verification {
  return { ok: false, error: new ProofError(code, message, { expected, calculated }) };
}

function asFailure(e: unknown): Verification {
  if (e instanceof ProofError) return { ok: false, error: e };
  return { ok: false, error: new ProofError('INVALID_ARGUMENT', e instanceof Error ? e.message : String(e)) };
}

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) bodies, signed as
 * C2SP signed notes (see ./note.ts), after transparency-dev/formats `log`:
 *
 *   <origin>\n
 *   <tree size, decimal, no leading zeroes>\n
 *   <base64 root hash>\n
 *   [<extension line>\n ...]              (optional, non-empty)
 *
 * Parsing follows the C2SP text strictly (no leading zeroes, non-empty
 * extension lines, a 32-byte SHA-256 root), which is stricter than
 * transparency-dev/formats' `Checkpoint.Unmarshal`. Tree sizes are limited to
 * Number.MAX_SAFE_INTEGER, like the rest of this module.
 */
import { HASH_SIZE } from './hash.js';
import {
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  NoteError,
  decodeBase64Strict,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './note.js';

export type CheckpointErrorCode =
  /** The note text is not a well-formed checkpoint. */
  | 'MALFORMED_CHECKPOINT'
  /** The checkpoint's origin is not the expected log's. */
  | 'ORIGIN_MISMATCH'
  /** The note verified, but not with the log's own key. */
  | 'NO_LOG_SIGNATURE';

export class CheckpointError extends Error {
  readonly code: CheckpointErrorCode;
  constructor(code: CheckpointErrorCode, message: string) {
    super(message);
    this.name = 'CheckpointError';
    this.code = code;
  }
}

export interface Checkpoint {
  /** Unique identifier of the log, e.g. "vigil.example.com/log". */
  readonly origin: string;
  /** Number of leaves in the tree. */
  readonly size: number;
  /** RFC 6962 root hash of the tree at `size`. */
  readonly rootHash: Buffer;
  /** Optional opaque extension lines (each non-empty). */
  readonly extensions: readonly string[];
}

export interface CheckpointInput {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}

/** A checkpoint whose log signature verified, with the opened note. */
export interface VerifiedCheckpoint extends Checkpoint {
  readonly note: OpenedNote;
}

const SIZE_RE = /^(?:0|[1-9][0-9]*)$/;
const CONTROL_RE = /[\u0000-\u001f]/;

function malformed(why: string): CheckpointError {
  return new CheckpointError('MALFORMED_CHECKPOINT', `malformed checkpoint: ${why}`);
}

/** The checkpoint note text (body), ending in '\n'. Throws CheckpointError on bad input. */
export function formatCheckpoint(cp: CheckpointInput): string {
  if (cp.origin === '' || CONTROL_RE.test(cp.origin)) throw malformed('origin must be a non-empty single line');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw malformed(`invalid tree size ${cp.size}`);
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_SIZE) {
    throw malformed(`root hash must be ${HASH_SIZE} bytes`);
  }
  let text = `${cp.origin}\n${cp.size}\n${Buffer.from(cp.rootHash).toString('base64')}\n`;
  for (const ext of cp.extensions ?? []) {
    if (ext === '' || CONTROL_RE.test(ext)) throw malformed('extension lines must be non-empty single lines');
    text += `${ext}\n`;
  }
  return text;
}

/** Parses checkpoint note text (the body of an opened note). Throws CheckpointError. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('fewer than three lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === '') throw malformed('empty origin');
  if (!SIZE_RE.test(sizeText)) throw malformed(`invalid tree size ${JSON.stringify(sizeText)}`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw malformed(`tree size ${sizeText} exceeds ${Number.MAX_SAFE_INTEGER}`);
  const rootHash = decodeBase64Strict(rootText);
  if (!rootHash) throw malformed('root hash is not base64');
  if (rootHash.length !== HASH_SIZE) throw malformed(`root hash is ${rootHash.length} bytes, want ${HASH_SIZE}`);
  for (const ext of extensions) if (ext === '') throw malformed('empty extension line');
  if (CONTROL_RE.test(text.replaceAll('\n', ''))) throw malformed('control characters');
  return { origin, size, rootHash, extensions };
}

function asSigner(s: NoteSigner | string): NoteSigner {
  return typeof s === 'string' ? parseSignerKey(s) : s;
}

function asVerifier(v: NoteVerifier | string): NoteVerifier {
  return typeof v === 'string' ? parseVerifierKey(v) : v;
}

/**
 * Formats and signs a checkpoint; returns the signed note. `signer` is a
 * {@link NoteSigner} or a `PRIVATE+KEY+...` string; its key name SHOULD equal
 * the origin (C2SP tlog-checkpoint §Signatures).
 */
export function signCheckpoint(cp: CheckpointInput, signer: NoteSigner | string): string {
  return signNote(formatCheckpoint(cp), [asSigner(signer)]);
}

export interface OpenCheckpointOptions {
  /** The origin the checkpoint must carry. */
  origin: string;
  /** The log's verifier (or verifier key string); its signature is required. */
  verifier: NoteVerifier | string;
  /** Further known keys (e.g. witnesses); their signatures must verify if present. */
  otherVerifiers?: readonly (NoteVerifier | string)[];
}

/**
 * Verifies a signed checkpoint and parses it (transparency-dev/formats
 * `log.ParseCheckpoint`): the log's own signature must be present and valid,
 * any signature by another known key must be valid, unknown keys are ignored,
 * and the origin must match. Throws NoteError (signature level) or
 * CheckpointError (checkpoint level).
 */
export function openCheckpoint(signed: string | Uint8Array, opts: OpenCheckpointOptions): VerifiedCheckpoint {
  const logVerifier = asVerifier(opts.verifier);
  const verifiers = [logVerifier, ...(opts.otherVerifiers ?? []).map(asVerifier)];
  let note: OpenedNote;
  try {
    note = openNote(signed, verifiers);
  } catch (e) {
    if (e instanceof NoteError && e.code === 'NO_VERIFIED_SIGNATURE') {
      throw new CheckpointError('NO_LOG_SIGNATURE', 'checkpoint carries no signature from the log key');
    }
    throw e;
  }
  const signedByLog = note.sigs.some((s) => s.name === logVerifier.name && s.keyHash === logVerifier.keyHash);
  if (!signedByLog) throw new CheckpointError('NO_LOG_SIGNATURE', 'checkpoint carries no signature from the log key');
  const cp = parseCheckpoint(note.text);
  if (cp.origin !== opts.origin) {
    throw new CheckpointError('ORIGIN_MISMATCH', `got origin ${JSON.stringify(cp.origin)}, want ${JSON.stringify(opts.origin)}`);
  }
  return { ...cp, note };
}

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys,
 * byte-compatible with golang.org/x/mod/sumdb/note:
 *
 *   <text ending in \n>
 *   <blank line>
 *   — <key name> <base64(key ID[4] || Ed25519 signature[64])>\n   (one or more)
 *
 *   key ID       = SHA-256(name || 0x0A || 0x01 || pubkey)[:4], big-endian
 *   verifier key = <name>+<hex key ID>+<base64(0x01 || pubkey)>
 *   signer key   = PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>
 *
 * Parsing is at least as strict as the Go package: base64 must be canonical
 * standard encoding (padded, zero pad bits), and signing refuses note text
 * that opening would reject (control characters, invalid UTF-8).
 */
import * as crypto from 'node:crypto';

export type NoteErrorCode =
  /** Not a well-formed signed note (syntax, encoding, control characters, too many signatures). */
  | 'MALFORMED_NOTE'
  /** A verifier or signer key string that does not parse. */
  | 'MALFORMED_KEY'
  /** A key of a signature type other than Ed25519 (0x01). */
  | 'UNKNOWN_ALGORITHM'
  /** The key ID in a key string does not match its name and public key. */
  | 'KEY_HASH_MISMATCH'
  /** A key name that is empty or contains spaces or '+'. */
  | 'INVALID_NAME'
  /** Two known verifiers share a name and key ID. */
  | 'AMBIGUOUS_KEY'
  /** A signature from a known key does not verify: the whole note is rejected. */
  | 'INVALID_SIGNATURE'
  /** No signature from a known key: the note must be rejected. */
  | 'NO_VERIFIED_SIGNATURE';

export class NoteError extends Error {
  readonly code: NoteErrorCode;
  /** For NO_VERIFIED_SIGNATURE: the parsed (unverified) note. */
  readonly note?: OpenedNote;
  constructor(code: NoteErrorCode, message: string, note?: OpenedNote) {
    super(message);
    this.name = 'NoteError';
    this.code = code;
    if (note) this.note = note;
  }
}

/** Signature type byte for Ed25519 (signed-note §Signature types). */
export const ALG_ED25519 = 0x01;
/** Most signatures a note may carry before it is rejected (as the Go package). */
export const MAX_NOTE_SIGNATURES = 100;

export interface NoteSigner {
  readonly name: string;
  /** uint32 key ID. */
  readonly keyHash: number;
  sign(msg: Uint8Array): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  verify(msg: Uint8Array, sig: Uint8Array): boolean;
}

/** A signature line: key name, key ID and the base64 exactly as written. */
export interface NoteSignature {
  readonly name: string;
  readonly keyHash: number;
  readonly base64: string;
}

export interface OpenedNote {
  /** Note text, including its final newline. */
  readonly text: string;
  /** Signatures verified by a known key. */
  readonly sigs: NoteSignature[];
  /** Signatures from unknown keys (ignored, as the spec requires). */
  readonly unverifiedSigs: NoteSignature[];
}

const SPACE_RE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SIG_PREFIX = Buffer.from('— ', 'utf8');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Key names must be non-empty, well-formed, without Unicode spaces or '+'. */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !LONE_SURROGATE_RE.test(name) && !SPACE_RE.test(name) && !name.includes('+');
}

/** Strict standard base64 decode; undefined if not canonical. */
export function decodeBase64Strict(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !B64_RE.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}

/** Key ID: first 4 bytes (big-endian uint32) of SHA-256(name || "\n" || typed key). */
export function noteKeyHash(name: string, typedKey: Uint8Array): number {
  const sum = crypto.createHash('sha256').update(name, 'utf8').update('\n').update(typedKey).digest();
  return sum.readUInt32BE(0);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function publicKeyObject(pub: Uint8Array): crypto.KeyObject {
  return crypto.createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
}

function privateKeyObject(seed: Uint8Array): crypto.KeyObject {
  return crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(key: crypto.KeyObject): Buffer {
  const der = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/** Verifier key string for an Ed25519 public key (Go: note.NewEd25519VerifierKey). */
export function verifierKeyFromPublicKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new NoteError('INVALID_NAME', `invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new NoteError('MALFORMED_KEY', `invalid public key size ${publicKey.length}, expected 32`);
  const typed = Buffer.concat([Uint8Array.of(ALG_ED25519), publicKey]);
  return `${name}+${hex8(noteKeyHash(name, typed))}+${typed.toString('base64')}`;
}

/** Signer key string for an Ed25519 seed (32 bytes). */
export function signerKeyFromSeed(name: string, seed: Uint8Array): string {
  if (!isValidKeyName(name)) throw new NoteError('INVALID_NAME', `invalid key name ${JSON.stringify(name)}`);
  if (seed.length !== 32) throw new NoteError('MALFORMED_KEY', `invalid seed size ${seed.length}, expected 32`);
  const pub = rawPublicKey(privateKeyObject(seed));
  const hash = noteKeyHash(name, Buffer.concat([Uint8Array.of(ALG_ED25519), pub]));
  return `PRIVATE+KEY+${name}+${hex8(hash)}+${Buffer.concat([Uint8Array.of(ALG_ED25519), seed]).toString('base64')}`;
}

/** A fresh Ed25519 key pair as note key strings (Go: note.GenerateKey). Keep `signerKey` secret. */
export function generateNoteKeyPair(name: string): { signerKey: string; verifierKey: string } {
  const seed = crypto.randomBytes(32);
  const signerKey = signerKeyFromSeed(name, seed);
  seed.fill(0);
  return { signerKey, verifierKey: verifierKeyOfSigner(signerKey) };
}

function parseKeyParts(prefixCount: number, key: string): { prefix: string[]; name: string; hash: number; key: Buffer } {
  // Go splits with strings.Cut one '+' at a time; base64 may itself contain '+'.
  const parts: string[] = [];
  let rest = key;
  for (let i = 0; i < prefixCount + 2; i++) {
    const at = rest.indexOf('+');
    if (at < 0) throw new NoteError('MALFORMED_KEY', 'malformed key');
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  const name = parts[prefixCount];
  const hash16 = parts[prefixCount + 1];
  const decoded = decodeBase64Strict(rest);
  if (!/^[0-9a-fA-F]{8}$/.test(hash16) || !decoded || decoded.length === 0 || !isValidKeyName(name)) {
    throw new NoteError('MALFORMED_KEY', 'malformed key');
  }
  return { prefix: parts.slice(0, prefixCount), name, hash: parseInt(hash16, 16), key: decoded };
}

/** Parses a verifier key string (Go: note.NewVerifier). */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, hash, key } = parseKeyParts(0, vkey);
  if (hash !== noteKeyHash(name, key)) throw new NoteError('KEY_HASH_MISMATCH', 'invalid verifier hash');
  if (key[0] !== ALG_ED25519) throw new NoteError('UNKNOWN_ALGORITHM', 'unknown verifier algorithm');
  const pub = key.subarray(1);
  if (pub.length !== 32) throw new NoteError('MALFORMED_KEY', 'malformed verifier key');
  let keyObject: crypto.KeyObject;
  try {
    keyObject = publicKeyObject(pub);
  } catch {
    throw new NoteError('MALFORMED_KEY', 'malformed verifier key');
  }
  return {
    name,
    keyHash: hash,
    verify(msg: Uint8Array, sig: Uint8Array): boolean {
      if (sig.length !== 64) return false;
      try {
        return crypto.verify(null, msg, keyObject, sig);
      } catch {
        return false;
      }
    },
  };
}

function parseSigner(skey: string): { name: string; hash: number; priv: crypto.KeyObject; pub: Buffer } {
  const { prefix, name, hash, key } = parseKeyParts(2, skey);
  if (prefix[0] !== 'PRIVATE' || prefix[1] !== 'KEY') throw new NoteError('MALFORMED_KEY', 'malformed signer key');
  if (key[0] !== ALG_ED25519) throw new NoteError('UNKNOWN_ALGORITHM', 'unknown signer algorithm');
  const seed = key.subarray(1);
  if (seed.length !== 32) throw new NoteError('MALFORMED_KEY', 'malformed signer key');
  const priv = privateKeyObject(seed);
  seed.fill(0);
  const pub = rawPublicKey(priv);
  // The key ID is over the public key, so it is checked after deriving it.
  if (hash !== noteKeyHash(name, Buffer.concat([Uint8Array.of(ALG_ED25519), pub]))) {
    throw new NoteError('KEY_HASH_MISMATCH', 'invalid signer hash');
  }
  return { name, hash, priv, pub };
}

/** Parses a signer key string (Go: note.NewSigner); checks the key ID against the derived public key. */
export function parseSignerKey(skey: string): NoteSigner {
  const { name, hash, priv } = parseSigner(skey);
  return { name, keyHash: hash, sign: (msg: Uint8Array) => crypto.sign(null, msg, priv) };
}

/** The verifier key matching a signer key. */
export function verifierKeyOfSigner(skey: string): string {
  const { name, pub } = parseSigner(skey);
  return verifierKeyFromPublicKey(name, pub);
}

/** Bytes of a note (or note text), checked: well-formed UTF-8, no control characters but '\n'. */
function noteBytes(msg: string | Uint8Array): Buffer | undefined {
  let bytes: Buffer;
  if (typeof msg === 'string') {
    if (LONE_SURROGATE_RE.test(msg)) return undefined;
    bytes = Buffer.from(msg, 'utf8');
  } else {
    bytes = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return undefined;
    }
  }
  for (let i = 0; i < bytes.length; i++) if (bytes[i] < 0x20 && bytes[i] !== 0x0a) return undefined;
  return bytes;
}

function signatureLine(name: string, b64: string): string {
  return `— ${name} ${b64}\n`;
}

/**
 * Signs `text` (which must end in '\n') with each signer and returns the
 * signed note (Go: note.Sign). `existing` signatures (e.g. from cosigners) are
 * kept, except ones by a key that signs anew.
 */
export function signNote(text: string, signers: readonly NoteSigner[], existing: readonly NoteSignature[] = []): string {
  const bytes = noteBytes(text);
  if (!bytes || !text.endsWith('\n')) throw new NoteError('MALFORMED_NOTE', 'malformed note text');
  const fresh = new Set(signers.map((s) => `${s.name}+${s.keyHash}`));
  let out = text + '\n';
  for (const sig of existing) {
    if (!isValidKeyName(sig.name)) throw new NoteError('MALFORMED_NOTE', 'malformed existing signature');
    if (fresh.has(`${sig.name}+${sig.keyHash}`)) continue;
    const raw = decodeBase64Strict(sig.base64);
    if (!raw || raw.length < 5 || raw.readUInt32BE(0) !== sig.keyHash) {
      throw new NoteError('MALFORMED_NOTE', 'malformed existing signature');
    }
    out += signatureLine(sig.name, sig.base64);
  }
  for (const s of signers) {
    if (!isValidKeyName(s.name)) throw new NoteError('INVALID_NAME', `invalid signer name ${JSON.stringify(s.name)}`);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyHash >>> 0, 0);
    out += signatureLine(s.name, Buffer.concat([id, s.sign(bytes)]).toString('base64'));
  }
  return out;
}

/**
 * Parses a signed note and verifies the signatures of known keys (Go:
 * note.Open). Unknown keys' signatures are returned as unverified; a failing
 * signature from a known key rejects the note; at least one must verify.
 */
export function openNote(msg: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const bytes = noteBytes(msg);
  if (!bytes) throw new NoteError('MALFORMED_NOTE', 'malformed note: invalid UTF-8 or control characters');
  const split = bytes.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('MALFORMED_NOTE', 'malformed note: no signature block');
  const textBytes = bytes.subarray(0, split + 1);
  let sigs = bytes.subarray(split + 2);
  if (sigs.length === 0 || sigs[sigs.length - 1] !== 0x0a) {
    throw new NoteError('MALFORMED_NOTE', 'malformed note: signature block must end in a newline');
  }
  const known = new Map<string, NoteVerifier[]>();
  for (const v of verifiers) {
    const k = `${v.name}+${hex8(v.keyHash)}`;
    known.set(k, [...(known.get(k) ?? []), v]);
  }
  const note: OpenedNote = { text: textBytes.toString('utf8'), sigs: [], unverifiedSigs: [] };
  const seen = new Set<string>();
  const seenUnverified = new Set<string>();
  let count = 0;
  while (sigs.length > 0) {
    const nl = sigs.indexOf(0x0a);
    let line = sigs.subarray(0, nl);
    sigs = sigs.subarray(nl + 1);
    if (!line.subarray(0, SIG_PREFIX.length).equals(SIG_PREFIX)) {
      throw new NoteError('MALFORMED_NOTE', 'malformed note: signature line must start with "— "');
    }
    line = line.subarray(SIG_PREFIX.length);
    const lineText = line.toString('utf8');
    const sp = lineText.indexOf(' ');
    const name = sp < 0 ? lineText : lineText.slice(0, sp);
    const b64 = sp < 0 ? '' : lineText.slice(sp + 1);
    const raw = decodeBase64Strict(b64);
    if (!raw || !isValidKeyName(name) || b64 === '' || raw.length < 5) {
      throw new NoteError('MALFORMED_NOTE', 'malformed note: bad signature line');
    }
    if (++count > MAX_NOTE_SIGNATURES) throw new NoteError('MALFORMED_NOTE', 'malformed note: too many signatures');
    const keyHash = raw.readUInt32BE(0);
    const id = `${name}+${hex8(keyHash)}`;
    const candidates = known.get(id);
    if (!candidates) {
      if (!seenUnverified.has(lineText)) {
        seenUnverified.add(lineText);
        note.unverifiedSigs.push({ name, keyHash, base64: b64 });
      }
      continue;
    }
    if (candidates.length > 1) throw new NoteError('AMBIGUOUS_KEY', `ambiguous key ${id}`);
    if (seen.has(id)) continue;
    seen.add(id);
    if (!candidates[0].verify(textBytes, raw.subarray(4))) {
      throw new NoteError('INVALID_SIGNATURE', `invalid signature for key ${id}`);
    }
    note.sigs.push({ name, keyHash, base64: b64 });
  }
  if (note.sigs.length === 0) {
    throw new NoteError('NO_VERIFIED_SIGNATURE', 'note has no verifiable signatures', note);
  }
  return note;
}

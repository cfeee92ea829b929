/**
 * Signed-note vectors. Sources, verbatim:
 *  - golang.org/x/mod sumdb/note/note_test.go (github.com/golang/mod @ fe2ec04f7c3c):
 *    PeterNeumann / EnochRoot keys, signed text and signatures, and the
 *    key-mangling / malformed-note cases.
 *  - C2SP signed-note.md §Example (github.com/C2SP/C2SP @ 5ba5ee830903).
 *  - transparency-dev/formats log/note_test.go (@ 0b850f1a7b4a): key pairs.
 */
import { describe, expect, it } from 'vitest';
import {
  NoteError,
  type NoteErrorCode,
  generateNoteKeyPair,
  isValidKeyName,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierKeyFromPublicKey,
  verifierKeyOfSigner,
} from './note.js';

const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_B64 = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const ENOCH_B64 = 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=';
const PETER_SIG = `— PeterNeumann ${PETER_B64}\n`;
const ENOCH_SIG = `— EnochRoot ${ENOCH_B64}\n`;
const peter = { name: 'PeterNeumann', keyHash: 0xc74f20a3, base64: PETER_B64 };
const enoch = { name: 'EnochRoot', keyHash: 0xaf0cfe78, base64: ENOCH_B64 };

function errorCode(f: () => unknown): NoteErrorCode | 'none' | 'untyped' {
  try {
    f();
  } catch (e) {
    return e instanceof NoteError ? e.code : 'untyped';
  }
  return 'none';
}

/** Go-style byte slicing: insert `ins` at byte offset `at` of a UTF-8 string. */
const insertAtByte = (s: string, at: number, ins: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([b.subarray(0, at), Buffer.from(ins), b.subarray(at)]).toString('utf8');
};

describe('keys (sumdb/note TestNewVerifier, TestNewSigner)', () => {
  it('parses the PeterNeumann verifier and signer keys', () => {
    const v = parseVerifierKey(PETER_VKEY);
    const s = parseSignerKey(PETER_SKEY);
    expect([v.name, v.keyHash, s.name, s.keyHash]).toEqual(['PeterNeumann', 0xc74f20a3, 'PeterNeumann', 0xc74f20a3]);
    expect(verifierKeyOfSigner(PETER_SKEY)).toBe(PETER_VKEY);
  });

  it('rejects every substring and every single-byte increment of the verifier key', () => {
    const b = Buffer.from(PETER_VKEY);
    for (let i = 0; i <= b.length; i++) {
      for (let j = i + 1; j <= b.length; j++) {
        if (i !== 0 || j !== b.length) expect(errorCode(() => parseVerifierKey(b.subarray(i, j).toString('latin1')))).not.toBe('none');
      }
    }
    for (let i = 0; i < b.length; i++) {
      const m = Buffer.from(b);
      m[i]++;
      expect(errorCode(() => parseVerifierKey(m.toString('latin1')))).not.toBe('none');
    }
    // Wrong key length and unknown algorithm, each with an adjusted key hash.
    expect(errorCode(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='))).toBe('MALFORMED_KEY');
    expect(errorCode(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe('UNKNOWN_ALGORITHM');
  });

  it('rejects every substring and every single-byte increment of the signer key', () => {
    const b = Buffer.from(PETER_SKEY);
    for (let i = 0; i <= b.length; i++) {
      for (let j = i + 1; j <= b.length; j++) {
        if (i !== 0 || j !== b.length) expect(errorCode(() => parseSignerKey(b.subarray(i, j).toString('latin1')))).not.toBe('none');
      }
    }
    for (let i = 0; i < b.length; i++) {
      const m = Buffer.from(b);
      m[i]++;
      expect(errorCode(() => parseSignerKey(m.toString('latin1')))).not.toBe('none');
    }
  });

  it('derives the published verifier keys from transparency-dev/formats signer keys', () => {
    const pairs = [
      ['Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs', 'PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ'],
      ['Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH', 'PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci'],
      ['KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj', 'PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+'],
      ['Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots', 'PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU'],
    ];
    for (const [vkey, skey] of pairs) expect(verifierKeyOfSigner(skey)).toBe(vkey);
  });

  it('generates self-consistent key pairs (sumdb/note TestGenerateKey)', () => {
    const { signerKey, verifierKey } = generateNoteKeyPair('EnochRoot');
    const s = parseSignerKey(signerKey);
    const v = parseVerifierKey(verifierKey);
    expect([s.name, s.keyHash]).toEqual([v.name, v.keyHash]);
    const msg = Buffer.from('hi');
    const sig = s.sign(msg);
    expect(v.verify(msg, sig)).toBe(true);
    sig[0]++;
    expect(v.verify(msg, sig)).toBe(false);
    sig[0]--;
    msg[0]++;
    expect(v.verify(msg, sig)).toBe(false);
    expect(errorCode(() => verifierKeyFromPublicKey('x', Buffer.alloc(31)))).toBe('MALFORMED_KEY');
    expect(errorCode(() => generateNoteKeyPair('bad name'))).toBe('INVALID_NAME');
  });

  it('validates key names like Go (no Unicode spaces, no plus)', () => {
    expect(isValidKeyName('example.com/log')).toBe(true);
    for (const bad of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u3000b', 'a\tb', '\ud800']) expect(isValidKeyName(bad)).toBe(false);
  });
});

describe('signing (sumdb/note TestSign)', () => {
  const signer = parseSignerKey(PETER_SKEY);

  it('produces the byte-exact published signed note', () => {
    expect(signNote(TEXT, [signer])).toBe(`${TEXT}\n${PETER_SIG}`);
  });
  it('replaces an existing signature by the same key', () => {
    expect(signNote(TEXT, [signer], [{ name: 'PeterNeumann', keyHash: 0xc74f20a3, base64: 'BADSIGN=' }])).toBe(`${TEXT}\n${PETER_SIG}`);
  });
  it('keeps other existing signatures first, like Go', () => {
    expect(signNote(TEXT, [signer], [enoch])).toBe(`${TEXT}\n${ENOCH_SIG}${PETER_SIG}`);
  });
  it('rejects bad inputs', () => {
    expect(errorCode(() => signNote('abc', [signer]))).toBe('MALFORMED_NOTE');
    expect(errorCode(() => signNote('a\u0001b\n', [signer]))).toBe('MALFORMED_NOTE');
    expect(errorCode(() => signNote(TEXT, [], [{ name: 'a+b', keyHash: 0, base64: 'ABCD' }]))).toBe('MALFORMED_NOTE');
    expect(errorCode(() => signNote(TEXT, [], [{ name: 'PeterNeumann', keyHash: 0xc74f20a3, base64: 'BADHASH=' }]))).toBe('MALFORMED_NOTE');
    expect(errorCode(() => signNote(TEXT, [{ ...signer, name: 'bad name', sign: signer.sign }]))).toBe('INVALID_NAME');
  });
});

describe('opening (sumdb/note TestOpen)', () => {
  const peterV = parseVerifierKey(PETER_VKEY);
  const enochV = parseVerifierKey(ENOCH_VKEY);
  const msg = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;

  it('verifies known keys and reports unknown ones', () => {
    expect(openNote(msg, [peterV])).toEqual({ text: TEXT, sigs: [peter], unverifiedSigs: [enoch] });
    expect(openNote(Buffer.from(msg), [peterV, enochV])).toEqual({ text: TEXT, sigs: [peter, enoch], unverifiedSigs: [] });
  });
  it('rejects a note without a verifiable signature, keeping the parsed note', () => {
    try {
      openNote(msg, []);
      expect.fail('opened');
    } catch (e) {
      expect(e).toBeInstanceOf(NoteError);
      expect((e as NoteError).code).toBe('NO_VERIFIED_SIGNATURE');
      expect((e as NoteError).note).toEqual({ text: TEXT, sigs: [], unverifiedSigs: [peter, enoch] });
    }
  });
  it('rejects ambiguous (duplicated) verifiers only when used', () => {
    expect(errorCode(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enochV, peterV, enochV]))).toBe('AMBIGUOUS_KEY');
    expect(errorCode(() => openNote(`${TEXT}\n${PETER_SIG}`, [enochV, peterV, enochV]))).toBe('none');
  });
  it('rejects more than 100 signatures', () => {
    expect(errorCode(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peterV]))).toBe('MALFORMED_NOTE');
    expect(errorCode(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, []))).toBe('MALFORMED_NOTE');
  });
  it('rejects an invalid signature from a known key', () => {
    const bad = insertAtByte(PETER_SIG, 60, 'ABCD');
    expect(errorCode(() => openNote(`${TEXT}\n${bad}`, [peterV]))).toBe('INVALID_SIGNATURE');
  });
  it('drops duplicate verified and unverified signatures', () => {
    const enochAbcd = { ...enoch, base64: 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n' + 'ABCD' + '2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=' };
    const m = `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${insertAtByte(ENOCH_SIG, 60, 'ABCD')}`;
    expect(openNote(m, [peterV])).toEqual({ text: TEXT, sigs: [peter], unverifiedSigs: [enoch, enochAbcd] });
  });
  it('rejects malformed notes', () => {
    const bad: (string | Buffer)[] = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]),
      `${TEXT}\n— Bad Name ${PETER_B64}`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    ];
    for (const m of bad) expect(errorCode(() => openNote(m, [peterV]))).toBe('MALFORMED_NOTE');
    // Stricter than Go: non-canonical base64 (non-zero pad bits) is malformed.
    const nonCanonical = PETER_SIG.replace('AM=\n', 'AN=\n');
    expect(errorCode(() => openNote(`${TEXT}\n${nonCanonical}`, [peterV]))).toBe('MALFORMED_NOTE');
  });
});

describe('C2SP signed-note example', () => {
  it('verifies with the published verifier key', () => {
    const v = parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    const note =
      'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    const opened = openNote(note, [v]);
    expect(opened.text).toBe('This is an example message.\n');
    expect(opened.sigs).toHaveLength(1);
    expect(errorCode(() => openNote(note.replace('example message', 'example massage'), [v]))).toBe('INVALID_SIGNATURE');
  });
});

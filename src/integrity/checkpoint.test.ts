/**
 * Checkpoint vectors. Sources, verbatim:
 *  - transparency-dev/formats log/note_test.go (@ 0b850f1a7b4a): the real
 *    sum.golang.org checkpoint and key (TestSumDBNoteParsing), the Log/Known/
 *    KnownAgain/Unknown keys and the TestParseCheckpoint signer matrix.
 *  - transparency-dev/formats log/checkpoint_test.go: unmarshal error cases.
 *  - C2SP tlog-checkpoint.md (@ 5ba5ee830903): format rules.
 */
import { describe, expect, it } from 'vitest';
import { CheckpointError, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import { CompactRange } from './compact-range.js';
import { hashLeaf } from './hash.js';
import { NoteError, generateNoteKeyPair, parseSignerKey, signNote } from './note.js';
import { consistencyProof, inclusionProof } from './proof.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const SUMDB_VKEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_NOTE = `go.sum database tree
6476701
mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=

— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=
`;
const LOG_VK = 'Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs';
const LOG_SK = 'PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ';
const KNOWN1_VK = 'Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH';
const KNOWN1_SK = 'PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci';
const KNOWN2_VK = 'KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj';
const KNOWN2_SK = 'PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+';
const UNKNOWN_SK = 'PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU';

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof CheckpointError || e instanceof NoteError ? e.code : `untyped: ${String(e)}`;
  }
  return 'none';
};

describe('sum.golang.org checkpoint (formats TestSumDBNoteParsing)', () => {
  it('opens and parses the real signed checkpoint', () => {
    const cp = openCheckpoint(SUMDB_NOTE, { origin: 'go.sum database tree', verifier: SUMDB_VKEY });
    expect(cp.origin).toBe('go.sum database tree');
    expect(cp.size).toBe(6476701);
    expect(cp.rootHash.toString('base64')).toBe('mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=');
    expect(cp.extensions).toEqual([]);
    expect(formatCheckpoint(cp)).toBe(cp.note.text);
  });
  it('rejects the wrong origin and a tampered body', () => {
    expect(code(() => openCheckpoint(SUMDB_NOTE, { origin: 'Go rocks but I might have the wrong ID', verifier: SUMDB_VKEY }))).toBe('ORIGIN_MISMATCH');
    expect(code(() => openCheckpoint(SUMDB_NOTE.replace('6476701', '6476702'), { origin: 'go.sum database tree', verifier: SUMDB_VKEY }))).toBe(
      'INVALID_SIGNATURE',
    );
  });
});

describe('signer matrix (formats TestParseCheckpoint)', () => {
  const origin = 'TestParseCheckpoint';
  const body = formatCheckpoint({ origin, size: 42, rootHash: hashLeaf(Buffer.from('abcdef')) });
  const [lns, k1ns, k2ns, uns] = [LOG_SK, KNOWN1_SK, KNOWN2_SK, UNKNOWN_SK].map(parseSignerKey);
  const cases: { desc: string; logID: string; body: string; sigs: typeof lns[]; want: string; wantSigs: number }[] = [
    { desc: 'just log sig', logID: origin, body, sigs: [lns], want: 'none', wantSigs: 1 },
    { desc: 'bad body good sigs', logID: origin, body: "if this is a valid checkpoint then I'll eat my hat\n", sigs: [lns], want: 'MALFORMED_CHECKPOINT', wantSigs: 1 },
    { desc: 'log and known1 sig', logID: origin, body, sigs: [lns, k1ns], want: 'none', wantSigs: 2 },
    { desc: 'log, known1, and unknown sig', logID: origin, body, sigs: [lns, k1ns, uns], want: 'none', wantSigs: 2 },
    { desc: 'just required sigs', logID: origin, body, sigs: [lns, k1ns, k2ns], want: 'none', wantSigs: 3 },
    { desc: 'one verifier signs twice', logID: origin, body, sigs: [lns, k1ns, k1ns], want: 'none', wantSigs: 2 },
    { desc: 'just required sigs in mixed order', logID: origin, body, sigs: [k2ns, lns, k1ns], want: 'none', wantSigs: 3 },
    { desc: 'all sigs', logID: origin, body, sigs: [lns, k1ns, k2ns, uns], want: 'none', wantSigs: 3 },
    { desc: 'just known', logID: origin, body, sigs: [k1ns, k2ns], want: 'NO_LOG_SIGNATURE', wantSigs: 2 },
    { desc: 'all sigs but wrong logID', logID: 'this is not the logID you are looking for', body, sigs: [lns, k1ns, k2ns, uns], want: 'ORIGIN_MISMATCH', wantSigs: 3 },
  ];
  it.each(cases)('$desc', ({ logID, body: text, sigs, want, wantSigs }) => {
    const signed = signNote(text, sigs);
    const opts = { origin: logID, verifier: LOG_VK, otherVerifiers: [KNOWN1_VK, KNOWN2_VK] };
    expect(code(() => openCheckpoint(signed, opts))).toBe(want);
    if (want === 'none') expect(openCheckpoint(signed, opts).note.sigs).toHaveLength(wantSigs);
  });
  it('no signatures at all is a malformed note', () => {
    expect(code(() => openCheckpoint(`${body}\n`, { origin, verifier: LOG_VK }))).toBe('MALFORMED_NOTE');
  });
});

describe('checkpoint body (C2SP tlog-checkpoint)', () => {
  const root = hashLeaf(Buffer.from('root'));
  const rootB64 = root.toString('base64');

  it('formats origin, decimal size, base64 root and extension lines', () => {
    expect(formatCheckpoint({ origin: 'example.com/log', size: 0, rootHash: root })).toBe(`example.com/log\n0\n${rootB64}\n`);
    const text = formatCheckpoint({ origin: 'example.com/log', size: 20852163, rootHash: root, extensions: ['ext one', 'ext two'] });
    expect(text).toBe(`example.com/log\n20852163\n${rootB64}\next one\next two\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: 'example.com/log', size: 20852163, rootHash: root, extensions: ['ext one', 'ext two'] });
  });

  it('rejects what formats Unmarshal rejects', () => {
    for (const bad of [
      'Head\n9944\n',
      `\n9944\n${rootB64}\n`,
      `Log\n123\n${rootB64}`,
      `Log\nbananas\n${rootB64}\n`,
      `Log\n-34\n${rootB64}\n`,
      `Log\n3438945738945739845734895735\n${rootB64}\n`,
      "Log\n123\nThisIsn'tBase64\n",
    ]) {
      expect(code(() => parseCheckpoint(bad))).toBe('MALFORMED_CHECKPOINT');
    }
  });

  it('is stricter than formats Unmarshal where C2SP says MUST', () => {
    for (const bad of [
      `Log\n0123\n${rootB64}\n`, // leading zero
      `Log\n123\n${rootB64}\n\n\n`, // empty extension lines
      'Log\n123\nYmFuYW5hcw==\n', // not a 32-byte SHA-256 root
      `Log\n${2 ** 53}\n${rootB64}\n`, // beyond Number.MAX_SAFE_INTEGER
      `Log\n123\n${rootB64.slice(0, -1)}\n`, // unpadded base64
    ]) {
      expect(code(() => parseCheckpoint(bad))).toBe('MALFORMED_CHECKPOINT');
    }
    expect(code(() => formatCheckpoint({ origin: '', size: 1, rootHash: root }))).toBe('MALFORMED_CHECKPOINT');
    expect(code(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root }))).toBe('MALFORMED_CHECKPOINT');
    expect(code(() => formatCheckpoint({ origin: 'a', size: -1, rootHash: root }))).toBe('MALFORMED_CHECKPOINT');
    expect(code(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: root.subarray(1) }))).toBe('MALFORMED_CHECKPOINT');
    expect(code(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: root, extensions: [''] }))).toBe('MALFORMED_CHECKPOINT');
  });
});

describe('end to end: tree -> signed checkpoints -> proofs', () => {
  it('proves inclusion and consistency against two signed checkpoints', () => {
    const origin = 'vigil.example/log';
    const { signerKey, verifierKey } = generateNoteKeyPair(origin);
    const range = CompactRange.empty();
    const nodes = new Map<string, Buffer>();
    const getNode = (l: number, i: number) => nodes.get(`${l}/${i}`) as Buffer;
    const leaves: Buffer[] = [];
    const commit = (n: number) => {
      for (let k = 0; k < n; k++) {
        const h = hashLeaf(Buffer.from(JSON.stringify({ seq: leaves.length, msg: 'login' })));
        nodes.set(`0/${leaves.length}`, h);
        leaves.push(h);
        for (const node of range.append(h)) nodes.set(`${node.level}/${node.index}`, node.hash);
      }
      return signCheckpoint({ origin, size: range.size, rootHash: range.root() }, signerKey);
    };
    const cp1 = openCheckpoint(commit(1000), { origin, verifier: verifierKey });
    const cp2 = openCheckpoint(commit(337), { origin, verifier: verifierKey });
    expect([cp1.size, cp2.size]).toEqual([1000, 1337]);
    const inc = inclusionProof(421, cp2.size, getNode);
    expect(verifyInclusion(leaves[421], 421, cp2.size, inc, cp2.rootHash)).toEqual({ ok: true });
    const cons = consistencyProof(cp1.size, cp2.size, getNode);
    expect(verifyConsistency(cp1.size, cp2.size, cons, cp1.rootHash, cp2.rootHash)).toEqual({ ok: true });
    // Another key with the same name is not the log's key.
    expect(code(() => openCheckpoint(commit(1), { origin, verifier: generateNoteKeyPair(origin).verifierKey }))).toBe('NO_LOG_SIGNATURE');
  });
});

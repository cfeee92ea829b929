/**
 * Published Merkle test vectors (RFC 6962 / Certificate Transparency test tree
 * as kept by transparency-dev/merkle). Sources, verbatim:
 *  - rfc6962/rfc6962_test.go                    (hash function vectors)
 *  - testonly/constants.go                      (8-leaf tree: leaves, node hashes, roots, compact trees)
 *  - proof/verify_test.go @ 9ca563d3ac2b        (known inclusion/consistency proofs; moved to
 *                                                cmd/proofgen/main.go in bcba819e)
 *  - testdata/{inclusion,consistency}/**.json   (proofgen probes, collected in
 *                                                testdata/transparency-dev-merkle-probes.json)
 * of https://github.com/transparency-dev/merkle (Apache-2.0), HEAD 417fb0c314750d94e53942e9f92e79b6d35915db.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompactRange, nodeKey } from './compact-range.js';
import { emptyRoot, hashChildren, hashLeaf } from './hash.js';
import { consistencyProof, inclusionProof } from './proof.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const hd = (s: string) => Buffer.from(s, 'hex');
const hexes = (bs: readonly Uint8Array[]) => bs.map((b) => Buffer.from(b).toString('hex'));

describe('RFC 6962 hasher vectors (transparency-dev/merkle rfc6962_test.go)', () => {
  it('hashes the empty tree, leaves and nodes as published', () => {
    expect(emptyRoot().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashLeaf(new Uint8Array()).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hashLeaf(Buffer.from('L123456')).toString('hex')).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(hashChildren(Buffer.from('N123'), Buffer.from('N456')).toString('hex')).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });
  it('is second-preimage resistant and order-dependent', () => {
    const h1 = hashLeaf(Buffer.from('Hello'));
    const h2 = hashLeaf(Buffer.from('World'));
    expect(h1.equals(h2)).toBe(false);
    expect(hashChildren(h1, h2).equals(hashLeaf(Buffer.concat([h1, h2])))).toBe(false);
    expect(hashChildren(h1, h2).equals(hashChildren(h2, h1))).toBe(false);
  });
});

// testonly/constants.go
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hd);
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const ROOT_HASHES = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// CompactTrees(): frontier hashes for each size, as [level, index] into NODE_HASHES.
const COMPACT_TREES: [number, number][][] = [
  [],
  [[0, 0]],
  [[1, 0]],
  [[1, 0], [0, 2]],
  [[2, 0]],
  [[2, 0], [0, 4]],
  [[2, 0], [1, 2]],
  [[2, 0], [1, 2], [0, 6]],
  [[3, 0]],
];
// proof/verify_test.go @ 9ca563d3: {leaf (1-based), size, proof}.
const INCLUSION_PROOFS: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [2, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];
// {size1, size2, proof}
const CONSISTENCY_PROOFS: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [6, 7, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];

describe('the 8-leaf CT / transparency-dev test tree', () => {
  const range = CompactRange.empty();
  const store = new Map<string, Buffer>();
  const roots = [range.root()];
  const frontiers = [range.state().hashes];
  LEAF_INPUTS.forEach((d, i) => {
    const h = hashLeaf(d);
    store.set(nodeKey(0, i), h);
    for (const n of range.append(h)) store.set(nodeKey(n.level, n.index), n.hash);
    roots.push(range.root());
    frontiers.push(range.state().hashes);
  });
  const getNode = (level: number, index: number) => {
    const h = store.get(nodeKey(level, index));
    if (!h) throw new Error(`missing node ${level}/${index}`);
    return h;
  };

  it('has the published root for every size 0..8', () => {
    expect(hexes(roots)).toEqual(ROOT_HASHES);
  });
  it('reports exactly the published complete node hashes', () => {
    NODE_HASHES.forEach((level, l) => level.forEach((h, i) => expect(store.get(nodeKey(l, i))?.toString('hex')).toBe(h)));
    expect(store.size).toBe(NODE_HASHES.flat().length);
  });
  it('keeps the published compact trees (frontiers) for every size', () => {
    expect(frontiers).toEqual(COMPACT_TREES.map((ids) => ids.map(([l, i]) => NODE_HASHES[l][i])));
  });
  it('generates and verifies the published inclusion proofs', () => {
    for (const [leaf, size, want] of INCLUSION_PROOFS) {
      const proof = inclusionProof(leaf - 1, size, getNode);
      expect(hexes(proof)).toEqual(want);
      expect(verifyInclusion(hashLeaf(LEAF_INPUTS[leaf - 1]), leaf - 1, size, proof, hd(ROOT_HASHES[size]))).toEqual({ ok: true });
    }
  });
  it('generates and verifies the published consistency proofs', () => {
    for (const [size1, size2, want] of CONSISTENCY_PROOFS) {
      const proof = consistencyProof(size1, size2, getNode);
      expect(hexes(proof)).toEqual(want);
      expect(verifyConsistency(size1, size2, proof, hd(ROOT_HASHES[size1]), hd(ROOT_HASHES[size2]))).toEqual({ ok: true });
    }
  });
});

interface InclusionProbe {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyProbe {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

describe('transparency-dev/merkle proofgen probes (testdata/transparency-dev-merkle-probes.json)', () => {
  const probes = JSON.parse(readFileSync(new URL('./testdata/transparency-dev-merkle-probes.json', import.meta.url), 'utf8')) as {
    inclusion: InclusionProbe[];
    consistency: ConsistencyProbe[];
  };
  const b64 = (s: string) => Buffer.from(s, 'base64');

  it('has all 98 + 98 probes', () => {
    expect(probes.inclusion).toHaveLength(98);
    expect(probes.consistency).toHaveLength(98);
  });
  it.each(probes.inclusion.map((p) => [p.file, p] as const))('inclusion %s', (_file, p) => {
    const r = verifyInclusion(b64(p.leafHash), p.leafIdx, p.treeSize, (p.proof ?? []).map(b64), b64(p.root));
    expect(r.ok).toBe(!p.wantErr);
    if (!r.ok) expect(r.error).toHaveProperty('code');
  });
  it.each(probes.consistency.map((p) => [p.file, p] as const))('consistency %s', (_file, p) => {
    const r = verifyConsistency(p.size1, p.size2, (p.proof ?? []).map(b64), b64(p.root1), b64(p.root2));
    expect(r.ok).toBe(!p.wantErr);
    if (!r.ok) expect(r.error).toHaveProperty('code');
  });
});

/**
 * The log's checkpoint signing key: an Ed25519 key in the C2SP signed-note
 * format. Its name is the log's origin (the first line of every checkpoint).
 *
 *   <data>/checkpoint.key   PRIVATE+KEY+<origin>+<key id>+<base64>   (0600, secret)
 *   <data>/checkpoint.pub   <origin>+<key id>+<base64>                (the verifier key)
 *
 * Generated on first start unless `integrity.key_file` names a key; a
 * supplied key file may live outside the data dir, so someone who can edit
 * the database cannot also sign checkpoints for what they changed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  type NoteSigner,
  generateNoteKeyPair,
  parseSignerKey,
  parseVerifierKey,
  verifierKeyOfSigner,
} from '../index.js';

export const KEY_FILE = 'checkpoint.key';
export const PUBLIC_KEY_FILE = 'checkpoint.pub';

export class KeyError extends Error {
  override readonly name = 'KeyError';
}

export interface LogKey {
  /** The log origin = the key name. */
  origin: string;
  signer: NoteSigner;
  /** `<origin>+<key id>+<base64>`, what verifiers are given. */
  verifierKey: string;
  /** Where the signing key was read from. */
  file: string;
  /** Whether this call generated it. */
  created: boolean;
}

/** A default origin: `<host>/vigil/<8 hex digits>`, unique per generated key. */
export function defaultOrigin(): string {
  const host = hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'localhost';
  return `${host}/vigil/${randomBytes(4).toString('hex')}`;
}

function readSigner(file: string): { signer: NoteSigner; verifierKey: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new KeyError(`cannot read the checkpoint key ${file}: ${(err as Error).message}`);
  }
  try {
    return { signer: parseSignerKey(text), verifierKey: verifierKeyOfSigner(text) };
  } catch (err) {
    throw new KeyError(`${file} is not a signed-note Ed25519 signing key (PRIVATE+KEY+<name>+<id>+<base64>): ${(err as Error).message}`);
  }
}

/**
 * The signing key: `keyFile` when given, else `<dataDir>/checkpoint.key`,
 * generated (mode 0600) with its `.pub` beside it when missing.
 */
export function loadOrCreateKey(dataDir: string, keyFile = ''): LogKey {
  const file = keyFile || join(dataDir, KEY_FILE);
  let created = false;
  if (!keyFile && !existsSync(file)) {
    const { signerKey, verifierKey } = generateNoteKeyPair(defaultOrigin());
    try {
      writeFileSync(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
      writeFileSync(join(dataDir, PUBLIC_KEY_FILE), `${verifierKey}\n`, { mode: 0o600 });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it first
    }
  }
  if ((statSync(file).mode & 0o077) !== 0 && process.platform !== 'win32') {
    throw new KeyError(`${file} is readable by others (mode ${(statSync(file).mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const { signer, verifierKey } = readSigner(file);
  return { origin: signer.name, signer, verifierKey, file, created };
}

/**
 * The verifier key a local `vigil verify` trusts: `given` (a key string or a
 * file holding one), else `<dataDir>/checkpoint.pub`, else the one derived
 * from the data dir's signing key.
 */
export function readVerifierKey(dataDir: string, given?: string): { key: string; source: string } {
  const check = (key: string, source: string) => {
    try {
      parseVerifierKey(key);
    } catch (err) {
      throw new KeyError(`${source}: not a signed-note verifier key (<name>+<id>+<base64>): ${(err as Error).message}`);
    }
    return { key, source };
  };
  if (given) {
    if (existsSync(given)) return check(readFileSync(given, 'utf8').trim(), given);
    return check(given.trim(), '--key');
  }
  const pub = join(dataDir, PUBLIC_KEY_FILE);
  if (existsSync(pub)) return check(readFileSync(pub, 'utf8').trim(), pub);
  const priv = join(dataDir, KEY_FILE);
  if (existsSync(priv)) return check(readSigner(priv).verifierKey, priv);
  throw new KeyError(`no checkpoint key in ${dataDir} (Vigil generates ${KEY_FILE} and ${PUBLIC_KEY_FILE} there when it first opens the store); pass --key`);
}

/** The verifier key of the configured signing key (`integrity.key_file`, or the data dir's). */
export function configuredVerifierKey(dataDir: string, keyFile = ''): { key: string; source: string } {
  if (keyFile) return { key: readSigner(keyFile).verifierKey, source: keyFile };
  return readVerifierKey(dataDir);
}

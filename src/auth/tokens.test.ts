import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allows, TokenStore } from './tokens.js';

const dir = () => mkdtempSync(join(tmpdir(), 'vigil-tok-'));

describe('TokenStore', () => {
  it('creates the admin token once, in a private file', () => {
    const d = dir();
    const tokens = new TokenStore(d);
    const file = tokens.ensureAdmin()!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'tokens.json')).mode & 0o777).toBe(0o600);
    const principal = tokens.authenticate(readFileSync(file, 'utf8').trim());
    expect(principal?.scopes).toEqual(['admin']);
    expect(tokens.ensureAdmin()).toBeUndefined();
  });
  it('stores only hashes and authenticates by scope', () => {
    const d = dir();
    const tokens = new TokenStore(d);
    const { token } = tokens.create('shipper', ['ingest']);
    expect(readFileSync(join(d, 'tokens.json'), 'utf8')).not.toContain(token.split('_')[2]);
    const p = tokens.authenticate(token)!;
    expect(allows(p, 'ingest')).toBe(true);
    expect(allows(p, 'read')).toBe(false);
    expect(tokens.authenticate(`${token}x`)).toBeUndefined();
    expect(tokens.authenticate('vgl_00000000_aaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
  });
  it('revokes, and another instance sees it', () => {
    const d = dir();
    const a = new TokenStore(d);
    const { token } = a.create('reader', ['read']);
    const b = new TokenStore(d);
    expect(b.authenticate(token)).toBeDefined();
    a.revoke('reader');
    expect(new TokenStore(d).authenticate(token)).toBeUndefined();
    expect(() => a.revoke('reader')).toThrow(/no active token/);
  });
});

/**
 * API tokens. A token is `vgl_<id>_<secret>`; only the SHA-256 of the secret
 * is kept, in `<data>/tokens.json` (mode 0600). The file is the source of
 * truth for both the server and the CLI: the server re-reads it when it changes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenRecord {
  id: string;
  name: string;
  scopes: Scope[];
  /** hex SHA-256 of the secret part */
  hash: string;
  created: string;
  revoked?: string;
}

export interface Principal {
  tokenId: string;
  name: string;
  scopes: Scope[];
}

export const TOKENS_FILE = 'tokens.json';
export const ADMIN_TOKEN_FILE = 'admin.token';

/** How stale a revocation check may be: well under the one second a revoked tail may live. */
const ACTIVE_CHECK_MS = 250;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Whether a principal may use a route that needs `scope`; admin may do everything. */
export function allows(p: Principal, scope: Scope): boolean {
  return p.scopes.includes(scope) || p.scopes.includes('admin');
}

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

export class TokenStore {
  private records: TokenRecord[] = [];
  private mtimeMs = -1;
  private checkedAt = 0;

  constructor(private readonly dataDir: string) {}

  get file(): string {
    return join(this.dataDir, TOKENS_FILE);
  }

  /** Re-reads the file if it changed (checked at most once every `everyMs`). */
  private refresh(force = false, everyMs = 1000): void {
    const now = Date.now();
    if (!force && now - this.checkedAt < everyMs) return;
    this.checkedAt = now;
    if (!existsSync(this.file)) {
      this.records = [];
      this.mtimeMs = -1;
      return;
    }
    const mtime = statSync(this.file).mtimeMs;
    if (mtime === this.mtimeMs && !force) return;
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { tokens: TokenRecord[] };
    this.records = parsed.tokens;
    this.mtimeMs = mtime;
  }

  list(): TokenRecord[] {
    this.refresh(true);
    return this.records.map((r) => ({ ...r }));
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ tokens: this.records }, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
    this.mtimeMs = statSync(this.file).mtimeMs;
  }

  /** Creates a token and returns it with its secret (shown once, never stored). */
  create(name: string, scopes: Scope[]): { token: string; record: TokenRecord } {
    this.refresh(true);
    if (this.records.some((r) => r.name === name && !r.revoked)) {
      throw new Error(`a token named ${JSON.stringify(name)} already exists`);
    }
    const id = randomBytes(4).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    const record: TokenRecord = { id, name, scopes, hash: sha256(secret), created: new Date().toISOString() };
    this.records.push(record);
    this.save();
    return { token: `vgl_${id}_${secret}`, record };
  }

  /** Revokes by id or name; returns the revoked record. */
  revoke(idOrName: string): TokenRecord {
    this.refresh(true);
    const r = this.records.find((t) => !t.revoked && (t.id === idOrName || t.name === idOrName));
    if (!r) throw new Error(`no active token with id or name ${JSON.stringify(idOrName)}`);
    r.revoked = new Date().toISOString();
    this.save();
    return { ...r };
  }

  /** Returns who a presented token belongs to, or undefined if it is unknown or revoked. */
  authenticate(token: string): Principal | undefined {
    const m = /^vgl_([0-9a-f]{8})_([A-Za-z0-9_-]{16,})$/.exec(token);
    if (!m) return undefined;
    this.refresh();
    const r = this.records.find((t) => t.id === m[1]);
    if (!r || r.revoked) return undefined;
    const a = Buffer.from(sha256(m[2]), 'hex');
    const b = Buffer.from(r.hash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    return { tokenId: r.id, name: r.name, scopes: r.scopes };
  }

  /**
   * Whether the token with this id still exists unrevoked. Checks the file
   * at most every 250 ms, so that a revocation by another process (the CLI)
   * ends long-lived sessions (tails) within a second.
   */
  isActive(tokenId: string): boolean {
    this.refresh(false, ACTIVE_CHECK_MS);
    return this.records.some((t) => t.id === tokenId && !t.revoked);
  }

  /**
   * On first start: creates an admin token and writes it to `<data>/admin.token`
   * (mode 0600). Returns the file's path when it created one.
   */
  ensureAdmin(): string | undefined {
    this.refresh(true);
    if (this.records.some((r) => !r.revoked && r.scopes.includes('admin'))) return undefined;
    const { token } = this.create(`admin-${new Date().toISOString().slice(0, 10)}-${randomBytes(2).toString('hex')}`, ['admin']);
    const path = join(this.dataDir, ADMIN_TOKEN_FILE);
    writeFileSync(path, token + '\n', { mode: 0o600 });
    return path;
  }
}

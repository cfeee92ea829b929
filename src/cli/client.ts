/** A small client for a remote Vigil server (`--server URL --token T`). */
import { CliError } from './errors.js';

export interface RemoteOptions {
  server: string;
  token?: string;
}

export class VigilClient {
  constructor(private readonly opts: RemoteOptions) {}

  async request(method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const url = new URL(path, this.opts.server.endsWith('/') ? this.opts.server : `${this.opts.server}/`);
    try {
      return await fetch(url, { method, headers, body: init.body });
    } catch (err) {
      throw new CliError(`cannot reach ${url.origin}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
    }
  }

  /** Sends a request and returns its JSON body, turning error statuses into readable errors. */
  async json<T>(method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<T> {
    const res = await this.request(method, path, init);
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON
      }
      const hint = res.status === 401 ? ' (pass --token or set VIGIL_TOKEN)' : '';
      throw new CliError(`${method} ${path}: HTTP ${res.status}: ${message}${hint}`);
    }
    return JSON.parse(text) as T;
  }
}

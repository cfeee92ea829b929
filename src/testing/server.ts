/** Starts an in-process server on a random loopback port with a temporary data dir. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { startServer, type Running } from '../runtime/server.js';
import { tempDir } from './events.js';

export interface TestServer extends Running {
  dataDir: string;
  adminToken: string;
  /** fetch against the server with the admin token unless headers say otherwise */
  call(path: string, init?: RequestInit): Promise<Response>;
}

export async function testServer(overrides: Record<string, unknown> = {}, dataDir = tempDir()): Promise<TestServer> {
  const config = loadConfig({ env: {}, overrides: { data_dir: dataDir, 'server.port': 0, 'log.level': 'warn', ...overrides } });
  const running = await startServer(config);
  const adminToken = config.server.auth === 'token' ? readFileSync(join(dataDir, 'admin.token'), 'utf8').trim() : '';
  return {
    ...running,
    dataDir,
    adminToken,
    call(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization') && adminToken) headers.set('authorization', `Bearer ${adminToken}`);
      return fetch(`${running.url}${path}`, { ...init, headers });
    },
  };
}

/** GET `path` and read the answer as text, with its status and content type (JSON on demand). */
export async function getText(s: TestServer, path: string) {
  const res = await s.call(path);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
}

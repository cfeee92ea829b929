import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testServer } from '../../src/testing/server.js';

describe('examples/sdk.mjs', () => {
  it('runs against a server and delivers its four events', async () => {
    const s = await testServer();
    const example = fileURLToPath(new URL('../../examples/sdk.mjs', import.meta.url));
    // async: the server runs in this process, so a blocking spawn would deadlock
    const r = await promisify(execFile)(process.execPath, [example], { env: { ...process.env, VIGIL_URL: s.url, VIGIL_TOKEN: s.adminToken } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('sent: 4');
    const res = await s.call(`/api/v1/query?query=${encodeURIComponent('{dataset="app.audit"}')}&since=1h`);
    expect(((await res.json()) as { events: unknown[] }).events).toHaveLength(4);
    await s.stop();
  });
});

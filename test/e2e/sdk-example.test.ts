import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testServer } from '../../src/testing/server.js';

describe('examples/sdk.mjs', () => {
  it('runs against a server and delivers its four events', async () => {
    const s = await testServer();
    const example = fileURLToPath(new URL('../../examples/sdk.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [example], { env: { ...process.env, VIGIL_URL: s.url, VIGIL_TOKEN: s.adminToken }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('sent: 4');
    const res = await s.call(`/api/v1/query?query=${encodeURIComponent('{dataset="app.audit"}')}&since=1h`);
    expect(((await res.json()) as { events: unknown[] }).events).toHaveLength(4);
    await s.stop();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleEvent, tempDir } from '../../src/testing/events.js';
import { startServerProcess } from './vigil-process.js';

/**
 * Kills the server with SIGKILL while clients are sending, restarts it, and
 * checks that every acknowledged event is stored exactly once and that the
 * sequence numbers have no gaps.
 */
describe('crash safety', () => {
  it('keeps every acknowledged event, exactly once, after kill -9', async () => {
    const dir = tempDir();
    const base = BigInt(Date.now() - 600_000) * 1_000_000n;
    let server = await startServerProcess(dir);
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const acked = new Set<string>();
    let stop = false;
    let next = 0;
    const client = async () => {
      while (!stop) {
        const from = next;
        next += 250;
        const body = Array.from({ length: 250 }, (_, i) => JSON.stringify(sampleEvent(from + i, base))).join('\n');
        try {
          const res = await fetch(`${server.url}/api/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
            body,
          });
          if (res.status === 200) for (let i = 0; i < 250; i++) acked.add(`req-${from + i}`);
        } catch {
          return; // the server is gone; this batch was never acknowledged
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await server.kill('SIGKILL')).toBe('SIGKILL');
    stop = true;
    await Promise.all(clients);
    expect(acked.size).toBeGreaterThan(1000);

    server = await startServerProcess(dir);
    const seen = new Map<string, number>();
    const seqs: number[] = [];
    const res = await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent('{dataset=~"app.audit|gdch.proxy"}')}&since=1h&limit=100000&direction=forward`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { events } = (await res.json()) as { events: { vigil: { seq: number }; app: { request_id: string } }[] };
    for (const e of events) {
      seen.set(e.app.request_id, (seen.get(e.app.request_id) ?? 0) + 1);
      seqs.push(e.vigil.seq);
    }
    const missing = [...acked].filter((id) => !seen.has(id));
    expect(missing).toEqual([]);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // no gaps: the events are numbered 0..n-1 (the access event of this query comes after)
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    await server.kill('SIGTERM');
  });
});

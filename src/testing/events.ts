/** Test helpers: realistic ECS events and temporary data dirs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../model/event.js';
import { ingestedAt, prepareEvent, type PreparedEvent } from '../model/prepare.js';
import { formatNs } from '../model/time.js';

export const tempDir = (prefix = 'vigil-test-') => mkdtempSync(join(tmpdir(), prefix));

const ACTIONS = ['sign-in', 'sign-out', 'user-create', 'action-cache-get', 'cas-write', 'delete'];
const CATEGORIES = [['authentication'], ['authentication'], ['iam'], ['file'], ['file'], ['file']];

/** The i-th synthetic event (~500 bytes once completed), at `baseNs + i` ms. */
export function sampleEvent(i: number, baseNs = 1_763_812_800_000_000_000n): AuditEvent {
  const k = i % ACTIONS.length;
  return {
    '@timestamp': formatNs(baseNs + BigInt(i) * 1_000_000n, 9),
    event: {
      action: ACTIONS[k],
      category: CATEGORIES[k],
      type: ['access'],
      outcome: i % 7 === 0 ? 'failure' : 'success',
      dataset: i % 2 ? 'app.audit' : 'gdch.proxy',
      module: 'app',
    },
    user: { name: `user${i % 50}`, email: `user${i % 50}@example.com`, roles: ['developer'] },
    source: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    user_agent: { original: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' },
    organization: { id: `tenant-${i % 5}` },
    host: { name: `node-${i % 3}` },
    app: { request_id: `req-${i}`, digest: `sha256:${(i * 2654435761 % 2 ** 32).toString(16).padStart(8, '0')}` },
  };
}

export const prepared = (n: number, from = 0): PreparedEvent[] =>
  Array.from({ length: n }, (_, i) => prepareEvent(sampleEvent(from + i), ingestedAt(1_900_000_000_000_000_000n)));

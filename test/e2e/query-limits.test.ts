/** Issue 19 item 3: `vigil query` refuses huge or deeply nested query text with a clear parse error (exit 2), not a stack overflow. */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../src/testing/events.js';
import { runCli } from './vigil-process.js';

const repeat = (n: number, item: (i: number) => string, sep: string) => Array.from({ length: n }, (_, i) => item(i)).join(sep);

describe('vigil query: query limits', () => {
  it('refuses 20,000 nested sum(, 5,000 chained or and 2,000 matchers', async () => {
    const dir = tempDir();
    const hostile = [
      `${'sum('.repeat(20_000)}count_over_time({dataset="app"}[1m])${')'.repeat(20_000)}`,
      repeat(5_000, () => 'vector(1)', ' or '),
      `{${repeat(2_000, (i) => `dataset="v${i}"`, ',')}}`,
    ];
    for (const q of hostile) {
      const r = await runCli(['query', q, '--data', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/parse error at line 1, col \d+: syntax error: query (longer than 65536 characters|nested more than 256 levels deep)/);
      expect(r.stderr).not.toMatch(/call stack/);
    }
  });
});

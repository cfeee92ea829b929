import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('vigil.example.yaml', () => {
  it('is valid and states the defaults', () => {
    const fromFile = loadConfig({ file: new URL('../../vigil.example.yaml', import.meta.url).pathname, env: {} });
    expect(fromFile).toEqual(loadConfig({ env: {} }));
  });
});

describe('docs/configuration.md', () => {
  it('lists every key as the schema defines it', async () => {
    const { readFileSync } = await import('node:fs');
    const { configTable } = await import('./docs.js');
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toContain(configTable());
  });
});

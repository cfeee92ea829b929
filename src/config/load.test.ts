import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envName, loadConfig, parseSize } from './load.js';

const tmpFile = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'vigil-cfg-')), 'vigil.yaml');
  writeFileSync(f, text);
  return f;
};

describe('loadConfig', () => {
  it('has defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 7080, auth: 'token', max_body_bytes: 32 * 1024 ** 2 });
    expect(c.data_dir).toBe('./vigil-data');
    expect(c.ingest.max_record_bytes).toBe(1024 ** 2);
  });
  it('layers file, environment and flags in that order', () => {
    const file = tmpFile('server:\n  port: 9000\n  host: 0.0.0.0\ningest:\n  max_batch_events: 5\n');
    const c = loadConfig({
      file,
      env: { VIGIL_SERVER_PORT: '9100', VIGIL_SERVER_MAX_BODY_BYTES: '2MiB', VIGIL_SERVER_METRICS_AUTH: 'false' },
      overrides: { 'server.port': '9200' },
    });
    expect(c.server.port).toBe(9200);
    expect(c.server.host).toBe('0.0.0.0');
    expect(c.server.max_body_bytes).toBe(2 * 1024 ** 2);
    expect(c.server.metrics_auth).toBe(false);
    expect(c.ingest.max_batch_events).toBe(5);
  });
  it('names the key, the line and the reason of a bad value', () => {
    const file = tmpFile('data_dir: /tmp/x\nserver:\n  port: 99999\n  colour: red\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      expect((err as Error).message).toContain(`${file}:4: server.colour: unknown key`);
      expect((err as Error).message).toContain(`${file}:3: server.port: must be <= 65535`);
    }
  });
  it('names the environment variable of a bad value', () => {
    expect(() => loadConfig({ env: { VIGIL_SERVER_AUTH: 'maybe' } })).toThrow(/environment variable VIGIL_SERVER_AUTH: server.auth/);
  });
  it('reports YAML syntax errors with their line', () => {
    expect(() => loadConfig({ file: tmpFile('server:\n  port: [1,\n'), env: {} })).toThrow(/vigil.yaml:\d+: invalid YAML/);
  });
  it('maps key paths to environment names', () => {
    expect(envName('server.max_body_bytes')).toBe('VIGIL_SERVER_MAX_BODY_BYTES');
  });
  it('parses sizes', () => {
    expect(parseSize('512KiB')).toBe(524288);
    expect(parseSize('1GB')).toBe(1e9);
    expect(parseSize(42)).toBe(42);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from './format.js';
import { decodeAll, FORMAT_NAMES, getFormat } from './registry.js';

const sample = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const lines = (name: string) => sample(name).split('\n').filter(Boolean);

describe('registry', () => {
  it('names every format', () => {
    for (const n of ['app', 'gdch-proxy', 'kubernetes-audit', 'auditd', 'ecs', 'generic', 'auto']) expect(FORMAT_NAMES).toContain(n);
    for (const n of FORMAT_NAMES) expect(getFormat(n).name).toBe(n);
  });
  it('rejects an unknown name, listing the valid ones', () => {
    expect(() => getFormat('k8s')).toThrow(/unknown format "k8s"; valid formats: .*app.*gdch-proxy.*kubernetes-audit/);
  });
});

describe('detect', () => {
  const samples: Record<string, string[]> = {
    app: lines('app.ndjson'),
    'gdch-proxy': lines('gdch-proxy.ndjson'),
    'kubernetes-audit': [...lines('kubernetes-audit.ndjson'), JSON.stringify(JSON.parse(sample('kubernetes-eventlist.json')))],
  };
  it.each(Object.keys(samples))('%s claims its own samples and no other format claims them', (own) => {
    for (const [name, ls] of Object.entries(samples)) {
      for (const l of ls) expect(getFormat(own).detect(l), `${own} on a ${name} line`).toBe(name === own);
    }
  });
  it('ecs claims normalized output (it carries ecs.version), the JSON formats reject plain text', () => {
    const out = JSON.stringify(decodeAll(getFormat('app'), lines('app.ndjson')[0], { keepOriginal: true }).events[0].event);
    expect(getFormat('ecs').detect(out)).toBe(true);
    for (const n of ['app', 'gdch-proxy', 'kubernetes-audit', 'ecs']) {
      expect(getFormat(n).detect('type=SYSCALL msg=audit(1.2:3): ts=1')).toBe(false);
      expect(getFormat(n).detect('')).toBe(false);
    }
  });
});

describe('decodeAll', () => {
  it('reports 1-based lines and UTF-8 byte offsets, events and rejections in order', () => {
    const text = '{"level":"I","ts":"1","event":{"action":"é"}}\n\nnot json\n{"ts":"2","user":{"email":"李雷@example.cn"}}\n';
    const { events, rejected } = decodeAll(getFormat('app'), text, { keepOriginal: false });
    expect(events.map((d) => d.position)).toEqual([{ line: 1, offset: 0 }, { line: 4, offset: 57 }]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].position).toEqual({ line: 3, offset: 48 });
    expect(rejected[0].error).toBeInstanceOf(FormatError);
  });
});

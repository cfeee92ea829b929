import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appFormat } from './app.js';
import { createAutoFormat } from './auto.js';
import { FormatError, type Decoded, type Format, type LineDecoder } from './format.js';
import { eventProblems } from '../bench/formats/fuzz.js';
import type { GenericOptions } from './generic.js';
import { autoFormat, decodeAll, getFormat } from './registry.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const opts: GenericOptions = { keepOriginal: true, defaultTimeNs: 1763812800000000000n };

describe('auto', () => {
  it('decodes a mixed stream line by line exactly as the named formats do', () => {
    const sources = [['app', 'app.ndjson'], ['gdch-proxy', 'gdch-proxy.ndjson'], ['kubernetes-audit', 'kubernetes-audit.ndjson']] as const;
    const perFormat = sources.map(([f, file]) => ({ f, lines: testdata(file).split('\n').filter(Boolean) }));
    const mixed: string[] = [];
    const expected: unknown[] = [];
    for (let i = 0; i < 22; i++) {
      for (const { f, lines } of perFormat) {
        if (i >= lines.length) continue;
        mixed.push(lines[i]);
        expected.push(decodeAll(getFormat(f), lines[i], opts).events[0].event);
      }
    }
    mixed.push('', 'Nov 22 12:00:00 host kernel: something unrelated');
    const { events, rejected } = decodeAll(autoFormat, mixed.join('\n'), opts);
    expect(rejected).toEqual([]);
    expect(events.slice(0, -1).map((d) => d.event)).toEqual(expected);
    expect(events.at(-1)?.event.event?.module).toBe('generic');
    expect(events.at(-1)?.position.line).toBe(mixed.length);
    for (const d of events) expect(eventProblems(d.event, true)).toEqual([]);
  });
  it('auditd records between JSON lines still group into their events', () => {
    const audit = [
      'type=LOGIN msg=audit(1763830005.010:30008): pid=5100 uid=0 subj=unconfined old-auid=4294967295 auid=1000 tty=(none) old-ses=4294967295 ses=41 res=1',
      'type=SYSCALL msg=audit(1763830005.010:30008): arch=c000003e syscall=1 success=yes exit=4 a0=8 a1=7ffc2a1b a2=4 a3=0 items=0 ppid=812 pid=5100 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=41 comm="sshd" exe="/usr/sbin/sshd" subj=unconfined key=(null)',
      'type=PROCTITLE msg=audit(1763830005.010:30008): proctitle=737368643A20616C696365205B707269765D',
      'type=EOE msg=audit(1763830005.010:30008):',
    ];
    const app = testdata('app.ndjson').split('\n')[0];
    const { events, rejected } = decodeAll(autoFormat, [audit[0], app, audit[1], audit[2], audit[3]].join('\n'), opts);
    expect(rejected).toEqual([]);
    expect(events.map((d) => d.event.event?.module).sort()).toEqual(['app', 'auditd']);
    const a = events.find((d) => d.event.event?.module === 'auditd')!;
    expect(a.event.event?.action).toBe('changed-login-id-to');
  });
  it('ECS documents go to ecs, SDK events (no ecs.version) to app', () => {
    const normalized = JSON.stringify(decodeAll(appFormat, testdata('app.ndjson').split('\n')[0], opts).events[0].event);
    const [a, b] = decodeAll(autoFormat, `${normalized}\n{"@timestamp":"2025-01-01T00:00:00Z","event":{"action":"deploy"},"build":7}`, opts).events;
    expect(a.event.event?.module).toBe('app');
    expect(a.event).toEqual(JSON.parse(normalized)); // passed through as ecs, not re-mapped
    expect(b.event.event?.dataset).toBe('app.audit');
    expect(b.event.app).toEqual({ build: 7 });
  });
  it('a line its format rejects is kept whole as generic, with the reason', () => {
    const bad = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","sourceIPs":[1]}';
    const [d] = decodeAll(autoFormat, bad, opts).events;
    expect(d.event.event?.module).toBe('generic');
    expect(d.event.message).toBe(bad);
    expect(d.event.error).toEqual({ type: 'FormatError', message: 'kubernetes-audit: requestReceivedTimestamp: is required (or stageTimestamp)' });
  });
  it('pretty-printed documents: a known one decodes, an unknown one comes back line by line', () => {
    const list = decodeAll(autoFormat, testdata('kubernetes-eventlist.json'), opts);
    expect(list.events.map((d) => d.event.event?.dataset)).toEqual(Array(3).fill('kubernetes.audit_logs'));
    const other = decodeAll(autoFormat, '{\n  "x": 1\n}\nplain', opts);
    expect(other.events.map((d) => [d.position.line, d.event.message])).toEqual([[1, '{'], [2, '  "x": 1'], [3, '}'], [4, 'plain']]);
    const open = decodeAll(autoFormat, '{\n  "x": 1', opts);
    expect(open.events.map((d) => d.event.message)).toEqual(['{', '  "x": 1']);
  });
  it('without a time option, JSON lines still decode and unknown lines are FormatErrors', () => {
    const { events, rejected } = decodeAll(autoFormat, `${testdata('app.ndjson').split('\n')[0]}\nplain text`, { keepOriginal: true });
    expect(events).toHaveLength(1);
    expect(rejected.map((r) => r.error.message)).toEqual([expect.stringMatching(/of no known format.*defaultTimeNs/)]);
  });
  it('keeps one decoder per stateful line format for the whole stream, and flushes it', () => {
    // a stand-in for auditd: records of lines `rec N ...` end at `end N`
    const multiLine: Format = {
      name: 'multi',
      detect: (l) => l.startsWith('rec ') || l.startsWith('end '),
      createDecoder(): LineDecoder {
        const open = new Map<string, string[]>();
        const emit = (id: string): Decoded => ({
          event: { '@timestamp': '2025-01-01T00:00:00Z', message: open.get(id)!.join('|'), event: { kind: 'event', module: 'multi', dataset: 'multi.x', outcome: 'unknown' }, ecs: { version: '8.11.0' } },
          position: { line: 0, offset: 0 },
        });
        return {
          push(line) {
            const [kind, id] = line.split(' ');
            if (kind === 'rec') {
              open.set(id, [...(open.get(id) ?? []), line]);
              return [];
            }
            if (!open.has(id)) throw new FormatError(`end without records: ${id}`);
            const out = [emit(id)];
            open.delete(id);
            return out;
          },
          flush: () => [...open.keys()].map((id) => emit(id)),
        };
      },
    };
    const auto = createAutoFormat([appFormat, multiLine]);
    const text = ['rec 1 a', '{"ts":"1","event":{"action":"x"}}', 'rec 2 b', 'rec 1 c', 'end 1', 'end 9', 'rec 3 d'].join('\n');
    const { events } = decodeAll(auto, text, opts);
    expect(events.map((d) => d.event.message)).toEqual(['- x (unknown)', 'rec 1 a|rec 1 c', 'end 9', 'rec 2 b', 'rec 3 d']);
    expect(events[2].event.error).toEqual({ type: 'FormatError', message: 'multi: end without records: 9' });
  });
});

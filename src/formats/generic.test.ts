import { describe, expect, it } from 'vitest';
import { eventProblems } from '../bench/formats/fuzz.js';
import { genericFormat, type GenericOptions } from './generic.js';

const pos = { line: 1, offset: 0 };

describe('generic', () => {
  it('keeps the line whole as message and event.original, timed by the caller', () => {
    const d = genericFormat.createDecoder({ keepOriginal: true, defaultTimeNs: 1763812800123456789n } as GenericOptions);
    const [out] = d.push('Nov 22 12:00:00 host sshd[1]: Accepted publickey for ann', pos);
    expect(out.event).toEqual({
      '@timestamp': '2025-11-22T12:00:00.123456789Z',
      message: 'Nov 22 12:00:00 host sshd[1]: Accepted publickey for ann',
      ecs: { version: '8.11.0' },
      event: { kind: 'event', module: 'generic', dataset: 'generic.log', outcome: 'unknown', original: 'Nov 22 12:00:00 host sshd[1]: Accepted publickey for ann' },
    });
    expect(eventProblems(out.event)).toEqual([]);
    expect(out.position).toBe(pos);
  });
  it('the transport time wins over the ingest time; a clock function is asked once per line', () => {
    let calls = 0;
    const clock = () => 1_000_000_000n * BigInt(1763812800 + calls++);
    const d = genericFormat.createDecoder({ keepOriginal: false, defaultTimeNs: clock } as GenericOptions);
    expect(d.push('a', pos)[0].event['@timestamp']).toBe('2025-11-22T12:00:00.000000000Z');
    expect(d.push('b', pos)[0].event['@timestamp']).toBe('2025-11-22T12:00:01.000000000Z');
    const t = genericFormat.createDecoder({ keepOriginal: false, transportTimeNs: 5n, defaultTimeNs: clock } as GenericOptions);
    expect(t.push('c', pos)[0].event['@timestamp']).toBe('1970-01-01T00:00:00.000000005Z');
  });
  it('skips blank lines, strips a CRLF end, keepOriginal: false', () => {
    const d = genericFormat.createDecoder({ keepOriginal: false, defaultTimeNs: 0n } as GenericOptions);
    expect(d.push('', pos)).toEqual([]);
    expect(d.push(' \t\r', pos)).toEqual([]);
    const [out] = d.push('x y\r', pos);
    expect(out.event.message).toBe('x y');
    expect(out.event.event).not.toHaveProperty('original');
    expect(d.flush()).toEqual([]);
  });
  it('without a time option it refuses to start', () => {
    expect(() => genericFormat.createDecoder({ keepOriginal: true })).toThrow(/transportTimeNs or defaultTimeNs/);
  });
});

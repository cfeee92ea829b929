/**
 * Property: no input makes the auditd decoder crash, hang, throw anything but FormatError,
 * or emit an event that is not valid ECS. ~2,000 fast-check runs here; `fuzzAuditd` in
 * ./fuzz.ts is the large-scale run (≥ 100,000 inputs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInput, fuzzAuditd } from './fuzz.js';
import { generateAuditdLog } from './generate.js';

const SAMPLE_LINES = generateAuditdLog(300, 99);
const ALPHABET = [
  ' ', '=', '"', "'", '\x1d', '\x00', '\x01', 'A', 'F', '0', '9', 'a', 'z', '(', ')', ':', '.', '[', ']', '{', '}',
  'é', '\ufffd', 'msg=audit(', 'type=', 'node=', 'EOE', 'SYSCALL', 'EXECVE', 'a0=', 'a1_len=', 'a1[0]=', 'argc=',
  'saddr=', 'msg=\'', '4294967295', 'proctitle=',
];

const header = fc
  .record({
    type: fc.constantFrom('SYSCALL', 'EXECVE', 'PATH', 'CWD', 'PROCTITLE', 'SOCKADDR', 'EOE', 'USER_LOGIN', 'LOGIN', 'AVC', 'UNKNOWN[1399]', '1300', '1327'),
    sec: fc.integer({ min: 0, max: 4_000_000_000 }),
    ms: fc.integer({ min: 0, max: 999 }),
    serial: fc.integer({ min: 0, max: 5 }),
    node: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  })
  .map(({ type, sec, ms, serial, node }) =>
    `${node ? `node=${node} ` : ''}type=${type} ${/^\d/.test(type) ? '' : 'msg='}audit(${sec}.${String(ms).padStart(3, '0')}:${serial}):`,
  );

const line = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 }),
  fc.tuple(header, fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 40 })).map(([h, b]) => `${h} ${b}`),
  fc
    .tuple(fc.constantFrom(...SAMPLE_LINES), fc.nat(), fc.nat(), fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 6 }))
    .map(([l, a, b, ins]) => {
      const i = a % (l.length + 1);
      const j = Math.min(l.length, i + (b % 12));
      return l.slice(0, i) + ins + l.slice(j);
    }),
  fc.constantFrom(...SAMPLE_LINES),
);

describe('auditd decoder robustness', () => {
  it('never throws anything but FormatError, never hangs, emits only valid ECS (fast-check, 2,000 runs)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
        const problem = checkInput(lines);
        if (problem) throw new Error(problem);
      }),
      { numRuns: 2000, seed: 424242 },
    );
  });

  it('fuzzAuditd: generated and mutated logs (small run; the script runs ≥ 100,000)', () => {
    const r = fuzzAuditd(400, 7);
    expect(r.failures).toEqual([]);
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.events).toBeGreaterThan(400);
  });
});

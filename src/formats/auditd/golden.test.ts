/**
 * Golden test over the shared auditd samples. The expected NDJSON was produced by this
 * decoder and checked against every spot value of `shared/samples/README.md` (asserted
 * explicitly below). Regenerate with `UPDATE_GOLDEN=1 npx vitest run src/formats/auditd`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../model/validate.js';
import type { Decoded } from '../format.js';
import { auditdFormat } from './index.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SAMPLE = here('./testdata/auditd.log.txt');
const PRINTK = here('./testdata/auditd-kernel-printk.log.txt');
const EXPECTED = here('./testdata/auditd.expected.ndjson');
/** The shared originals the testdata copies were taken from (present in a full checkout). */
const SHARED = here('../../../../shared/samples/');

function decodeFile(path: string, keepOriginal = true): Decoded[] {
  const dec = auditdFormat.createDecoder({ keepOriginal });
  const out: Decoded[] = [];
  let offset = 0;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line !== '') out.push(...dec.push(line, { line: i + 1, offset }));
      offset += Buffer.byteLength(line) + 1;
    });
  out.push(...dec.flush());
  return out;
}

/** Events as loose JSON: the auditd fields (user.audit, event.sequence, …) are outside the typed ECS subset. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const events: Doc[] = decodeFile(SAMPLE).map((d) => d.event);
const bySerial = new Map<number, Doc>(events.map((e) => [e.event.sequence as number, e]));
const ev = (serial: number): Doc => {
  const e = bySerial.get(serial);
  if (!e) throw new Error(`no event ${serial}`);
  return e;
};

describe('auditd golden (shared/samples/auditd.log)', () => {
  it('testdata copies equal the shared samples', () => {
    for (const [copy, name] of [[SAMPLE, 'auditd.log'], [PRINTK, 'auditd-kernel-printk.log']]) {
      const shared = SHARED + name;
      if (existsSync(shared)) expect(readFileSync(copy, 'utf8')).toBe(readFileSync(shared, 'utf8'));
    }
  });

  it('yields 41 events, one per serial, all valid ECS', () => {
    expect(events).toHaveLength(41);
    expect([...bySerial.keys()].sort()).toEqual(Array.from({ length: 41 }, (_, i) => 30001 + i));
    for (const e of events) {
      expect(validateEvent(e)).toEqual([]);
      expect(e.ecs?.version).toBe('8.11.0');
      expect(e.event).toMatchObject({ kind: 'event', module: 'auditd', dataset: 'auditd.log' });
      expect(e['@timestamp']).toMatch(/^2025-11-22T16:46:\d\d\.\d{3}Z$/);
      expect(['success', 'failure', 'unknown']).toContain(e.event?.outcome);
    }
  });

  it('matches the golden NDJSON', () => {
    const actual = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    if (process.env.UPDATE_GOLDEN) writeFileSync(EXPECTED, actual);
    expect(actual).toBe(readFileSync(EXPECTED, 'utf8'));
  });

  it('keeps all lines of an event in event.original, EOE included', () => {
    const original = ev(30011).event!.original!.split('\n');
    expect(original).toHaveLength(7);
    expect(original.every((l: string) => l.includes('msg=audit(1763830006.000:30011)'))).toBe(true);
    expect(original[6]).toBe('type=EOE msg=audit(1763830006.000:30011):');
    expect(ev(30001).event!.original).toBe(readFileSync(SAMPLE, 'utf8').split('\n')[0]);
    const noOrig = decodeFile(SAMPLE, false);
    expect(noOrig.every((d) => d.event.event!.original === undefined)).toBe(true);
  });

  it('spot values from samples/README.md', () => {
    // 30002: failed ssh login, hex acct = (invalid user), unset auid
    expect(ev(30002).event).toMatchObject({ action: 'logged-in', outcome: 'failure' });
    expect(ev(30002).user?.name).toBe('(invalid user)');
    expect(ev(30002).user?.audit).toBeUndefined();
    expect(ev(30002).source?.ip).toBe('203.0.113.66');
    // 30008: LOGIN first → changed-login-id-to, one event for LOGIN+SYSCALL+PROCTITLE
    expect(ev(30008).event?.action).toBe('changed-login-id-to');
    expect((ev(30008).auditd as { records: string[] }).records).toEqual(['LOGIN', 'SYSCALL', 'PROCTITLE']);
    // 30011/30012 interleave and come out complete
    expect(ev(30011).process?.args).toEqual(['git', 'log', '--oneline', '-n', '5']);
    expect(ev(30012).process?.args).toEqual(['less']);
    for (const s of [30011, 30012]) {
      expect((ev(s).auditd as { records: string[] }).records).toEqual(['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PATH', 'PROCTITLE']);
    }
    expect(ev(30013).process?.args).toEqual(['grep', '-rn', 'TODO: fix me', 'src/']);
    expect(ev(30014).process?.args).toEqual(['cat', 'Übersicht – Q4.md']);
    expect(ev(30015).event).toMatchObject({ action: 'opened-file', outcome: 'failure' });
    expect(ev(30018).event?.action).toBe('ran-command');
    expect(ev(30018).process?.args).toEqual(['systemctl', 'restart', 'nginx']);
    expect(ev(30018).user?.id).toBe('1000');
    expect(ev(30021).event?.action).toBe('executed');
    expect(ev(30021).user?.audit).toEqual({ id: '1000' });
    expect(ev(30021).user?.id).toBe('0');
    expect(ev(30030).event?.action).toBe('added-user-account');
    expect(ev(30030).user?.target?.name).toBe('carol');
    expect(ev(30033).destination).toEqual({ ip: '198.51.100.10', port: 443 });
    expect(ev(30034).destination?.ip).toBe('2001:db8::1');
    expect(ev(30034).event?.outcome).toBe('failure');
    expect(ev(30037).user?.audit).toBeUndefined();
  });

  it('maps the rest of the sample as the mapping note says', () => {
    expect(ev(30001).user?.name).toBe('?'); // PAM's literal unknown account is kept
    expect(ev(30010).user?.effective?.id).toBe('1000'); // USER_LOGIN id=
    expect(ev(30015).file?.path).toBe('/etc/shadow');
    expect(ev(30015).auditd).toMatchObject({ result: 'fail', data: { exit: '-13', syscall: 'openat' } });
    expect(ev(30018).process?.command_line).toBe('systemctl restart nginx');
    expect(ev(30018).process?.working_directory).toBe('/home/alice');
    expect(ev(30021).process).toMatchObject({ pid: 5201, parent: { pid: 5200 }, name: 'systemctl', title: 'systemctl restart nginx' });
    expect(ev(30021).tags).toEqual(['exec']);
    expect(ev(30021).host?.architecture).toBe('x86_64');
    expect(ev(30021).message).toBe('uid=0 executed systemctl restart nginx (success)');
    expect(ev(30029)).toMatchObject({ event: { action: 'added-group-account-to' }, group: { name: 'carol' } });
    expect(ev(30031).user?.target?.id).toBe('1002');
    expect(ev(30032)).toMatchObject({ event: { action: 'changed-password' }, user: { target: { name: 'carol' } } });
    expect(ev(30022).event?.action).toBe('stopped-service');
    expect(ev(30022).event?.type).toEqual(['end']);
    expect(ev(30023).event?.action).toBe('started-service');
    expect(ev(30033).network?.direction).toBe('egress');
    expect(ev(30033).related?.ip).toEqual(['198.51.100.10']);
    expect(ev(30035).file?.path).toBe('/home/alice/notes.txt');
    expect(ev(30035).event?.action).toBe('deleted');
    expect(ev(30036).event?.action).toBe('loaded-kernel-module');
    expect(ev(30038).event).toMatchObject({ action: 'changed-audit-configuration', category: ['process', 'configuration'] });
    expect(ev(30041).event?.action).toBe('logged-out');
    expect(ev(30008).process?.title).toBe('sshd: alice [priv]');
    expect(ev(30008).auditd).toMatchObject({ session: '41', data: { 'old-auid': '4294967295', syscall: 'write' } });
  });
});

describe('auditd kernel printk sample', () => {
  it('decodes the numeric-type kernel-log record without EOE', () => {
    const [d, ...rest] = decodeFile(PRINTK);
    expect(rest).toHaveLength(0);
    const e: Doc = d.event;
    expect(validateEvent(e)).toEqual([]);
    expect(e['@timestamp']).toBe('2023-02-06T09:57:37.491Z');
    expect(e.event).toMatchObject({ action: 'executed', category: ['process'], type: ['start'], outcome: 'success', sequence: 6132447 });
    expect(e.host).toEqual({ name: 'ip-10-0-5-34.eu-central-1.compute.internal', architecture: 'x86_64' });
    expect(e.process).toMatchObject({ pid: 3659596, parent: { pid: 1 }, name: 'update-ssh-keys', executable: '/usr/bin/update-ssh-keys' });
    expect(e.user?.id).toBe('0');
    expect(e.user?.audit).toBeUndefined();
    expect(e.tags).toEqual(['auditing']);
    expect(e.event?.original).toBe(readFileSync(PRINTK, 'utf8').trimEnd());
  });
});

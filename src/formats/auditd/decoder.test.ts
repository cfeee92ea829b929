import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../model/validate.js';
import { FormatError, type Decoded } from '../format.js';
import { AuditdDecoder } from './assemble.js';
import { hexOf } from '../../bench/auditd/generate.js';
import { auditdFormat } from './index.js';

const GS = '\x1d';
/** Events as loose JSON: the auditd fields (user.audit, event.sequence, …) are outside the typed ECS subset. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const H = (serial: number, type: string, t = '1763830006.000') => `type=${type} msg=audit(${t}:${serial}):`;
const SYSCALL = (serial: number, extra = '', t?: string) =>
  `${H(serial, 'SYSCALL', t)} arch=c000003e syscall=59 success=yes exit=0 a0=3 a1=7ffd1b2c a2=0 a3=0 items=2 ppid=1 pid=10 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=3 comm="x" exe="/usr/bin/x" key="k" ${extra}`.trimEnd();

function run(lines: string[], dec = new AuditdDecoder({ keepOriginal: true })): Doc[] {
  const out: Decoded[] = [];
  lines.forEach((l, i) => out.push(...dec.push(l, { line: i + 1, offset: 0 })));
  out.push(...dec.flush());
  for (const d of out) expect(validateEvent(JSON.parse(JSON.stringify(d.event)))).toEqual([]);
  return out.map((d) => d.event);
}
const one = (lines: string[]): Doc => {
  const evs = run(lines);
  expect(evs).toHaveLength(1);
  return evs[0];
};

describe('auditd event assembly', () => {
  it('groups interleaved serials into complete events, emitted at EOE', () => {
    const dec = new AuditdDecoder({ keepOriginal: false });
    const lines = [
      SYSCALL(1), SYSCALL(2),
      `${H(2, 'EXECVE')} argc=1 a0="less"`, `${H(1, 'EXECVE')} argc=2 a0="git" a1="log"`,
      `${H(1, 'CWD')} cwd="/src"`, `${H(2, 'PROCTITLE')} proctitle="less"`,
      `${H(1, 'EOE')}`, `${H(2, 'EOE')}`,
    ];
    const got = lines.map((l, i) => dec.push(l, { line: i + 1, offset: 0 }).map((d) => [(d.event as Doc).event.sequence, d.position.line]));
    expect(got).toEqual([[], [], [], [], [], [], [[1, 1]], [[2, 2]]]);
    expect(dec.pendingSince()).toBeUndefined();
  });

  it('treats user-space and daemon records as single-record events', () => {
    const dec = new AuditdDecoder({ keepOriginal: true });
    const r: { event: Doc }[] = dec.push(`${H(5, 'USER_AUTH')} pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication acct="bob" exe="/usr/sbin/sshd" hostname=? addr=2001:db8::7 terminal=ssh res=failed'`, { line: 1, offset: 0 });
    expect(r).toHaveLength(1);
    expect(r[0].event).toMatchObject({ event: { action: 'authenticated', outcome: 'failure' }, user: { name: 'bob', id: '0' }, source: { ip: '2001:db8::7' } });
    expect(r[0].event.user?.audit).toBeUndefined();
    expect(dec.push(`${H(6, 'DAEMON_START')} op=start ver=3.0.9 auid=4294967295 pid=1 res=success`, { line: 2, offset: 0 })).toHaveLength(1);
  });

  it('reassembles split EXECVE arguments across records, joining bytes before UTF-8', () => {
    const big = 'é'.repeat(10) + 'x'.repeat(7);
    const hex = hexOf(big); // the split falls inside a two-byte character
    const e = one([
      SYSCALL(7),
      `${H(7, 'EXECVE')} argc=4 a0="printf" a1_len=${hex.length} a1[0]=${hex.slice(0, 15 * 2 - 1)}${hex[29]}`,
      `${H(7, 'EXECVE')}  a1[1]=${hex.slice(30)} a2_len=6 a2[0]="abc"`,
      `${H(7, 'EXECVE')}  a2[1]="def" a3="z"`,
      `${H(7, 'EOE')}`,
    ]);
    expect(e.process?.args).toEqual(['printf', big, 'abcdef', 'z']);
    expect(e.process?.args_count).toBe(4);
    expect((e.auditd as Record<string, unknown>).execve).toBeUndefined();
    expect(e.event?.original?.split('\n')).toHaveLength(5);
  });

  it('treats missing arguments as "" and flags broken chunks in auditd.execve', () => {
    expect(one([SYSCALL(8), `${H(8, 'EXECVE')} argc=3 a0="ls" a2="/etc"`, `${H(8, 'EOE')}`]).process?.args).toEqual(['ls', '', '/etc']);
    const e = one([SYSCALL(9), `${H(9, 'EXECVE')} argc=2 a0="cat" a1_len=10 a1[0]=414243`, `${H(9, 'EOE')}`]);
    expect(e.process?.args).toEqual(['cat', 'ABC']);
    expect((e.auditd as { execve: Record<string, string> }).execve).toMatchObject({ problem: expect.stringContaining('a1'), 'a1[0]': '414243' });
    const huge = one([SYSCALL(10), `${H(10, 'EXECVE')} argc=999999999 a0="x"`, `${H(10, 'EOE')}`]);
    expect(huge.process?.args).toEqual(['x']);
  });

  it('decodes non-ASCII hex arguments and proctitle', () => {
    const e = one([
      SYSCALL(11),
      `${H(11, 'EXECVE')} argc=2 a0="cat" a1=${hexOf('Übersicht – Q4.md')}`,
      `${H(11, 'PROCTITLE')} proctitle=${hexOf('cat\0Übersicht – Q4.md')}`,
      `${H(11, 'EOE')}`,
    ]);
    expect(e.process).toMatchObject({ args: ['cat', 'Übersicht – Q4.md'], title: 'cat Übersicht – Q4.md' });
    expect(e.message).toBe('uid=0 executed cat Übersicht – Q4.md (success)');
  });

  it('maps success=no, unset auid and IPv6/IPv4/unix SOCKADDR', () => {
    const v6 = one([
      SYSCALL(12, '', '1.000').replace('syscall=59 success=yes exit=0', 'syscall=42 success=no exit=-111').replace('auid=1000', 'auid=4294967295').replace('ses=3', 'ses=4294967295'),
      `${H(12, 'SOCKADDR', '1.000')} saddr=0A0001BB0000000020010DB800000000000000000000000100000000`,
      `${H(12, 'EOE', '1.000')}`,
    ]);
    expect(v6.event).toMatchObject({ action: 'connected-to', outcome: 'failure', category: ['network'], type: ['connection', 'start'] });
    expect(v6.destination).toEqual({ ip: '2001:db8::1', port: 443 });
    expect(v6.user?.audit).toBeUndefined();
    expect((v6.auditd as Record<string, unknown>).session).toBeUndefined();
    expect((v6.auditd as Record<string, unknown>).result).toBe('fail');
    const bind = one([SYSCALL(13).replace('syscall=59', 'syscall=49'), `${H(13, 'SOCKADDR')} saddr=0200115C000000000000000000000000`, `${H(13, 'EOE')}`]);
    expect(bind.event?.action).toBe('bound-socket');
    expect(bind.source).toEqual({ ip: '0.0.0.0', port: 4444 });
    const unix = one([
      SYSCALL(14).replace('syscall=59', 'syscall=42'),
      `${H(14, 'SOCKADDR')} saddr=01002F72756E2F646275732F73797374656D5F6275735F736F636B657400C0FFEE`,
      `${H(14, 'EOE')}`,
    ]);
    expect((unix.auditd as { data: { socket: unknown } }).data.socket).toEqual({ family: 'local', path: '/run/dbus/system_bus_socket' });
    expect(unix.destination).toBeUndefined();
  });

  it('uses the ENRICHED names of an aarch64 host with node=', () => {
    const e = one([
      `node=web-2 ${H(15, 'SYSCALL')} arch=c00000b7 syscall=221 success=yes exit=0 items=1 ppid=1 pid=9 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm="id" exe="/usr/bin/id" key=(null)${GS}ARCH=aarch64 SYSCALL=execve AUID="alice" UID="root" GID="root" EUID="root" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root"`,
      `node=web-2 ${H(15, 'EXECVE')} argc=1 a0="id"`,
      `node=web-2 ${H(15, 'EOE')}`,
    ]);
    expect(e.event?.action).toBe('executed');
    expect(e.host).toEqual({ name: 'web-2', architecture: 'aarch64' });
    expect(e.user).toMatchObject({ id: '0', name: 'root', audit: { id: '1000', name: 'alice' }, effective: { id: '0', name: 'root' }, group: { id: '0', name: 'root' } });
    expect(e.related?.user).toEqual(['root', '0', 'alice', '1000']);
    expect(e.tags).toBeUndefined();
    const login = one([`${H(16, 'USER_LOGIN')} pid=5 uid=0 auid=1000 ses=41 msg='op=login id=1000 exe="/usr/sbin/sshd" hostname=client.example.com addr=? terminal=/dev/pts/1 res=success'${GS}UID="root" AUID="alice" ID="alice"`]);
    expect(login.user).toMatchObject({ name: 'root', audit: { name: 'alice' }, effective: { id: '1000', name: 'alice' } });
    expect(login.source).toEqual({ domain: 'client.example.com' });
    const unset = one([`${H(17, 'LOGIN')} pid=5 uid=0 old-auid=4294967295 auid=1000 res=1${GS}UID="root" OLD-AUID="unset" AUID="unknown(1000)"`]);
    expect(unset.user?.audit).toEqual({ id: '1000' });
  });

  it('keeps the same serial on two nodes apart', () => {
    const evs = run([`node=a ${SYSCALL(20)}`, `node=b ${SYSCALL(20)}`, `node=b ${H(20, 'EOE')}`, `node=a ${H(20, 'EOE')}`]);
    expect(evs.map((e) => e.host?.name)).toEqual(['b', 'a']);
  });

  it('throws FormatError for garbage and keeps assembling around it', () => {
    const dec = new AuditdDecoder({ keepOriginal: true });
    dec.push(SYSCALL(30), { line: 1, offset: 0 });
    for (const bad of ['\x00\x01garbage', `${H(30, 'CWD')} cwd="/tm`, 'type=CWD msg=audit(1763830006.000:30', '{not json']) {
      expect(() => dec.push(bad, { line: 2, offset: 0 })).toThrow(FormatError);
    }
    dec.push(`${H(30, 'CWD')} cwd="/tmp"`, { line: 3, offset: 0 });
    const [d]: { event: Doc; position: { line: number } }[] = dec.push(`${H(30, 'EOE')}`, { line: 4, offset: 0 });
    expect(d.event.process?.working_directory).toBe('/tmp');
    expect(d.event.event?.original?.split('\n')).toHaveLength(3);
    expect(d.position.line).toBe(1);
  });

  it('closes events without EOE by source time, bound, flush or flushOpenedUpTo', () => {
    const dec = new AuditdDecoder({ keepOriginal: false, maxOpenEvents: 2 });
    expect(dec.push(`${H(40, 'CONFIG_CHANGE', '100.000')} auid=1000 ses=1 op=add_rule key="x" list=4 res=1`, { line: 1, offset: 0 })).toEqual([]);
    expect(dec.pendingSince()).toBe(1);
    expect(dec.push(SYSCALL(41, '', '101.000'), { line: 2, offset: 0 })).toEqual([]);
    // a line two seconds later closes event 40 (auditd's end_of_event_timeout)
    const late = dec.push(SYSCALL(42, '', '102.000'), { line: 3, offset: 0 });
    expect(late.map((d) => (d.event as Doc).event.sequence)).toEqual([40]);
    expect(dec.pendingSince()).toBe(2);
    // bound of 2 open events: the oldest is closed
    expect(dec.push(SYSCALL(43, '', '102.500'), { line: 4, offset: 0 }).map((d) => (d.event as Doc).event.sequence)).toEqual([41]);
    expect(dec.flushOpenedUpTo(3).map((d) => (d.event as Doc).event.sequence)).toEqual([42]);
    expect(dec.pushed()).toBe(4);
    expect(dec.flush().map((d) => (d.event as Doc).event.sequence)).toEqual([43]);
    expect(dec.pendingSince()).toBeUndefined();
  });

  it('drops an EOE of an unknown event and flags late records as partial', () => {
    const dec = new AuditdDecoder({ keepOriginal: false });
    expect(dec.push(`${H(50, 'EOE')}`, { line: 1, offset: 0 })).toEqual([]);
    dec.push(SYSCALL(51), { line: 2, offset: 0 });
    expect(dec.push(`${H(51, 'EOE')}`, { line: 3, offset: 0 })).toHaveLength(1);
    dec.push(`${H(51, 'PATH')} item=0 name="/x" nametype=NORMAL`, { line: 4, offset: 0 });
    const [p] = dec.flush();
    expect(p.event.auditd).toMatchObject({ partial: true, message_type: 'path', paths: [{ item: '0', name: '/x' }] });
  });

  it('closes kernel-log events at PROCTITLE (printk prints no EOE)', () => {
    const dec = auditdFormat.createDecoder({ keepOriginal: true });
    const k = 'Feb 06 09:57:37 h1 kernel: audit: ';
    expect(dec.push(`${k}type=1300 audit(1675677457.491:77): arch=c000003e syscall=59 success=yes exit=0 pid=1 uid=0 auid=4294967295 comm="ls" exe="/bin/ls"`, { line: 1, offset: 0 })).toEqual([]);
    expect(dec.push(`${k}type=1309 audit(1675677457.491:77): argc=2 a0="ls" a1="-l"`, { line: 2, offset: 0 })).toEqual([]);
    const [d] = dec.push(`${k}type=1327 audit(1675677457.491:77): proctitle=6C73002D6C`, { line: 3, offset: 0 });
    expect(d.event).toMatchObject({ host: { name: 'h1' }, process: { args: ['ls', '-l'], title: 'ls -l' }, event: { action: 'executed' } });
  });

  it('maps AVC and unknown record types without inventing categories', () => {
    const avc = one([`${H(60, 'AVC')} apparmor="DENIED" operation="open" profile="/usr/sbin/cupsd" name="/etc/shadow" pid=7 comm="cupsd" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`]);
    expect(avc.event?.action).toBe('violated-apparmor-policy');
    expect(avc.event?.category).toBeUndefined();
    const unk = one([`${H(61, 'UNKNOWN[1399]')} x=1`]);
    expect(unk.event?.action).toBe('unknown[1399]');
  });
});

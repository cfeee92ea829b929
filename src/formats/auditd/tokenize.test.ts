import { describe, expect, it } from 'vitest';
import { FormatError } from '../format.js';
import { detectAuditd } from './index.js';
import { parseLine } from './tokenize.js';

const fields = (line: string) => {
  const r = parseLine(line);
  return Object.fromEntries(r.fields.names.map((n, i) => [n, r.fields.values[i]]));
};
const GS = '\x1d';

describe('auditd line tokenizer', () => {
  it('parses the header and quoted, bare and (null) values', () => {
    const r = parseLine('type=SYSCALL msg=audit(1763830006.000:30011): arch=c000003e syscall=59 comm="git" key=(null) tty=(none)');
    expect(r).toMatchObject({ node: undefined, type: 'SYSCALL', typeNum: 1300, sec: '1763830006', ms: '000', secNum: 1763830006, serial: 30011, carrier: 'raw' });
    expect(fields('type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 comm="git" key=(null) tty=(none)')).toEqual({
      arch: 'c000003e', syscall: '59', comm: 'git', key: '(null)', tty: '(none)',
    });
  });

  it('decodes hex only for encoded-string fields', () => {
    const f = fields('type=SYSCALL msg=audit(1.000:1): a1=7FFD1B2C comm=6D7920636F6D6D exe=2F7573722F62696E2F6D7920657865 key=6B31016B32');
    expect(f.a1).toBe('7FFD1B2C');
    expect(f.comm).toBe('my comm');
    expect(f.exe).toBe('/usr/bin/my exe');
    expect(f.key).toBe('k1\x01k2');
    // Latin-1 bytes are not UTF-8: replacement characters, not a rejection
    expect(fields('type=PATH msg=audit(1.000:1): item=0 name=2F746D702F4EFC').name).toBe('/tmp/N\ufffd');
    // old PAM wrote acct=root bare
    expect(fields("type=USER_AUTH msg=audit(1.000:1): pid=1 msg='op=x acct=root res=success'").acct).toBe('root');
  });

  it('flattens the msg=\'…\' payload; outer fields win over repeated inner ones', () => {
    const f = fields("type=USER_CMD msg=audit(1.000:1): pid=5200 uid=1000 msg='uid=7 cwd=\"/home/a b\" cmd=6C73202D6C terminal=pts/1 res=success'");
    expect(f).toEqual({ pid: '5200', uid: '1000', cwd: '/home/a b', cmd: 'ls -l', terminal: 'pts/1', res: 'success' });
  });

  it('keeps EXECVE arguments raw (quote marker or hex) for reassembly', () => {
    const f = fields('type=EXECVE msg=audit(1.000:1): argc=3 a0="ls" a1=2D6C61 a2_len=4 a2[0]="ab"');
    expect(f).toEqual({ argc: '3', a0: '"ls', a1: '2D6C61', a2_len: '4', 'a2[0]': '"ab' });
    expect(parseLine('type=EXECVE msg=audit(1.000:1):  a1[1]=4142').fields.get('a1[1]')).toBe('4142');
  });

  it('reads node=, UNKNOWN[…] types, values starting with = and runs of spaces', () => {
    const r = parseLine('node=web-2 type=UNKNOWN[1399] msg=audit(1.500:7):  subj==unconfined  x=1');
    expect(r).toMatchObject({ node: 'web-2', type: 'UNKNOWN[1399]', typeNum: 1399, serial: 7 });
    expect(r.fields.get('subj')).toBe('=unconfined');
    expect(r.fields.get('x')).toBe('1');
  });

  it('parses the ENRICHED part after 0x1D', () => {
    const r = parseLine(
      `type=SYSCALL msg=audit(1.000:1): arch=c00000b7 syscall=221 auid=1000 key="exec"${GS}ARCH=aarch64 SYSCALL=execve AUID="alice" UID=616C69636520626F62 GID="unknown(1001)"`,
    );
    expect(r.fields.get('key')).toBe('exec');
    expect(Object.fromEntries(r.enriched!)).toEqual({ ARCH: 'aarch64', SYSCALL: 'execve', AUID: 'alice', UID: 'alice bob', GID: 'unknown(1001)' });
    const s = parseLine(`type=SOCKADDR msg=audit(1.000:1): saddr=020001BBC000020F0000000000000000${GS}SADDR={ saddr_fam=inet laddr=192.0.2.15 lport=443 }`);
    expect(s.enriched!.get('SADDR')).toBe('{ saddr_fam=inet laddr=192.0.2.15 lport=443 }');
  });

  it('accepts syslog carriers, whose relay turned 0x1D into a space', () => {
    const r = parseLine(
      'Nov 22 16:00:00 web-3 audisp-syslog: type=SYSCALL msg=audit(1763830000.100:5): arch=c000003e syscall=59 key=(null) ARCH=x86_64 SYSCALL=execve AUID="alice"',
    );
    expect(r).toMatchObject({ node: 'web-3', type: 'SYSCALL', carrier: 'syslog' });
    expect(r.fields.has('ARCH')).toBe(false);
    expect(r.enriched!.get('AUID')).toBe('alice');
    const n = parseLine('<14>1 2025-11-22T16:00:00Z relay audisp-syslog - - - node=web-4 type=EOE msg=audit(1763830000.100:5):');
    expect(n).toMatchObject({ node: 'web-4', type: 'EOE', carrier: 'syslog' });
  });

  it('accepts kernel printk lines: numeric type, no msg=', () => {
    const r = parseLine('[  12.345678] audit: type=1327 audit(1675677457.491:6132447): proctitle="bash"');
    expect(r).toMatchObject({ type: 'PROCTITLE', typeNum: 1327, carrier: 'printk', serial: 6132447 });
    expect(parseLine('audit: type=1399 audit(1.000:1): x=1').type).toBe('UNKNOWN[1399]');
  });

  it('accepts journald JSON entries (_TRANSPORT=audit)', () => {
    const entry = {
      _TRANSPORT: 'audit', _HOSTNAME: 'db-1', _AUDIT_TYPE: '1300', _AUDIT_TYPE_NAME: 'SYSCALL', _AUDIT_ID: '4242',
      _SOURCE_REALTIME_TIMESTAMP: '1763830000123000', MESSAGE: 'SYSCALL arch=c000003e syscall=59 success=yes comm="ls"',
    };
    const r = parseLine(JSON.stringify(entry));
    expect(r).toMatchObject({ node: 'db-1', type: 'SYSCALL', sec: '1763830000', ms: '123', serial: 4242, carrier: 'journald' });
    expect(r.fields.get('comm')).toBe('ls');
    expect(parseLine(JSON.stringify({ ...entry, _AUDIT_TYPE_NAME: 'AUDIT1399', _AUDIT_TYPE: '1399', MESSAGE: 'AUDIT1399 x=1' })).type).toBe('UNKNOWN[1399]');
    expect(() => parseLine(JSON.stringify({ ...entry, _AUDIT_ID: undefined }))).toThrow(FormatError);
    expect(() => parseLine('{"MESSAGE": [1, 2]}')).toThrow(FormatError);
  });

  it('understands AVC text and old-style LOGIN records', () => {
    const avc = fields('type=AVC msg=audit(1.000:1): avc:  denied  { read write } for  pid=7 comm="x" scontext=a:b:c');
    expect(avc).toMatchObject({ seresult: 'denied', seperms: 'read,write', pid: '7', comm: 'x' });
    expect(avc.unparsed).toBeUndefined();
    const login = fields('type=LOGIN msg=audit(1.000:1): login pid=1 uid=0 old auid=4294967295 new auid=1000 old ses=1 new ses=2');
    expect(login).toMatchObject({ 'old-auid': '4294967295', 'new-auid': '1000', 'old-ses': '1', 'new-ses': '2', unparsed: 'login' });
  });

  it.each([
    ['type=SYSCALL msg=audit(1763830000.12x:77777): a=1', 'millisecond'],
    ['type=SYSCALL msg=audit(1763830000.123): a=1', 'serial'],
    ['type=SYSCALL msg=(1763830000.500:5): a=1', 'msg=audit('],
    ['msg=audit(1763830000.500:5): a=1', 'type='],
    ['type=SYSCALL msg=audit(1763830000.500:5): exe="/usr/bi', 'unterminated'],
    ['type=PROCTITLE msg=audit(1763830000.500:5): proctitle=2F62696E2D6', 'odd-length hex'],
    ['type=EXECVE msg=audit(1763830000.500:5): argc=1 a0=2F6', 'odd-length hex'],
    ["type=USER_AUTH msg=audit(1763830000.500:5): pid=1 msg='op=x res=success", 'unterminated'],
    ['type=SYSCALL msg=audit(1763830000.500:5): comm="a\ufffdb"', 'invalid UTF-8'],
    ['type=SYSCALL msg=audit(1763830000.500:5): \x00\x00\x00', 'control character'],
    ['type=syscall msg=audit(1763830000.500:5): a=1', 'record type'],
    ['type=SYSCALL msg=audit(1763830000.500:4294967296): a=1', 'out of range'],
    ['type=SYSCALL msg=audit(99999999999999.500:5): a=1', 'timestamp'],
    ['type=SYSCALL msg=audit(1763830000.500:5): lorem ipsum', 'no key=value'],
    ['type=SYSCALL msg=audit(1763830000.500:5): comm="a"b', 'after the quoted value'],
    ['', 'type='],
    ['just some text', 'type='],
  ])('rejects %j (%s)', (line, reason) => {
    expect(() => parseLine(line)).toThrow(FormatError);
    expect(() => parseLine(line)).toThrow(reason);
  });

  it('detect() recognizes audit lines and nothing else', () => {
    expect(detectAuditd('type=EOE msg=audit(1.000:1):')).toBe(true);
    expect(detectAuditd('node=a type=SYSCALL msg=audit(1.000:1): x=1')).toBe(true);
    expect(detectAuditd('Feb 06 09:57:37 h kernel: audit: type=1300 audit(1675677457.491:6132447): arch=c000003e')).toBe(true);
    expect(detectAuditd('{"_AUDIT_ID":"1","MESSAGE":"EOE"}')).toBe(true);
    expect(detectAuditd('{"level":"I","ts":"1.0","event":{"action":"x"}}')).toBe(false);
    expect(detectAuditd('type=foo audit(x)')).toBe(false);
    expect(detectAuditd('hello world')).toBe(false);
  });
});

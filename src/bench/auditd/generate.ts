/**
 * Deterministic generator of realistic raw auditd logs, for the benchmark and the fuzzer:
 * execve events (quoted, hex and split arguments, several EXECVE records), openat/unlinkat
 * with CWD/PATH, connect with IPv4/IPv6 SOCKADDR, ssh logins (PAM records, LOGIN+SYSCALL),
 * sudo USER_CMD, useradd records, ENRICHED aarch64 hosts with `node=`, and interleaved serials.
 */

/** Small fast seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hexOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
}

/** The kernel's rule: quoted unless the text has `"`, a byte < 0x21 or > 0x7e. */
export function encodeValue(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c < 0x21 || c > 0x7e) return hexOf(text);
  }
  return `"${text}"`;
}

const GS = '\x1d';
const USERS: Array<[number, string]> = [[0, 'root'], [1000, 'alice'], [1001, 'bob'], [1002, 'carol'], [33, 'www-data']];
const CMDS: string[][] = [
  ['git', 'log', '--oneline', '-n', '5'], ['ls', '-la', '/var/log'], ['grep', '-rn', 'TODO: fix me', 'src/'],
  ['cat', 'Übersicht – Q4.md'], ['systemctl', 'restart', 'nginx'], ['curl', '-s', 'https://example.com/api?q=1'],
  ['python3', '-c', 'print("hello world")'], ['tar', 'czf', '/tmp/backup.tgz', '/etc'], ['ps', 'aux'], ['id'],
];
const FILES = ['/etc/shadow', '/etc/passwd', '/var/log/auth.log', 'notes.txt', '/home/alice/.ssh/authorized_keys'];
const IPS4 = ['198.51.100.10', '203.0.113.66', '192.0.2.15', '10.1.2.3'];

interface Host {
  node: string | undefined;
  arch: 'c000003e' | 'c00000b7';
  enriched: boolean;
}
const HOSTS: Host[] = [
  { node: undefined, arch: 'c000003e', enriched: false },
  { node: 'web-1', arch: 'c000003e', enriched: false },
  { node: 'web-2', arch: 'c00000b7', enriched: true },
];
const SC: Record<string, [number, number]> = {
  execve: [59, 221], openat: [257, 56], connect: [42, 203], unlinkat: [263, 35], write: [1, 64],
};

function sockaddr4(ip: string, port: number): string {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(2, 0);
  b.writeUInt16BE(port, 2);
  ip.split('.').forEach((p, i) => (b[4 + i] = Number(p)));
  return b.toString('hex').toUpperCase();
}

function sockaddr6(port: number): string {
  const b = Buffer.alloc(28);
  b.writeUInt16LE(10, 0);
  b.writeUInt16BE(port, 2);
  b.writeUInt16BE(0x2001, 8);
  b.writeUInt16BE(0x0db8, 10);
  b[23] = 1;
  return b.toString('hex').toUpperCase();
}

/**
 * EXECVE records for argv, like the kernel: at most ~7500 bytes of argument text per record,
 * long arguments hex and split (`aN_len=L aN[0]=… aN[1]=…`), continuation records start with a space.
 */
function execveRecords(argv: string[]): string[] {
  const BUDGET = 7500;
  const recs: string[] = [];
  let cur = `argc=${argv.length}`;
  let room = BUDGET;
  argv.forEach((arg, n) => {
    const enc = encodeValue(arg);
    if (enc.length <= room) {
      cur += ` a${n}=${enc}`;
      room -= enc.length;
      return;
    }
    const hex = hexOf(arg);
    cur += ` a${n}_len=${hex.length}`;
    for (let i = 0, k = 0; i < hex.length; k++) {
      if (room < 64) {
        recs.push(cur);
        cur = '';
        room = BUDGET;
      }
      const take = Math.min(room - (room % 2), hex.length - i);
      cur += ` a${n}[${k}]=${hex.slice(i, i + take)}`;
      room -= take;
      i += take;
    }
  });
  recs.push(cur);
  return recs;
}

function enrich(h: Host, fields: Array<[string, number]>, extra = ''): string {
  if (!h.enriched) return '';
  const names = fields.map(([k, id]) => `${k}=${id === 4294967295 ? '"unset"' : `"${USERS.find((u) => u[0] === id)?.[1] ?? `unknown(${id})`}"`}`);
  return GS + [extra, ...names].filter(Boolean).join(' ');
}

/** One event as lines (without interleaving). */
export function generateEvent(rnd: () => number, serial: number, sec: number, ms: number): string[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const h = pick(HOSTS);
  const head = (type: string) =>
    `${h.node ? `node=${h.node} ` : ''}type=${type} msg=audit(${sec}.${String(ms).padStart(3, '0')}:${serial}):`;
  const [uid, uname] = pick(USERS);
  const auid = rnd() < 0.15 ? 4294967295 : pick(USERS)[0];
  const ses = auid === 4294967295 ? 4294967295 : 40 + Math.floor(rnd() * 5);
  const pid = 1000 + Math.floor(rnd() * 60000);
  const r = rnd();
  const syscallLine = (name: string, ok: boolean, exit: number, items: number, comm: string, exe: string, key: string) => {
    const arm = h.arch === 'c00000b7';
    const ids = `auid=${auid} uid=${uid} gid=${uid} euid=${uid} suid=${uid} fsuid=${uid} egid=${uid} sgid=${uid} fsgid=${uid}`;
    return `${head('SYSCALL')} arch=${h.arch} syscall=${SC[name][arm ? 1 : 0]} success=${ok ? 'yes' : 'no'} exit=${exit} a0=3 a1=7ffd1b2c a2=0 a3=0 items=${items} ppid=${pid - 7} pid=${pid} ${ids} tty=${auid === 4294967295 ? '(none)' : 'pts1'} ses=${ses} comm=${encodeValue(comm)} exe=${encodeValue(exe)} subj=unconfined key=${key ? `"${key}"` : '(null)'}` +
      enrich(h, [['AUID', auid], ['UID', uid], ['GID', uid], ['EUID', uid], ['SUID', uid], ['FSUID', uid], ['EGID', uid], ['SGID', uid], ['FSGID', uid]], `ARCH=${arm ? 'aarch64' : 'x86_64'} SYSCALL=${name}`);
  };
  const path = (item: number, name: string, nametype: string) =>
    `${head('PATH')} item=${item} name=${encodeValue(name)} inode=${131000 + item} dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=${nametype} cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0` +
    enrich(h, [['OUID', 0], ['OGID', 0]]);
  const title = (argv: string[]) => {
    const t = Buffer.from(argv.join('\0'), 'utf8').subarray(0, 128).toString('utf8');
    return `${head('PROCTITLE')} proctitle=${argv.length > 1 ? hexOf(t) : encodeValue(t)}`;
  };
  const eoe = head('EOE');
  if (r < 0.45) {
    const argv = [...pick(CMDS)];
    if (rnd() < 0.01) argv.push('x'.repeat(9000 + Math.floor(rnd() * 4000)));
    const exe = `/usr/bin/${argv[0]}`;
    return [
      syscallLine('execve', true, 0, 2, argv[0], exe, 'exec'),
      ...execveRecords(argv).map((b) => `${head('EXECVE')} ${b}`),
      `${head('CWD')} cwd=${encodeValue(pick(['/home/alice', '/root', '/home/bob/My Documents']))}`,
      path(0, exe, 'NORMAL'),
      path(1, '/lib64/ld-linux-x86-64.so.2', 'NORMAL'),
      title(argv),
      eoe,
    ];
  }
  if (r < 0.6) {
    const f = pick(FILES);
    const ok = rnd() < 0.7;
    const del = rnd() < 0.3;
    return [
      syscallLine(del ? 'unlinkat' : 'openat', ok, ok ? 3 : -13, 1, 'cat', '/usr/bin/cat', del ? 'delete' : 'access'),
      `${head('CWD')} cwd="/home/alice"`,
      path(0, f, del ? 'DELETE' : 'NORMAL'),
      title(['cat', f]),
      eoe,
    ];
  }
  if (r < 0.7) {
    const v6 = rnd() < 0.3;
    const ok = rnd() < 0.8;
    const sa = v6 ? sockaddr6(443) : sockaddr4(pick(IPS4), 443);
    return [
      syscallLine('connect', ok, ok ? 0 : -111, 0, 'php-fpm8.2', '/usr/sbin/php-fpm8.2', 'egress'),
      `${head('SOCKADDR')} saddr=${sa}` + (h.enriched ? `${GS}SADDR={ saddr_fam=${v6 ? 'inet6' : 'inet'} laddr=x lport=443 }` : ''),
      title(['php-fpm8.2']),
      eoe,
    ];
  }
  if (r < 0.75) {
    return [
      `${head('LOGIN')} pid=${pid} uid=0 subj=unconfined old-auid=4294967295 auid=${uid} tty=(none) old-ses=4294967295 ses=${ses} res=1` +
        enrich(h, [['UID', 0], ['OLD-AUID', 4294967295], ['AUID', uid]]),
      syscallLine('write', true, 4, 0, 'sshd', '/usr/sbin/sshd', ''),
      `${head('PROCTITLE')} proctitle=${hexOf(`sshd: ${uname} [priv]`)}`,
      eoe,
    ];
  }
  const ip = pick(IPS4);
  const res = rnd() < 0.8 ? 'success' : 'failed';
  const acct = rnd() < 0.05 ? hexOf('(invalid user)') : `"${uname}"`;
  const user = (type: string, msg: string) =>
    `${head(type)} pid=${pid} uid=0 auid=${auid} ses=${ses} subj=unconfined msg='${msg}'` + enrich(h, [['UID', 0], ['AUID', auid]]);
  const pam = (op: string) => `op=PAM:${op} grantors=${res === 'success' ? 'pam_unix' : '?'} acct=${acct} exe="/usr/sbin/sshd" hostname=${ip} addr=${ip} terminal=ssh res=${res}`;
  if (r < 0.82) return [user('USER_AUTH', pam('authentication'))];
  if (r < 0.86) return [user('USER_ACCT', pam('accounting'))];
  if (r < 0.9) return [user('CRED_ACQ', pam('setcred'))];
  if (r < 0.93) return [user('USER_START', pam('session_open'))];
  if (r < 0.96) return [user('USER_LOGIN', `op=login id=${uid} exe="/usr/sbin/sshd" hostname=${ip} addr=${ip} terminal=/dev/pts/1 res=${res}`)];
  if (r < 0.98) {
    const cmd = pick(CMDS).join(' ');
    return [user('USER_CMD', `cwd="/home/${uname}" cmd=${encodeValue(cmd)} exe="/usr/bin/sudo" terminal=pts/1 res=${res}`)];
  }
  return [user('ADD_USER', `op=add-user acct="dave" exe="/usr/sbin/useradd" hostname=web-2 addr=? terminal=pts/1 res=success`)];
}

/**
 * A log of `events` events as lines; about `interleave` of consecutive events have their
 * records interleaved (as the kernel emits them from different CPUs).
 */
export function generateAuditdLog(events: number, seed = 1, interleave = 0.3): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  let sec = 1763830000;
  let ms = 0;
  let pending: string[] | undefined;
  for (let i = 0; i < events; i++) {
    ms += 1 + Math.floor(rnd() * 20);
    if (ms >= 1000) {
      sec += Math.floor(ms / 1000);
      ms %= 1000;
    }
    const ev = generateEvent(rnd, 40000 + i, sec, ms);
    if (pending) {
      // Merge the two events' records, each keeping its own order.
      let a = 0;
      let b = 0;
      while (a < pending.length || b < ev.length) {
        if (b >= ev.length || (a < pending.length && rnd() < 0.5)) out.push(pending[a++]);
        else out.push(ev[b++]);
      }
      pending = undefined;
    } else if (ev.length > 1 && rnd() < interleave) pending = ev;
    else out.push(...ev);
  }
  if (pending) out.push(...pending);
  return out;
}

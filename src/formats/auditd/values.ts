/**
 * Field value decoding for raw auditd records: which fields carry encoded strings,
 * hex → UTF-8, socket addresses, arch and syscall names, and the numbers that mean "unset".
 */
import { isIP } from 'node:net';
import { AARCH64_SYSCALLS, ARCH_NAMES, X86_64_SYSCALLS } from './tables/syscalls.js';

/**
 * Fields whose value is an encoded string (quoted text, or upper-case hex when the text
 * needs encoding). libauparse `typetab.h` ESCAPED/ESCAPED_FILE/ESCAPED_KEY/PROCTITLE
 * types, plus `data` (TTY records), the names the kernel writes through
 * `audit_log_untrustedstring`.
 */
export const ENCODED_FIELDS: ReadonlySet<string> = new Set([
  'path', 'comm', 'exe', 'file', 'name', 'watch', 'cwd', 'cmd', 'acct', 'dir', 'key', 'vm',
  'old-chardev', 'new-chardev', 'old-disk', 'new-disk', 'old-fs', 'new-fs', 'old-net', 'new-net',
  'device', 'cgroup', 'apparmor', 'operation', 'denied_mask', 'info', 'profile', 'requested_mask',
  'old-rng', 'new-rng', 'ocomm', 'proctitle', 'grp', 'new_group', 'invalid_context', 'sw',
  'root_dir', 'data',
]);

/**
 * A set of field names with a membership test that needs no hashing: names are bucketed by
 * first character and compared directly (field names are sliced from the line, so a Set
 * lookup would hash every one of them).
 */
export function nameSet(names: Iterable<string>): (name: string) => boolean {
  const buckets: string[][] = [];
  for (const n of names) (buckets[n.charCodeAt(0)] ??= []).push(n);
  return (name: string): boolean => {
    const list = buckets[name.charCodeAt(0)];
    if (list === undefined) return false;
    for (let i = 0; i < list.length; i++) if (list[i] === name) return true;
    return false;
  };
}

/** Same as `ENCODED_FIELDS.has(name)`. */
export const isEncodedField = nameSet(ENCODED_FIELDS);

/** 0 = not a hex digit; else digit value + 1. Upper-case only: the kernel and libaudit write `%02X`. */
const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i + 1;
for (let i = 0; i < 6; i++) HEX[65 + i] = 11 + i;

const HEX_RE = /^[0-9A-F]+$/;

/** True when `s` is non-empty and made of upper-case hex digits only (any length). */
export function isHexDigits(s: string): boolean {
  return HEX_RE.test(s);
}

/** Hex text (already checked by `isHexDigits`, even length) → bytes. */
export function hexBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/**
 * Hex text → string: bytes decoded as UTF-8, invalid sequences become U+FFFD. With
 * `nulToSpace` (PROCTITLE: arguments separated by NUL) every NUL byte becomes a space.
 */
export function hexToUtf8(hex: string, nulToSpace = false): string {
  const n = hex.length;
  // Fast path for short ASCII-only content: no Buffer.
  if (n <= 64) {
    let out = '';
    for (let i = 0; i < n; i += 2) {
      const b = (HEX[hex.charCodeAt(i)] - 1) * 16 + (HEX[hex.charCodeAt(i + 1)] - 1);
      if (b >= 0x80) return bufferText(hex, nulToSpace);
      out += String.fromCharCode(b === 0 && nulToSpace ? 32 : b);
    }
    return out;
  }
  return bufferText(hex, nulToSpace);
}

function bufferText(hex: string, nulToSpace: boolean): string {
  const b = Buffer.from(hex, 'hex');
  if (nulToSpace) for (let i = 0; i < b.length; i++) if (b[i] === 0) b[i] = 32;
  return b.toString('utf8');
}

/** auid/ses values that mean "not set" (−1 as u32, or printed signed by old tools). */
export function isUnsetId(v: string | undefined): boolean {
  return v === '4294967295' || v === '-1';
}

/** Values that auditd writes for "no value": omitted from ECS output. */
export function isEmptyMarker(v: string | undefined): boolean {
  return v === undefined || v === '' || v === '?' || v === '(null)' || v === '(none)';
}

const EXTRA_ARCHES: ReadonlyMap<string, string> = new Map([
  ['c00000f3', 'riscv64'],
  ['400000f3', 'riscv32'],
]);

/** `arch=` hex → name (`c000003e` → `x86_64`); undefined when unknown. */
export function archName(arch: string): string | undefined {
  const a = arch.toLowerCase();
  return ARCH_NAMES.get(a) ?? EXTRA_ARCHES.get(a);
}

/** Syscall number → name for x86_64 and aarch64; undefined for other arches or unknown numbers. */
export function syscallName(arch: string | undefined, num: string): string | undefined {
  let table: readonly string[];
  if (arch === 'c000003e') table = X86_64_SYSCALLS;
  else if (arch === 'c00000b7') table = AARCH64_SYSCALLS;
  else return undefined;
  const n = Number(num);
  if (!Number.isInteger(n) || n < 0 || n >= table.length) return undefined;
  const name = table[n];
  return name === '-' ? undefined : name;
}

export interface SockAddr {
  family: string;
  ip?: string;
  port?: number;
  path?: string;
}

function ipv6(b: Buffer, at: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(at + 2 * i));
  // IPv4-mapped ::ffff:a.b.c.d
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${b[at + 12]}.${b[at + 13]}.${b[at + 14]}.${b[at + 15]}`;
  }
  // RFC 5952: compress the longest run (≥ 2) of zero words, first one on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const FAMILIES: Record<number, string> = {
  0: 'unspec', 1: 'local', 2: 'inet', 3: 'ax25', 4: 'ipx', 5: 'appletalk', 9: 'x25', 10: 'inet6',
  16: 'netlink', 17: 'packet', 29: 'can', 31: 'bluetooth', 38: 'alg', 40: 'vsock', 44: 'xdp',
};

/**
 * Decodes a SOCKADDR `saddr` (hex of the raw `struct sockaddr`, family little-endian as
 * on x86 and arm). Returns undefined for text that is not even-length hex.
 */
export function decodeSockaddr(hex: string): SockAddr | undefined {
  if (hex.length < 4 || hex.length % 2 !== 0 || !isHexDigits(hex)) return undefined;
  const b = hexBytes(hex);
  const fam = b.readUInt16LE(0);
  const family = FAMILIES[fam] ?? `unknown(${fam})`;
  if (fam === 2 && b.length >= 8) {
    return { family, port: b.readUInt16BE(2), ip: `${b[4]}.${b[5]}.${b[6]}.${b[7]}` };
  }
  if (fam === 10 && b.length >= 24) {
    return { family, port: b.readUInt16BE(2), ip: ipv6(b, 8) };
  }
  if (fam === 1) {
    const rest = b.subarray(2);
    if (rest.length === 0) return { family };
    if (rest[0] === 0) {
      // Abstract socket: the name is every byte after the leading NUL up to the next NUL.
      const end = rest.indexOf(0, 1);
      return { family, path: '@' + rest.subarray(1, end < 0 ? rest.length : end).toString('utf8') };
    }
    const end = rest.indexOf(0);
    return { family, path: rest.subarray(0, end < 0 ? rest.length : end).toString('utf8') };
  }
  return { family };
}

/** True when `s` is an IPv4 or IPv6 address. */
export function isIp(s: string): boolean {
  return isIP(s) !== 0;
}

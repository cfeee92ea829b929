/**
 * The fields of one record: names and values in two parallel arrays, in input order.
 * Records have ~5–30 fields and are read a few dozen times, so a linear scan beats a Map
 * (no per-record hash table to allocate and grow, no hashing of every sliced name).
 *
 * Known field names are not sliced from the line: `fieldName` finds the string constant
 * for them (by first character and length, then a character compare, no hashing), so
 * lookups and object stores use internalized strings and compare by pointer.
 */
import { ENCODED_FIELDS } from './values.js';

const KNOWN = [
  // SYSCALL
  'arch', 'syscall', 'success', 'exit', 'a0', 'a1', 'a2', 'a3', 'items', 'ppid', 'pid', 'auid', 'uid', 'gid',
  'euid', 'suid', 'fsuid', 'egid', 'sgid', 'fsgid', 'tty', 'ses', 'subj', 'key',
  // PATH, CWD, SOCKADDR, EXECVE
  'item', 'inode', 'dev', 'mode', 'ouid', 'ogid', 'rdev', 'nametype', 'cap_fp', 'cap_fi', 'cap_fe', 'cap_fver',
  'cap_frootid', 'obj', 'saddr', 'argc', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9',
  // user space, LOGIN, CONFIG_CHANGE, AVC, misc
  'msg', 'op', 'grantors', 'hostname', 'addr', 'terminal', 'res', 'id', 'unit', 'old-auid', 'old-ses',
  'list', 'scontext', 'tcontext', 'tclass', 'permissive', 'sauid', 'src', 'ver', 'format', 'kernel', 'state',
  'audit_enabled', 'audit_pid', 'prom', 'sig', 'fd0', 'fd1', 'opid', 'oauid', 'oses', 'fver', 'fp', 'fi', 'fe',
  'old_pp', 'old_pi', 'old_pe', 'pp', 'pi', 'pe',
  ...ENCODED_FIELDS,
];

/** Known names by first character and length: `BY_FIRST_LEN[c0 * 64 + len]`. */
const BY_FIRST_LEN: (string[] | undefined)[] = [];
for (const k of new Set(KNOWN)) (BY_FIRST_LEN[k.charCodeAt(0) * 64 + k.length] ??= []).push(k);

/** The field name `s[start, end)`: a shared constant when known, else a slice. */
export function fieldName(s: string, start: number, end: number): string {
  const len = end - start;
  const c0 = s.charCodeAt(start);
  if (len < 64 && c0 < 128) {
    const list = BY_FIRST_LEN[c0 * 64 + len];
    if (list !== undefined) {
      outer: for (let j = 0; j < list.length; j++) {
        const k = list[j];
        for (let i = 1; i < len; i++) if (s.charCodeAt(start + i) !== k.charCodeAt(i)) continue outer;
        return k;
      }
    }
  }
  return s.slice(start, end);
}

export class Fields {
  readonly names: string[] = [];
  readonly values: string[] = [];

  get size(): number {
    return this.names.length;
  }

  get(name: string): string | undefined {
    const n = this.names;
    for (let i = 0; i < n.length; i++) if (n[i] === name) return this.values[i];
    return undefined;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** Appends (callers check `has` where a name may repeat). */
  add(name: string, value: string): void {
    this.names.push(name);
    this.values.push(value);
  }
}

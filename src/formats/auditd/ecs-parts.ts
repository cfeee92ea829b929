/**
 * Pieces of the auditd → ECS mapping (see ecs.ts): the mapping context, field access with
 * the primary-then-SYSCALL fallback, network, files and leftovers. Kept as small functions
 * so V8 optimizes each of them early (one huge function took a second to compile).
 */
import type { Fields } from './fields.js';
import type { Norm } from './normalize.js';
import type { AuditRecord } from './tokenize.js';
import { archName, decodeSockaddr, isEmptyMarker, isIp, nameSet } from './values.js';

export type Obj = Record<string, unknown>;

export interface Ctx {
  type: string;
  /** Primary record's fields, and the SYSCALL record's when that is another record. */
  pf: Fields;
  sf: Fields | undefined;
  scName: string | undefined;
  norm: Norm;
  data: Obj;
  auditd: Obj;
}

/** A field of the primary record, else of the SYSCALL record; auditd's "no value" markers → undefined. */
export function val(c: Ctx, k: string): string | undefined {
  let v = c.pf.get(k);
  if (v === undefined && c.sf !== undefined) v = c.sf.get(k);
  return v === undefined || isEmptyMarker(v) ? undefined : v;
}

/** Sets a field whose name comes from the input: `__proto__` becomes an own property, not the prototype. */
export function setField(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** A record's fields as an object, without the "no value" markers. */
export function recordObject(r: AuditRecord): Obj {
  const o: Obj = {};
  const { names, values } = r.fields;
  for (let i = 0; i < names.length; i++) if (!isEmptyMarker(values[i])) setField(o, names[i], values[i]);
  return o;
}

/** A real name from ENRICHED (not `unset`, `unknown(N)`, `?`). */
export function enrichedName(v: string | undefined): string | undefined {
  if (v === undefined || isEmptyMarker(v) || v === 'unset' || v.startsWith('unknown(')) return undefined;
  return v;
}

export interface Net {
  source: Obj;
  destination: Obj;
  clientIp: string | undefined;
  direction: string | undefined;
}

const EGRESS = new Set(['connect', 'sendto', 'sendmsg', 'sendmmsg']);
const INGRESS = new Set(['accept', 'accept4', 'recvfrom', 'recvmsg', 'recvmmsg']);

/** `addr`/`src`/`hostname` of user-space records, and the SOCKADDR of socket syscalls. */
export function mapNetwork(c: Ctx, sockRec: AuditRecord | undefined): Net {
  const net: Net = { source: {}, destination: {}, clientIp: undefined, direction: undefined };
  const { source, destination } = net;
  const addr = val(c, 'addr') ?? val(c, 'src');
  if (addr !== undefined) {
    if (isIp(addr)) source.ip = net.clientIp = addr;
    else source.address = addr;
  }
  const hostname = val(c, 'hostname');
  if (hostname !== undefined) {
    if (!isIp(hostname)) source.domain = hostname;
    else if (source.ip === undefined) source.ip = net.clientIp = hostname;
  }
  const saddr = sockRec?.fields.get('saddr');
  if (saddr === undefined) return net;
  const sa = decodeSockaddr(saddr);
  const socket: Obj = sa ? { family: sa.family } : { saddr };
  if (sa?.path !== undefined) socket.path = sa.path;
  if (sa?.ip !== undefined) {
    socket.addr = sa.ip;
    socket.port = sa.port;
    const sc = c.scName ?? '';
    if (EGRESS.has(sc)) {
      destination.ip = sa.ip;
      destination.port = sa.port;
      net.direction = 'egress';
    } else if (INGRESS.has(sc) || sc === 'bind') {
      source.ip = sa.ip;
      source.port = sa.port;
      if (sc !== 'bind') {
        net.direction = 'ingress';
        net.clientIp = sa.ip;
      }
    }
  }
  c.data.socket = socket;
  return net;
}

const FILE_NAMETYPES = new Set(['NORMAL', 'CREATE', 'DELETE']);

const isLoader = (name: string): boolean => {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.startsWith('ld-') || base.startsWith('ld64') || base === 'ld.so';
};

function joinPath(cwd: string | undefined, name: string): string {
  if (name.startsWith('/') || !cwd) return name;
  return cwd.endsWith('/') ? cwd + name : `${cwd}/${name}`;
}

/** `auditd.paths[]`, and `file.path` for file syscalls (first NORMAL/CREATE/DELETE item, not the loader). */
export function mapPaths(c: Ctx, paths: AuditRecord[], cwd: string | undefined): Obj | undefined {
  c.auditd.paths = paths.map((p) => {
    const o = recordObject(p);
    const pe = p.enriched;
    if (pe) {
      const on = enrichedName(pe.get('OUID'));
      const gn = enrichedName(pe.get('OGID'));
      if (on !== undefined) o.ouid_name = on;
      if (gn !== undefined) o.ogid_name = gn;
    }
    return o;
  });
  if (!c.norm.category.includes('file')) return undefined;
  for (const p of paths) {
    const name = p.fields.get('name');
    if (name === undefined || isEmptyMarker(name) || isLoader(name)) continue;
    if (!FILE_NAMETYPES.has(p.fields.get('nametype') ?? 'NORMAL')) continue;
    return { path: joinPath(cwd, name) };
  }
  return undefined;
}

/** Fields with an ECS home; everything else of the primary/SYSCALL record goes to `auditd.data`. */
const isMapped = nameSet([
  'pid', 'ppid', 'uid', 'gid', 'euid', 'egid', 'suid', 'sgid', 'fsuid', 'fsgid', 'auid', 'ses',
  'comm', 'exe', 'acct', 'res', 'success', 'addr', 'cwd', 'cmd', 'key', 'msg', 'argc',
]);

/** Copies the unmapped fields of `f` (not in `skip`) into `auditd.data`. `id` is mapped when `idMapped`. */
export function leftovers(c: Ctx, f: Fields, skip: Fields | undefined, idMapped: boolean): void {
  const { names, values } = f;
  const data = c.data;
  for (let i = 0; i < names.length; i++) {
    const k = names[i];
    const v = values[i];
    if (isMapped(k) || isEmptyMarker(v) || (skip !== undefined && skip.has(k))) continue;
    if (k === 'id' && idMapped) continue;
    setField(data, k, k === 'syscall' ? (c.scName ?? v) : k === 'arch' ? (archName(v) ?? v) : v);
  }
}

/** `related.ip` and `related.user`: every IP, and the ids and names of actor, audit, effective and target user. */
export function related(user: Obj, net: Net): Obj | undefined {
  const ips: string[] = [];
  for (const ip of [net.source.ip, net.destination.ip]) if (typeof ip === 'string' && !ips.includes(ip)) ips.push(ip);
  const users: string[] = [];
  const u = user as { name?: string; id?: string; audit?: Obj; effective?: Obj; target?: Obj };
  for (const v of [u.name, u.id, u.audit?.name, u.audit?.id, u.effective?.name, u.effective?.id, u.target?.name, u.target?.id]) {
    if (typeof v === 'string' && v !== '?' && !users.includes(v)) users.push(v);
  }
  if (!ips.length && !users.length) return undefined;
  const r: Obj = {};
  if (ips.length) r.ip = ips;
  if (users.length) r.user = users;
  return r;
}

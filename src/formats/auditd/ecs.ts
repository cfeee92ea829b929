/**
 * One assembled auditd event (its records, in arrival order) → one ECS document, following
 * `reference/ecs-mapping.md` §5 (Auditbeat-style coalescing). The primary record is the
 * first one; fields it lacks are taken from the event's SYSCALL record.
 */
import type { AuditEvent } from '../../model/event.js';
import { summarize } from '../../model/message.js';
import {
  enrichedName, leftovers, mapNetwork, mapPaths, recordObject, related, setField, val, type Ctx, type Obj,
} from './ecs-parts.js';
import { reassembleArgs } from './execve.js';
import { syscallNorm, typeNorm } from './normalize.js';
import type { AuditRecord } from './tokenize.js';
import { archName, isEmptyMarker, isUnsetId, syscallName } from './values.js';

const TARGET_USER_TYPES = new Set(['ADD_USER', 'DEL_USER', 'USER_MGMT', 'USER_CHAUTHTOK']);
const GROUP_TYPES = new Set(['ADD_GROUP', 'DEL_GROUP', 'GRP_MGMT', 'GRP_CHAUTHTOK']);
const LOGIN_TYPES = new Set(['USER_LOGIN', 'USER_LOGOUT']);
/** Record types whose fields are mapped by their own rules (not dumped into `auditd.data`). */
const CONSUMED_TYPES = new Set(['EXECVE', 'PATH', 'CWD', 'PROCTITLE', 'SOCKADDR']);
/** ENRICHED uid/gid names → where they go under `user`. */
const ENRICHED_NAMES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['AUID', ['audit', 'name']], ['EUID', ['effective', 'name']], ['SUID', ['saved', 'name']],
  ['FSUID', ['filesystem', 'name']], ['GID', ['group', 'name']], ['EGID', ['effective', 'group', 'name']],
  ['SGID', ['saved', 'group', 'name']], ['FSGID', ['filesystem', 'group', 'name']],
];
const ENRICHED_CONSUMED = new Set(['ARCH', 'SYSCALL', 'SADDR', 'UID', 'ID', ...ENRICHED_NAMES.map(([k]) => k)]);
const PID = /^\d{1,10}$/;

let isoSec = -1;
let isoPrefix = '';
function timestamp(secNum: number, ms: string): string {
  if (secNum !== isoSec) {
    isoSec = secNum;
    isoPrefix = new Date(secNum * 1000).toISOString().slice(0, 19);
  }
  return `${isoPrefix}.${ms}Z`;
}

/** Sets `obj.a.b… = v` creating objects on the way. */
function put(obj: Obj, path: readonly string[], v: unknown): void {
  let o = obj;
  for (let i = 0; i < path.length - 1; i++) o = (o[path[i]] ??= {}) as Obj;
  o[path[path.length - 1]] = v;
}

/** `{ id, group: { id } }` with the parts that are present. */
function idObject(id: string | undefined, gid: string | undefined): Obj {
  const o: Obj = {};
  if (id !== undefined) o.id = id;
  if (gid !== undefined) o.group = { id: gid };
  return o;
}

function outcomeOf(res: string | undefined, success: string | undefined): 'success' | 'failure' | 'unknown' {
  const v = res ?? success;
  if (v === undefined) return 'unknown';
  const r = v.toLowerCase();
  if (r === 'yes' || r === '1' || r.startsWith('suc')) return 'success';
  if (r === 'no' || r === '0' || r.startsWith('fail')) return 'failure';
  return 'unknown';
}

/** user.* (ids, audit id, acct/id by record type); returns `group` for group-management records. */
function mapUsers(c: Ctx, user: Obj): Obj | undefined {
  const uid = val(c, 'uid');
  if (uid !== undefined) user.id = uid;
  const gid = val(c, 'gid');
  if (gid !== undefined) user.group = { id: gid };
  const euid = val(c, 'euid');
  const egid = val(c, 'egid');
  if (euid !== undefined || egid !== undefined) user.effective = idObject(euid, egid);
  const suid = val(c, 'suid');
  const sgid = val(c, 'sgid');
  if (suid !== undefined || sgid !== undefined) user.saved = idObject(suid, sgid);
  const fsuid = val(c, 'fsuid');
  const fsgid = val(c, 'fsgid');
  if (fsuid !== undefined || fsgid !== undefined) user.filesystem = idObject(fsuid, fsgid);
  const auid = val(c, 'auid') ?? val(c, 'new-auid');
  if (auid !== undefined && !isUnsetId(auid)) user.audit = { id: auid };
  const acct = c.pf.get('acct') ?? c.sf?.get('acct');
  const id = val(c, 'id');
  const type = c.type;
  if (TARGET_USER_TYPES.has(type)) {
    if (acct !== undefined && !isEmptyMarker(acct)) put(user, ['target', 'name'], acct);
    if (id !== undefined && !isUnsetId(id)) put(user, ['target', 'id'], id);
    return undefined;
  }
  if (GROUP_TYPES.has(type)) {
    const group: Obj = {};
    if (id !== undefined) group.id = id;
    if (acct !== undefined && !isEmptyMarker(acct)) group.name = acct;
    return group;
  }
  // PAM's literal `?` and sshd's `(invalid user)` are kept: they are the name that was tried.
  if (acct !== undefined && acct !== '' && acct !== '(null)') user.name = acct;
  if (id !== undefined) {
    if (!LOGIN_TYPES.has(type)) c.data.id = id;
    else if (!isUnsetId(id)) put(user, ['effective', 'id'], id);
  }
  return undefined;
}

/** Names from the ENRICHED part; the rest of it under `auditd.enriched`. */
function mapEnriched(c: Ctx, en: Map<string, string>, user: Obj, group: Obj | undefined): void {
  const uidName = enrichedName(en.get('UID'));
  if (uidName !== undefined && user.name === undefined) user.name = uidName;
  for (const [k, path] of ENRICHED_NAMES) {
    const n = enrichedName(en.get(k));
    if (n !== undefined) put(user, path, n);
  }
  const idName = enrichedName(en.get('ID'));
  if (idName !== undefined) {
    if (LOGIN_TYPES.has(c.type)) put(user, ['effective', 'name'], idName);
    else if (TARGET_USER_TYPES.has(c.type)) ((user.target ??= {}) as Obj).name ??= idName;
    else if (group) group.name ??= idName;
  }
  const rest: Obj = {};
  let any = false;
  for (const [k, v] of en) {
    if (ENRICHED_CONSUMED.has(k) || isEmptyMarker(v)) continue;
    setField(rest, k.toLowerCase(), v);
    any = true;
  }
  if (any) c.auditd.enriched = rest;
}

/** process.*: ids, names, argv (EXECVE or USER_CMD cmd), cwd, title. Returns the cwd. */
function mapProcess(c: Ctx, process: Obj, execves: AuditRecord[], cwdRec?: AuditRecord, titleRec?: AuditRecord): string | undefined {
  const pid = val(c, 'pid');
  if (pid !== undefined && PID.test(pid)) process.pid = Number(pid);
  else if (pid !== undefined) c.data.pid = pid;
  const ppid = val(c, 'ppid');
  if (ppid !== undefined && PID.test(ppid)) process.parent = { pid: Number(ppid) };
  else if (ppid !== undefined) c.data.ppid = ppid;
  const comm = val(c, 'comm');
  if (comm !== undefined) process.name = comm;
  const exe = val(c, 'exe');
  if (exe !== undefined) process.executable = exe;
  if (execves.length) {
    const r = reassembleArgs(execves.map((x) => x.fields));
    if (r.args.length) {
      process.args = r.args;
      process.args_count = r.args.length;
    }
    if (!r.ok) {
      const raw: Obj = { problem: r.problem };
      for (const x of execves) {
        const { names, values } = x.fields;
        for (let i = 0; i < names.length; i++) {
          const v = values[i];
          if (!Object.hasOwn(raw, names[i])) setField(raw, names[i], v.charCodeAt(0) === 34 ? v.slice(1) : v);
        }
      }
      c.auditd.execve = raw;
    }
  }
  const cmd = val(c, 'cmd');
  if (cmd !== undefined) {
    process.command_line = cmd;
    if (!process.args) {
      const args = cmd.split(/\s+/).filter((a) => a !== '');
      if (args.length) {
        process.args = args;
        process.args_count = args.length;
      }
    }
  }
  const cwd = cwdRec?.fields.get('cwd') ?? val(c, 'cwd');
  if (cwd !== undefined && !isEmptyMarker(cwd)) process.working_directory = cwd;
  const title = titleRec?.fields.get('proctitle');
  if (title !== undefined && !isEmptyMarker(title)) {
    // NULs between arguments were turned into spaces when the hex was decoded.
    const t = title.charCodeAt(title.length - 1) === 32 ? title.trimEnd() : title;
    if (t) process.title = t;
  }
  return cwd;
}

export function toEcs(records: AuditRecord[], original: string | undefined, partial: boolean): AuditEvent {
  const primary = records[0];
  let syscall: AuditRecord | undefined;
  let cwdRec: AuditRecord | undefined;
  let titleRec: AuditRecord | undefined;
  let sockRec: AuditRecord | undefined;
  const execves: AuditRecord[] = [];
  const paths: AuditRecord[] = [];
  const aux: AuditRecord[] = [];
  for (const r of records) {
    switch (r.typeNum) {
      case 1300: if (!syscall) syscall = r; else aux.push(r); break; // SYSCALL
      case 1309: execves.push(r); break; // EXECVE
      case 1302: paths.push(r); break; // PATH
      case 1307: if (!cwdRec) cwdRec = r; else aux.push(r); break; // CWD
      case 1327: if (!titleRec) titleRec = r; else aux.push(r); break; // PROCTITLE
      case 1306: if (!sockRec) sockRec = r; else aux.push(r); break; // SOCKADDR
      default: if (r !== primary) aux.push(r);
    }
  }
  const type = primary.type;
  const pf = primary.fields;
  const sf = syscall && syscall !== primary ? syscall.fields : undefined;
  const c: Ctx = { type, pf, sf, scName: undefined, norm: { action: '', category: [], type: [] }, data: {}, auditd: {} };
  const arch = val(c, 'arch');
  const scNum = val(c, 'syscall');
  c.scName = scNum === undefined ? undefined : (syscallName(arch, scNum) ?? scNum);
  const norm = (c.norm = type === 'SYSCALL' && c.scName !== undefined ? syscallNorm(c.scName) : typeNorm(type, (k) => pf.has(k)));
  const outcome = outcomeOf(pf.get('res'), val(c, 'success'));

  const event: Obj = { kind: 'event', module: 'auditd', dataset: 'auditd.log' };
  if (norm.action) event.action = norm.action;
  if (norm.category.length) event.category = [...norm.category];
  if (norm.type.length) event.type = [...norm.type];
  event.outcome = outcome;
  event.sequence = primary.serial;
  if (original !== undefined) event.original = original;
  const doc: Obj = { '@timestamp': timestamp(primary.secNum, primary.ms), message: '', ecs: { version: '8.11.0' }, event };
  const auditd = c.auditd;
  auditd.message_type = type.toLowerCase();
  auditd.records = records.map((r) => r.type);

  const user: Obj = {};
  const group = mapUsers(c, user);
  const en = primary.enriched ?? syscall?.enriched;
  if (en) mapEnriched(c, en, user, group);
  const terminal = val(c, 'terminal') ?? val(c, 'tty');
  if (terminal !== undefined) user.terminal = terminal;
  const process: Obj = {};
  const cwd = mapProcess(c, process, execves, cwdRec, titleRec);
  const host: Obj = {};
  if (primary.node !== undefined) host.name = primary.node;
  const archText = arch === undefined ? undefined : archName(arch);
  if (archText !== undefined) host.architecture = archText;
  const key = val(c, 'key');
  const tags = key === undefined ? [] : key.indexOf('\x01') < 0 ? [key] : key.split('\x01').filter((k) => k !== '' && k !== '(null)');
  if (tags.length) c.data.key = tags.join(',');
  const net = mapNetwork(c, sockRec);
  const file = paths.length ? mapPaths(c, paths, cwd) : undefined;

  const idMapped = TARGET_USER_TYPES.has(type) || GROUP_TYPES.has(type) || LOGIN_TYPES.has(type);
  if (!CONSUMED_TYPES.has(type)) leftovers(c, pf, undefined, idMapped);
  if (sf) leftovers(c, sf, CONSUMED_TYPES.has(type) ? undefined : pf, idMapped);
  const ses = val(c, 'ses');
  if (ses !== undefined && !isUnsetId(ses)) auditd.session = ses;
  if (outcome !== 'unknown') auditd.result = outcome === 'success' ? 'success' : 'fail';
  for (const _ in c.data) {
    auditd.data = c.data;
    break;
  }
  if (aux.length) auditd.aux = aux.map((r) => Object.assign(recordObject(r), { record_type: r.type }));
  if (partial) auditd.partial = true;

  if (host.name !== undefined || host.architecture !== undefined) doc.host = host;
  for (const _ in user) {
    doc.user = user;
    break;
  }
  if (group) doc.group = group;
  for (const _ in process) {
    doc.process = process;
    break;
  }
  if (file) doc.file = file;
  for (const _ in net.source) {
    doc.source = net.source;
    break;
  }
  if (net.clientIp !== undefined) doc.client = { ip: net.clientIp };
  if (net.destination.ip !== undefined) doc.destination = net.destination;
  if (net.direction) doc.network = { direction: net.direction };
  const rel = related(user, net);
  if (rel) doc.related = rel;
  if (tags.length) doc.tags = tags;
  doc.auditd = auditd;
  const e = doc as AuditEvent;
  e.message = summarize(e);
  return e;
}

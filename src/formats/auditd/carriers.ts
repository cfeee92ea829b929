/**
 * Transports that carry audit records: the syslog header in front of a forwarded record
 * (audisp-syslog, rsyslog; RFC 3164, RFC 5424 or ISO-timestamped), and journald's JSON
 * export (`journalctl -o json`, `_TRANSPORT=audit`), which is turned back into a raw line.
 */
import { FormatError } from '../format.js';
import { TYPE_NAMES } from './tables/msgtypes.js';

function fail(reason: string, path = ''): never {
  throw new FormatError(reason, path);
}

/** Host name from a syslog-style prefix (RFC 3164, RFC 5424, ISO-timestamped), if any. */
export function carrierHost(prefix: string): string | undefined {
  const m =
    /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\S+) /.exec(prefix) ??
    /^<\d{1,3}>1 \S+ (\S+) /.exec(prefix) ??
    /^\d{4}-\d\d-\d\dT\S+ (\S+) /.exec(prefix);
  return m && m[1] !== '-' ? m[1] : undefined;
}

/** A journald audit entry → the raw auditd line it stands for, and the journal's host name. */
export function journalEntryToLine(line: string): { text: string; host: string | undefined } {
  let j: unknown;
  try {
    j = JSON.parse(line);
  } catch {
    fail('invalid JSON');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) fail('journal entry is not a JSON object');
  const o = j as Record<string, unknown>;
  const msg = o.MESSAGE;
  const id = o._AUDIT_ID;
  const usec = o._SOURCE_REALTIME_TIMESTAMP;
  if (typeof msg !== 'string') fail('journal entry without a text MESSAGE', 'MESSAGE');
  if (typeof id !== 'string' || !/^\d{1,10}$/.test(id)) fail('journal entry without _AUDIT_ID', '_AUDIT_ID');
  if (typeof usec !== 'string' || !/^\d{7,18}$/.test(usec)) {
    fail('journal entry without _SOURCE_REALTIME_TIMESTAMP', '_SOURCE_REALTIME_TIMESTAMP');
  }
  let name = typeof o._AUDIT_TYPE_NAME === 'string' ? o._AUDIT_TYPE_NAME : undefined;
  if (name === undefined || /^AUDIT\d+$/.test(name)) {
    const num = typeof o._AUDIT_TYPE === 'string' ? o._AUDIT_TYPE : name?.slice(5);
    if (!num || !/^\d{1,5}$/.test(num)) fail('journal entry without _AUDIT_TYPE', '_AUDIT_TYPE');
    name = TYPE_NAMES.get(Number(num)) ?? `UNKNOWN[${Number(num)}]`;
  }
  const body = msg.startsWith(name + ' ') ? msg.slice(name.length + 1) : msg === name ? '' : msg;
  const sec = usec.slice(0, -6);
  const ms = usec.slice(-6, -3);
  const host = typeof o._HOSTNAME === 'string' && /^[^\s=]+$/.test(o._HOSTNAME) ? o._HOSTNAME : undefined;
  return { text: `type=${name} msg=audit(${sec}.${ms}:${id}):${body ? ' ' + body : ''}`, host };
}

/**
 * The `auditd` input format: raw Linux audit logs (auditd's RAW and ENRICHED log formats,
 * with or without `node=`), also when carried by syslog, the kernel log (printk) or
 * journald JSON. One ECS event per assembled audit event. See `assemble.ts` for when an
 * event is complete and `ecs.ts` for the mapping.
 */
import type { Format, LineDecoder } from '../format.js';
import { AuditdDecoder, type AuditdDecoderOptions } from './assemble.js';

export { AuditdDecoder, type AuditdDecoderOptions } from './assemble.js';
export { parseLine, type AuditRecord } from './tokenize.js';

/** Cheap per-line check: an audit header (`msg=audit(`, printk `type=NNNN audit(`) or a journald audit entry. */
export function detectAuditd(line: string): boolean {
  if (line.charCodeAt(0) === 123 /* { */) return line.includes('"_AUDIT_ID"') && line.includes('"MESSAGE"');
  const t = line.indexOf('type=');
  if (t < 0) return false;
  if (line.includes(' msg=audit(', t)) return true;
  const a = line.indexOf(' audit(', t);
  if (a < 0) return false;
  for (let i = t + 5; i < a; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return a > t + 5;
}

export function createAuditdDecoder(opts: AuditdDecoderOptions): AuditdDecoder {
  return new AuditdDecoder(opts);
}

export const auditdFormat: Format = {
  name: 'auditd',
  detect: detectAuditd,
  createDecoder(opts): LineDecoder {
    return new AuditdDecoder(opts);
  },
};

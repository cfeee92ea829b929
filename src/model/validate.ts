/** Validation of incoming ECS events against the event JSON Schema, with errors that name the field. */
import { Ajv, type ErrorObject } from 'ajv';
import { EventSchema, type AuditEvent } from './event.js';
import { timestampError } from './time.js';

// The fast validator stops at the first error; the thorough one runs only on
// invalid input, to report every problem.
const check = new Ajv({ strict: false }).compile(EventSchema);
const checkAll = new Ajv({ allErrors: true, strict: false }).compile(EventSchema);

export interface FieldError {
  /** JSON path of the offending field, dotted ECS style: `event.outcome`, `related.ip[2]`. */
  path: string;
  reason: string;
}

function toPath(instancePath: string): string {
  if (instancePath === '') return '';
  return instancePath
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join('');
}

function describe(e: ErrorObject): FieldError {
  const base = toPath(e.instancePath);
  if (e.keyword === 'required') {
    const field = (e.params as { missingProperty: string }).missingProperty;
    return { path: base ? `${base}.${field}` : field, reason: 'is required' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { path: base, reason: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { path: base, reason: e.message ?? e.keyword };
}

/** Returns the problems with `value` as an ECS event, or an empty list when it is valid. */
export function validateEvent(value: unknown): FieldError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: '', reason: 'an event must be a JSON object' }];
  }
  const errors: FieldError[] = check(value) || checkAll(value) ? [] : (checkAll.errors ?? []).map(describe);
  const ts = (value as AuditEvent)['@timestamp'];
  const tsError = typeof ts === 'string' ? timestampError(ts) : undefined;
  if (tsError) errors.push({ path: '@timestamp', reason: tsError });
  return errors;
}

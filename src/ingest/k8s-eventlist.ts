/**
 * A kube-apiserver webhook body, an `audit.k8s.io/v1` (or v1beta1)
 * EventList, as records for the ingest service: each event goes through
 * Vigil's audit policy, then the kubernetes-audit normalizer.
 */
import { FormatError } from '../formats/format.js';
import { normalizeK8sEvent } from '../formats/kubernetes-audit.js';
import type { AuditEvent } from '../model/event.js';
import { shapeError } from '../model/limits.js';
import { applyPolicy, type CompiledPolicy } from '../policy/k8s/index.js';
import type { AuditEvent as K8sEvent } from '../policy/k8s/types.js';
import type { RawRecord } from './decode.js';
import { bodyUtf8Error } from './utf8.js';
import { IngestError } from './errors.js';
import type { DecodedRecords } from './prepare-records.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Splits an EventList into ECS records, applying the policy first. Lazy: each
 * item is normalized as the ingest service reaches it (`errors` and `dropped`
 * fill as it goes), so its objects die young; it consumes `list.items`.
 */
export function decodeEventList(list: unknown, policy: CompiledPolicy | undefined, keepOriginal = true, bodyText?: string, maxRecordBytes = Infinity): DecodedRecords {
  if (!isObject(list) || list.kind !== 'EventList' || !Array.isArray(list.items)) {
    throw new IngestError('bad-body', 'expected an audit.k8s.io EventList: {"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[…]}');
  }
  const apiVersion = typeof list.apiVersion === 'string' ? list.apiVersion : undefined;
  const items: unknown[] = list.items;
  const out: DecodedRecords = { records: [], errors: [], dropped: 0 };
  function* records(): Generator<RawRecord> {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const line = i + 1;
      const fail = (path: string, reason: string) =>
        out.errors.push({ line, offset: -1, path: path ? `items[${i}].${path}` : `items[${i}]`, reason, text: JSON.stringify(item) ?? 'undefined' });
      if (!isObject(item)) {
        fail('', 'an audit event must be a JSON object');
        continue;
      }
      // Before the policy and the normalizer, which walk the item recursively.
      const shape = shapeError(item);
      if (shape) {
        // Such an item cannot be written back as it came: the dead letter keeps the whole body.
        out.errors.push({ line, offset: -1, path: shape.path ? `items[${i}].${shape.path}` : `items[${i}]`, reason: shape.reason, text: bodyText ?? '' });
        continue;
      }
      const applied = policy ? applyPolicy(policy, item as unknown as K8sEvent) : undefined;
      if (applied && !applied.event) {
        out.dropped!++;
        continue;
      }
      const event = (applied?.event ?? item) as Record<string, unknown>;
      const text = JSON.stringify(event);
      // The limit applies to the event as it would be stored (after the policy trimmed it).
      if (text.length * 3 > maxRecordBytes && Buffer.byteLength(text) > maxRecordBytes) {
        fail('', `record of ${Buffer.byteLength(text)} bytes exceeds the limit of ${maxRecordBytes} bytes (ingest.max_record_bytes)`);
        continue;
      }
      let value: AuditEvent;
      try {
        value = normalizeK8sEvent(event, keepOriginal ? text : undefined, apiVersion) as AuditEvent;
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        fail(err.path, err.reason);
        continue;
      }
      items[i] = undefined; // the original object is no longer needed
      yield { line, offset: -1, text, value };
    }
  }
  out.records = records();
  return out;
}

/**
 * Parses a webhook body and splits it (lazily) into records. A body that is
 * not UTF-8 is one rejected record (answered 200 with it, dead-lettered with
 * its bytes): the API server would retry any other answer forever.
 */
export function decodeEventListBody(body: Buffer, policy: CompiledPolicy | undefined, keepOriginal: boolean, maxRecordBytes = Infinity): DecodedRecords {
  let list: unknown;
  const text = body.toString('utf8');
  const notUtf8 = bodyUtf8Error(body, text);
  if (notUtf8) return { records: [], errors: [notUtf8], dropped: 0 };
  try {
    list = JSON.parse(text);
  } catch (err) {
    throw new IngestError('bad-body', `invalid JSON: ${(err as Error).message}`);
  }
  return decodeEventList(list, policy, keepOriginal, text, maxRecordBytes);
}

/**
 * POST /api/v1/k8s/audit — the kube-apiserver webhook backend's target.
 * The body is an `audit.k8s.io/v1` (or v1beta1) EventList. Each event goes
 * through Vigil's audit policy, then the kubernetes-audit normalizer, then the
 * shared ingest path. The API server retries anything but 200–206, so:
 * a batch is answered 200 once its valid events are committed (invalid items
 * are reported by index and dead-lettered, never retried into duplicates),
 * and the batch's SHA-256 is its idempotency key, so a retry of a batch that
 * was committed (a lost response) stores nothing twice.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FormatError } from '../../formats/format.js';
import { normalizeK8sEvent } from '../../formats/kubernetes-audit.js';
import type { RawRecord } from '../../ingest/decode.js';
import type { DecodedRecords, IngestService } from '../../ingest/service.js';
import type { AuditEvent } from '../../model/event.js';
import { applyPolicy, type CompiledPolicy } from '../../policy/k8s/index.js';
import type { AuditEvent as K8sEvent } from '../../policy/k8s/types.js';
import { bodyOf, HttpError } from '../body.js';

export interface K8sAuditDeps {
  ingest: IngestService;
  policy: CompiledPolicy | undefined;
  maxBodyBytes: number;
  keepOriginal: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Splits an EventList into ECS records, applying the policy first. Lazy: each
 * item is normalized as the ingest service reaches it (`errors` and `dropped`
 * fill as it goes), so its objects die young; it consumes `list.items`.
 */
export function decodeEventList(list: unknown, policy: CompiledPolicy | undefined, keepOriginal = true): DecodedRecords {
  if (!isObject(list) || list.kind !== 'EventList' || !Array.isArray(list.items)) {
    throw new HttpError(400, 'expected an audit.k8s.io EventList: {"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[…]}');
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
      const applied = policy ? applyPolicy(policy, item as unknown as K8sEvent) : undefined;
      if (applied && !applied.event) {
        out.dropped!++;
        continue;
      }
      const event = (applied?.event ?? item) as Record<string, unknown>;
      const text = JSON.stringify(event);
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

export function k8sAuditRoutes(app: FastifyInstance, deps: K8sAuditDeps): void {
  app.post('/api/v1/k8s/audit', { config: { scope: 'ingest' } }, async (req, reply) => {
    const body = await bodyOf(req, deps.maxBodyBytes);
    let list: unknown;
    try {
      list = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, `invalid JSON: ${(err as Error).message}`);
    }
    const key = `k8s-audit:${createHash('sha256').update(body).digest('hex')}`;
    const result = await deps.ingest.ingest(() => decodeEventList(list, deps.policy, deps.keepOriginal), {
      source: 'api.k8s-audit',
      partial: true,
      idempotencyKey: key,
    });
    return reply.code(result.status).send(result.body);
  });
}

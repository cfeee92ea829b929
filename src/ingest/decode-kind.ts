/** Decoding of the body kinds that can be prepared on a decoding thread (see prepare-pool.ts). */
import type { CompiledPolicy } from '../policy/k8s/evaluate.js';
import { decodeBody } from './decode.js';
import { decodeEventListBody } from './k8s-eventlist.js';
import type { BodyKind } from './prepare-pool.js';
import type { DecodedRecords } from './prepare-records.js';

export interface DecodeKindOptions {
  maxRecordBytes: number;
  keepOriginal: boolean;
  k8sPolicy?: CompiledPolicy;
}

export function decodeKind(kind: BodyKind, body: Buffer, opts: DecodeKindOptions): DecodedRecords {
  return kind === 'ecs' ? decodeBody(body, opts.maxRecordBytes) : decodeEventListBody(body, opts.k8sPolicy, opts.keepOriginal, opts.maxRecordBytes);
}

/**
 * The input formats by name, and `auto`, which picks one per line from the
 * others (most specific first) and falls back to `generic`.
 */
import { appFormat } from './app.js';
import { auditdFormat } from './auditd/index.js';
import { createAutoFormat } from './auto.js';
import { ecsFormat } from './ecs.js';
import { FormatError, type DecodeOptions, type Decoded, type Format, type RecordPosition } from './format.js';
import { gdchProxyFormat } from './gdch-proxy.js';
import { genericFormat } from './generic.js';
import { kubernetesAuditFormat } from './kubernetes-audit.js';

/**
 * The order `auto` tries formats in: the most specific signature first.
 * Kubernetes audit (`"apiVersion":"audit.k8s.io/…"`) before the GDCH proxy
 * (both can carry `_gdch_*`), ECS documents (`@timestamp` + `ecs`) before the
 * looser app shape (`ts` or `@timestamp`). auditd lines are not JSON (its journald JSON
 * entries are claimed by no JSON format, so they reach it too).
 */
const DETECT_ORDER: readonly Format[] = [kubernetesAuditFormat, gdchProxyFormat, ecsFormat, appFormat, auditdFormat];

export const autoFormat: Format = createAutoFormat(DETECT_ORDER);

const FORMATS: ReadonlyMap<string, Format> = new Map(
  [...DETECT_ORDER, genericFormat, autoFormat].map((f) => [f.name, f] as const),
);

/** Every name `getFormat` accepts, in a stable order for help texts. */
export const FORMAT_NAMES: readonly string[] = [...FORMATS.keys()].sort();

/** The format registered as `name`; throws an Error listing the valid names for an unknown one. */
export function getFormat(name: string): Format {
  const f = FORMATS.get(name);
  if (!f) throw new Error(`unknown format ${JSON.stringify(name)}; valid formats: ${FORMAT_NAMES.join(', ')}`);
  return f;
}

/** A record a decoder rejected, with where it was. */
export interface Rejection {
  error: FormatError;
  position: RecordPosition;
}

/**
 * Runs a whole text through a fresh decoder of `format` (lines split on LF,
 * byte offsets counted in UTF-8), collecting events and rejections in input
 * order. For tests, tools and small inputs; streaming callers use the decoder.
 */
export function decodeAll(format: Format, text: string, opts: DecodeOptions): { events: Decoded[]; rejected: Rejection[] } {
  const decoder = format.createDecoder(opts);
  const events: Decoded[] = [];
  const rejected: Rejection[] = [];
  let offset = 0;
  let line = 0;
  const run = (f: () => Decoded[], position: RecordPosition) => {
    try {
      for (const d of f()) events.push(d);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      rejected.push({ error: err, position });
    }
  };
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const l = text.slice(start, end);
    line++;
    if (end < text.length || l !== '') {
      const position = { line, offset };
      run(() => decoder.push(l, position), position);
    }
    offset += Buffer.byteLength(l, 'utf8') + 1;
    start = end + 1;
  }
  run(() => decoder.flush(), { line, offset });
  return { events, rejected };
}

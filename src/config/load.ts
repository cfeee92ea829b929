/**
 * Loads the configuration: defaults ← YAML file ← VIGIL_* environment ←
 * flags. Environment names are the key path upper-cased with `_` between
 * parts (`server.max_body_bytes` → `VIGIL_SERVER_MAX_BODY_BYTES`); they are
 * matched against the schema's known keys, so nesting is never ambiguous.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { LineCounter, parseDocument, isMap, isScalar, type Node } from 'yaml';
import { resolveCategories } from '../policy/categories.js';
import { ConfigSchema, type RawConfig } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface Config extends Omit<RawConfig, 'server' | 'ingest'> {
  server: Omit<RawConfig['server'], 'max_body_bytes'> & { max_body_bytes: number };
  ingest: Omit<RawConfig['ingest'], 'max_record_bytes' | 'max_queued_bytes'> & {
    max_record_bytes: number;
    max_queued_bytes: number;
  };
}

export interface Leaf {
  path: string;
  schema: TSchema;
}

/** Every settable key, with its schema. */
export function leaves(schema: TSchema = ConfigSchema, prefix = ''): Leaf[] {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([k, s]) =>
      leaves(s, prefix ? `${prefix}.${k}` : k),
    );
  }
  return [{ path: prefix, schema }];
}

export const envName = (path: string) => `VIGIL_${path.replace(/\./g, '_').toUpperCase()}`;
export const flagName = (path: string) => path.replace(/[._]/g, '-');

/** Short flags people type, for the keys they set most. */
export const FLAG_ALIASES: Record<string, string> = {
  data_dir: 'data',
  'server.host': 'host',
  'server.port': 'port',
  'server.auth': 'auth',
};

/** Converts a string from the environment or a flag into the key's type. */
function coerce(leaf: Leaf, text: string): unknown {
  const kinds = leaf.schema.anyOf ? (leaf.schema.anyOf as TSchema[]).map((s) => s.type) : [leaf.schema.type];
  if (kinds.includes('integer') && /^\d+$/.test(text)) return Number(text);
  if (kinds.includes('array')) return text.split(',').map((s) => s.trim()).filter(Boolean);
  if (kinds.includes('boolean')) {
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off)$/i.test(text)) return false;
  }
  return text;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

const UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4,
};

export function parseSize(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i.exec(v.trim());
  if (!m) throw new ConfigError(`not a size: ${JSON.stringify(v)}`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'B').toUpperCase()]);
}

/** Finds the line of a key path in the YAML file, for error messages. */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: string): number | undefined {
  let node: Node | null | undefined = doc.contents as Node;
  let line: number | undefined;
  for (const part of path.split('.').filter(Boolean)) {
    if (!isMap(node)) break;
    const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === part);
    if (!pair) break;
    const keyNode = pair.key as Node;
    if (keyNode.range) line = counter.linePos(keyNode.range[0]).line;
    node = pair.value as Node;
  }
  return line;
}

export interface LoadOptions {
  /** YAML file; missing is fine when not named explicitly. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Key path → value from flags. */
  overrides?: Record<string, unknown>;
  /** Key path → how the user wrote the flag, for error messages (default `--<key-path>`). */
  overrideNames?: Record<string, string>;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  let yamlDoc: ReturnType<typeof parseDocument> | undefined;
  const counter = new LineCounter();
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${opts.file}: ${(err as Error).message}`);
    }
    yamlDoc = parseDocument(text, { lineCounter: counter });
    if (yamlDoc.errors.length > 0) {
      const e = yamlDoc.errors[0];
      throw new ConfigError(`${opts.file}:${e.linePos?.[0].line ?? '?'}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    Object.assign(raw, yamlDoc.toJS() ?? {});
  }
  const env = opts.env ?? process.env;
  for (const leaf of leaves()) {
    const name = envName(leaf.path);
    if (env[name] !== undefined) {
      setPath(raw, leaf.path, coerce(leaf, env[name]!));
      origin.set(leaf.path, `environment variable ${name}`);
    }
  }
  for (const [path, value] of Object.entries(opts.overrides ?? {})) {
    const leaf = leaves().find((l) => l.path === path);
    if (!leaf) throw new ConfigError(`unknown config key ${path}`);
    setPath(raw, path, typeof value === 'string' ? coerce(leaf, value) : value);
    origin.set(path, `flag ${opts.overrideNames?.[path] ?? `--${flagName(path)}`}`);
  }
  const withDefaults = Value.Default(ConfigSchema, raw) as RawConfig;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(ConfigSchema);
  if (!validate(withDefaults)) {
    const problems = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'anyOf')
      .map((e) => {
        const base = e.instancePath.slice(1).replace(/\//g, '.');
        const path =
          e.keyword === 'additionalProperties'
            ? [base, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.')
            : base;
        const reason = e.keyword === 'additionalProperties' ? 'unknown key' : e.message;
        const from = origin.get(path) ?? (yamlDoc && opts.file ? `${opts.file}:${lineOf(yamlDoc, counter, path) ?? '?'}` : 'config');
        return `${from}: ${path}: ${reason}`;
      });
    throw new ConfigError(`invalid configuration:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  const c = withDefaults;
  try {
    resolveCategories(c.exclude_categories);
  } catch (err) {
    const from = origin.get('exclude_categories') ?? (opts.file ? opts.file : 'config');
    throw new ConfigError(`${from}: ${(err as Error).message}`);
  }
  return {
    ...c,
    server: { ...c.server, max_body_bytes: parseSize(c.server.max_body_bytes) },
    ingest: {
      ...c.ingest,
      max_record_bytes: parseSize(c.ingest.max_record_bytes),
      max_queued_bytes: parseSize(c.ingest.max_queued_bytes),
    },
  };
}

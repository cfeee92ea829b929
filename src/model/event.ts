/**
 * The normalized audit event: an Elastic Common Schema (ECS 8.11) document.
 * Known fields are typed and validated; every other field is kept as sent.
 * Vigil's own bookkeeping lives in the top-level `vigil` object, which is
 * added on read and never part of the stored or hashed document.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Str = Type.String();
const StrList = Type.Array(Type.String());
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
/** An open object: the listed fields are checked, anything else is preserved. */
/** A string enum as JSON Schema `enum` (clearer validation errors than anyOf). */
const StringEnum = <T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const Open = <T extends Record<string, TSchema>>(props: T) =>
  Type.Partial(Type.Object(props, { additionalProperties: true }));

export const OUTCOMES = ['success', 'failure', 'unknown'] as const;
export const EVENT_KINDS = ['alert', 'asset', 'enrichment', 'event', 'metric', 'state', 'pipeline_error', 'signal'] as const;

const UserFields = {
  name: Str,
  email: Str,
  id: Str,
  full_name: Str,
  domain: Str,
  hash: Str,
  roles: StrList,
  group: Open({ id: Str, name: Str, domain: Str }),
};

export const EventSchema = Type.Object(
  {
    '@timestamp': Type.String({ description: 'RFC 3339; every fractional digit the source gives is kept' }),
    message: Type.Optional(Str),
    tags: Type.Optional(StrList),
    labels: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    ecs: Type.Optional(Open({ version: Str })),
    event: Type.Optional(
      Open({
        id: Str,
        kind: StringEnum(EVENT_KINDS),
        category: StrList,
        type: StrList,
        action: Str,
        outcome: StringEnum(OUTCOMES),
        dataset: Str,
        module: Str,
        provider: Str,
        reason: Str,
        severity: Type.Number(),
        created: Str,
        ingested: Str,
        start: Str,
        end: Str,
        duration: Type.Number(),
        original: Str,
      }),
    ),
    user: Type.Optional(
      Open({
        ...UserFields,
        target: Open(UserFields),
        effective: Open(UserFields),
        changes: Open(UserFields),
      }),
    ),
    source: Type.Optional(Open({ ip: Str, port: Port, address: Str, domain: Str })),
    destination: Type.Optional(Open({ ip: Str, port: Port, address: Str, domain: Str })),
    client: Type.Optional(Open({ ip: Str, port: Port, address: Str })),
    related: Type.Optional(Open({ ip: StrList, user: StrList, hosts: StrList, hash: StrList })),
    user_agent: Type.Optional(Open({ original: Str, name: Str, version: Str })),
    url: Type.Optional(Open({ original: Str, full: Str, path: Str, query: Str, domain: Str, scheme: Str })),
    http: Type.Optional(
      Open({
        version: Str,
        request: Open({ method: Str, bytes: Type.Integer(), id: Str }),
        response: Open({ status_code: Type.Integer(), bytes: Type.Integer() }),
      }),
    ),
    orchestrator: Type.Optional(
      Open({
        type: Str,
        api_version: Str,
        namespace: Str,
        cluster: Open({ name: Str, id: Str }),
        resource: Open({ type: Str, name: Str, id: Str }),
      }),
    ),
    process: Type.Optional(
      Open({
        pid: Type.Integer(),
        name: Str,
        executable: Str,
        args: StrList,
        command_line: Str,
        working_directory: Str,
        title: Str,
      }),
    ),
    file: Type.Optional(Open({ path: Str, name: Str, directory: Str, type: Str, size: Type.Integer() })),
    host: Type.Optional(Open({ name: Str, hostname: Str, id: Str, ip: StrList })),
    service: Type.Optional(Open({ name: Str, type: Str, version: Str })),
    organization: Type.Optional(Open({ id: Str, name: Str })),
    error: Type.Optional(Open({ code: Str, message: Str, type: Str })),
    log: Type.Optional(Open({ level: Str })),
  },
  { additionalProperties: true, $id: 'https://vigil.dev/schema/event.json' },
);

/** A normalized audit event as stored (without `vigil`). */
export type AuditEvent = Static<typeof EventSchema> & Record<string, unknown>;

/** Integrity and ordering data added by Vigil on read. */
export interface VigilMeta {
  /** 0-based position in the store, gap-free. */
  seq: number;
  [key: string]: unknown;
}

/** An event as returned by queries. */
export type StoredEvent = AuditEvent & { vigil: VigilMeta };

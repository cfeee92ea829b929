/**
 * The configuration: `vigil.yaml`, overridden by `VIGIL_*` environment
 * variables, overridden by command-line flags. Every key is documented here
 * (these descriptions are the reference in docs/configuration.md).
 */
import { Type, type Static } from '@sinclair/typebox';
import { SourcesSchema } from '../sources/registry.js';

const Size = (def: string, description: string) =>
  Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*([KMGT]i?B|B)?$' })], {
    default: def,
    description: `${description} (bytes, or with a unit: 512KiB, 16MiB, 1GB)`,
  });

/** A duration: 10s, 15m, 1h30m, 400d, 2y. */
const DURATION = '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w|y))+$';
/** A retention period: a duration, or `forever`. */
const RETENTION = '^(forever|(\\d+(\\.\\d+)?(ms|s|m|h|d|w|y))+)$';

export const ConfigSchema = Type.Object(
  {
    data_dir: Type.String({ default: './vigil-data', description: 'Directory for the store, tokens, keys and dead letters' }),
    exclude_categories: Type.Array(Type.String(), {
      default: [],
      description:
        'Event categories never stored, from any source (ECS names, or auth for authentication); also --audit_log_excluded_categories=iam / +=auth',
    }),
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'Address to listen on' }),
        port: Type.Integer({ default: 7080, minimum: 0, maximum: 65535, description: 'TCP port (0 picks a free one)' }),
        auth: Type.Union([Type.Literal('token'), Type.Literal('none')], {
          default: 'token',
          description: '`token` (bearer tokens with scopes) or `none` (only allowed on loopback)',
        }),
        max_body_bytes: Size('32MiB', 'Largest request body accepted, after gzip decompression; larger gets 413'),
        metrics_auth: Type.Boolean({ default: true, description: 'Require a token (any scope) for GET /metrics' }),
        tls: Type.Object(
          {
            cert: Type.String({ default: '', description: 'PEM certificate file; with `key`, the listener speaks HTTPS' }),
            key: Type.String({ default: '', description: 'PEM private key file' }),
            client_ca: Type.String({
              default: '',
              description: 'PEM CA bundle; a client certificate it signed authenticates with scope ingest (mTLS, e.g. the Kubernetes API server webhook)',
            }),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    sources: SourcesSchema,
    kubernetes: Type.Object(
      {
        policy: Type.Array(Type.String(), {
          default: [],
          description: 'audit.k8s.io/v1 Policy files applied to every Kubernetes audit event received (rules concatenated in order); none: keep everything',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    ingest: Type.Object(
      {
        max_record_bytes: Size('1MiB', 'Largest single record (one NDJSON line)'),
        keep_original: Type.Boolean({ default: true, description: 'Keep each record as received in event.original (formats other than ecs)' }),
        max_batch_events: Type.Integer({ default: 20000, minimum: 1, description: 'Most events in one group commit' }),
        decode_threads: Type.Integer({ default: 0, minimum: 0, description: 'Threads that decode and prepare ingest bodies (ECS, Kubernetes webhook); 0: one per core' }),
        decode_nice: Type.Integer({
          default: 5,
          minimum: 0,
          maximum: 19,
          description: "How much lower the decoding threads' CPU priority is than the rest of the server's (a nice increment, Linux; 0: the same)",
        }),
        max_queued_bytes: Size('256MiB', 'Bytes waiting for a decoding thread, and event bytes waiting for a commit, before ingest answers 503'),
        commit_wait: Type.String({
          default: '8ms',
          pattern: DURATION,
          description: 'Longest a commit round waits for requests still being decoded, so that more of them share one commit (0s: never waits)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    store: Type.Object(
      {
        kind: Type.Literal('duckdb', { default: 'duckdb', description: 'Storage engine: duckdb (embedded, one file in data_dir)' }),
        checkpoint_threshold: Type.String({ default: '256MB', description: 'DuckDB WAL size that triggers a checkpoint' }),
        memory_limit: Type.String({ default: '', description: 'DuckDB memory limit, e.g. 2GB (empty: DuckDB default, 80% of RAM)' }),
        min_free_bytes: Size('256MiB', 'Free space on the data volume below which /readyz reports not ready'),
      },
      { default: {}, additionalProperties: false },
    ),
    integrity: Type.Object(
      {
        key_file: Type.String({
          default: '',
          description:
            'Ed25519 checkpoint signing key (a signed-note `PRIVATE+KEY+<name>+…` line); its name is the log origin. Empty: `<data_dir>/checkpoint.key`, generated on first start (mode 0600)',
        }),
        checkpoint_events: Type.Integer({ default: 10000, minimum: 1, description: 'Sign a checkpoint once this many events arrived since the last one' }),
        checkpoint_interval: Type.String({
          default: '10s',
          pattern: DURATION,
          description: 'Sign a checkpoint this often while events arrive (and always at shutdown)',
        }),
        sealing: Type.Boolean({
          default: true,
          description: 'Seal each event into the Merkle tree before acknowledging it. Off only to measure its cost (npm run bench): a store with unsealed events refuses to start sealed',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    retention: Type.Union(
      [
        Type.String({ pattern: RETENTION }),
        Type.Object(
          {
            default: Type.String({ pattern: RETENTION, default: 'forever' }),
            datasets: Type.Record(Type.String(), Type.String({ pattern: RETENTION }), { default: {} }),
          },
          { additionalProperties: false },
        ),
      ],
      {
        default: 'forever',
        description:
          'How long events are kept, e.g. `400d` or `forever`; per dataset: `{default: 400d, datasets: {vigil.access: 2y}}`. Deleted events keep their leaf hashes, so proofs and verify still work',
      },
    ),
    query: Type.Object(
      {
        timeout: Type.String({
          default: '60s',
          pattern: DURATION,
          description: "Longest a query may run; past it, it is cancelled (the store's scan interrupted) and answered 504 (Loki routes) or query_timeout",
        }),
        max_concurrent: Type.Integer({
          default: 4,
          minimum: 1,
          description: 'Queries (LogQL: /api/v1/query, the Loki query, index and drilldown routes, vigil query) evaluated at once; the next ones wait in a queue',
        }),
        max_queue_wait: Type.String({
          default: '5s',
          pattern: DURATION,
          description: 'Longest a query waits in that queue for a free slot before it is refused with 429 and Retry-After (0s: refuse at once)',
        }),
        max_samples: Type.Integer({
          default: 5_000_000,
          minimum: 1,
          description: 'Most samples (log entries, window samples, result points) one query may hold in memory; past it the query fails with a limit error (400)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    loki: Type.Object(
      {
        line: Type.Union([Type.Literal('original'), Type.Literal('ecs')], {
          default: 'original',
          description:
            'The line the Loki API (/loki/api/v1/…) serves and runs LogQL on: `original`, each record as received (a pushed line, a Kubernetes audit event: what dashboards written for Loki expect), or `ecs`, the normalized event as compact ECS JSON (what vigil query sees)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
          default: 'info',
          description: 'Server log level (pino)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type RawConfig = Static<typeof ConfigSchema>;

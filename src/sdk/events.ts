/**
 * The `app` audit events the SDK emits: EngFlow's audit-log shape (one JSON
 * object, `ts` as `<seconds>.<nanoseconds>`, ECS-modelled `event`, `user`,
 * `source`, `user_agent`), which Vigil's `app` format normalizes to ECS.
 */

export type Outcome = 'success' | 'failure' | 'unknown';

export interface Actor {
  email?: string;
  name?: string;
  id?: string;
  roles?: string[];
}

export interface Origin {
  /** Client IP address. */
  ip?: string;
  userAgent?: string;
}

/** Fields every helper takes. */
export interface Common extends Origin {
  user: Actor;
  outcome?: Outcome;
  /** Tenant (EngFlow: the REAPI instance name). */
  organization?: string;
  /** Error code (gRPC status name or HTTP status) when it failed. */
  errorCode?: string;
  /** Action-specific payload, kept under `app.*`. */
  extra?: Record<string, unknown>;
}

export interface AppEvent {
  level: 'I' | 'W' | 'E' | 'D';
  ts: string;
  organization?: { id: string };
  event: { kind: 'event'; category: string[]; type?: string[]; action: string; outcome: Outcome };
  error?: { code: string };
  user?: Actor & { target?: Actor };
  source?: { ip: string };
  user_agent?: { original: string };
  [payload: string]: unknown;
}

const wallAtStart = BigInt(Date.now()) * 1_000_000n;
const hrAtStart = process.hrtime.bigint();

/** Now as `<seconds>.<nanoseconds>`: the wall clock at start advanced by the monotonic clock, so events keep their order. */
export function nowTs(): string {
  const ns = wallAtStart + (process.hrtime.bigint() - hrAtStart);
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

export function buildEvent(category: string, type: string | undefined, action: string, c: Common, target?: Actor): AppEvent {
  const outcome = c.outcome ?? 'success';
  const e: AppEvent = {
    level: outcome === 'failure' ? 'W' : 'I',
    ts: nowTs(),
    event: { kind: 'event', category: [category], ...(type ? { type: [type] } : {}), action, outcome },
    ...c.extra,
  };
  if (c.organization) e.organization = { id: c.organization };
  if (c.errorCode) e.error = { code: c.errorCode };
  const user = { ...c.user, ...(target ? { target } : {}) };
  if (Object.keys(user).length) e.user = user;
  if (c.ip) e.source = { ip: c.ip };
  if (c.userAgent) e.user_agent = { original: c.userAgent };
  return e;
}

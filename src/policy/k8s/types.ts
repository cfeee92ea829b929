/**
 * Types for the Kubernetes `audit.k8s.io/v1` audit Policy and the subset of the
 * audit Event that policy evaluation needs.
 *
 * Mirrors k8s.io/apiserver/pkg/apis/audit/v1/types.go. Only `audit.k8s.io/v1`
 * exists (v1alpha1 and v1beta1 were removed from the API server).
 */

/** Audit levels, ordered None < Metadata < Request < RequestResponse. */
export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

/** Stages of a request at which an Event may be generated. */
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** All levels in Kubernetes' own order (used in "supported values" messages). */
export const LEVELS: readonly Level[] = Object.freeze(['None', 'Metadata', 'Request', 'RequestResponse']);

/** All stages in Kubernetes' own order (used in "allowed stages" messages). */
export const STAGES: readonly Stage[] = Object.freeze([
  'RequestReceived',
  'ResponseStarted',
  'ResponseComplete',
  'Panic',
]);

export const AUDIT_API_VERSION = 'audit.k8s.io/v1';

/** Rank of a level as in pkg/apis/audit/helpers.go `ordLevel`: unknown strings rank like None. */
export function levelRank(level: unknown): number {
  switch (level) {
    case 'Metadata':
      return 1;
    case 'Request':
      return 2;
    case 'RequestResponse':
      return 3;
    default:
      return 0;
  }
}

export function isLevel(v: unknown): v is Level {
  return v === 'None' || v === 'Metadata' || v === 'Request' || v === 'RequestResponse';
}

export function isStage(v: unknown): v is Stage {
  return v === 'RequestReceived' || v === 'ResponseStarted' || v === 'ResponseComplete' || v === 'Panic';
}

/** GroupResources: `group` absent or "" = core group; "*" = every group (v1.36+). */
export interface GroupResources {
  group?: string;
  /** e.g. `pods`, `pods/log`, `pods/*`, `*`, or a subresource wildcard (star, slash, `scale`). Empty/absent = all resources of the group. */
  resources?: string[];
  /** Exact object names; empty/absent = any name. */
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  /** A pointer in Go: absent means "inherit the policy's value". */
  omitManagedFields?: boolean;
}

export interface Policy {
  apiVersion: typeof AUDIT_API_VERSION;
  kind: 'Policy';
  metadata?: Record<string, unknown>;
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** authentication/v1 UserInfo as recorded in an Event. */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** audit.k8s.io/v1 ObjectReference; every field is omitempty. */
export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/**
 * The audit Event, typed for the fields policy evaluation and application use.
 * Other fields are preserved untouched.
 */
export interface AuditEvent {
  kind?: string;
  apiVersion?: string;
  level?: Level | string;
  auditID?: string;
  stage?: Stage | string;
  requestURI?: string;
  verb?: string;
  user?: UserInfo;
  impersonatedUser?: UserInfo;
  objectRef?: ObjectReference;
  responseStatus?: Record<string, unknown>;
  requestObject?: unknown;
  responseObject?: unknown;
  [field: string]: unknown;
}

export interface EventList {
  kind: 'EventList';
  apiVersion?: string;
  metadata?: Record<string, unknown>;
  items: AuditEvent[];
}

/**
 * The request attributes the API server's policy checker sees
 * (the subset of authorizer.Attributes it reads).
 */
export interface RequestAttributes {
  /** null = no authenticated user (failed authentication). */
  user: { name: string; groups: readonly unknown[] } | null;
  verb: string;
  /** true when the Event has an `objectRef`. */
  resourceRequest: boolean;
  /** "" for cluster-scoped and cross-namespace requests. */
  namespace: string;
  /** "" for the core group. */
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
  /** URL path (requestURI up to the first `?`), percent-decoded like Go's url.URL.Path. */
  path: string;
}

/** Result of evaluating a policy against one request. Instances are shared and frozen. */
export interface Decision {
  readonly level: Level;
  /** Effective omitStages (policy-level ∪ rule-level), sorted lexicographically. */
  readonly omitStages: readonly Stage[];
  readonly omitManagedFields: boolean;
  /** 1-based index of the matching rule in the (concatenated) policy; null when no rule matched. */
  readonly rule: number | null;
}

/**
 * Decoding of a YAML-parsed audit Policy into a loosely typed structure, like the
 * API server's (strict, then lenient) decoder: wrong types are errors, unknown
 * fields are only warnings, JSON `null` leaves a field at its zero value.
 */
import { fieldPath, invalidBody, notSupportedBody, requiredBody, type Segment } from './errors.js';
import { AUDIT_API_VERSION, isLevel, type GroupResources, type Policy, type PolicyRule, type Stage } from './types.js';
import {
  MISTYPED,
  type LooseGroupResources,
  type LoosePolicy,
  type LooseRule,
  type Mistyped,
} from './validate.js';

export interface DecodeIssue {
  segments: Segment[];
  /** Display path; defaults to fieldPath(segments). */
  path?: string;
  reason: string;
}

export interface DecodeResult {
  loose: LoosePolicy;
  metadata?: Record<string, unknown>;
  omitManagedFields?: boolean;
  errors: DecodeIssue[];
  /** Unknown fields: the API server only logs these. */
  warnings: DecodeIssue[];
}

const POLICY_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
const RULE_FIELDS = new Set([
  'level',
  'users',
  'userGroups',
  'verbs',
  'resources',
  'namespaces',
  'nonResourceURLs',
  'omitStages',
  'omitManagedFields',
]);
const GROUP_RESOURCES_FIELDS = new Set(['group', 'resources', 'resourceNames']);
const STRING_LIST_FIELDS = ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs', 'omitStages'] as const;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return Object.prototype.toString.call(v) === '[object Object]';
}

class Decoder {
  readonly errors: DecodeIssue[] = [];
  readonly warnings: DecodeIssue[] = [];

  typeError(segments: Segment[], value: unknown, expected: string): Mistyped {
    this.errors.push({ segments, reason: invalidBody(value, `must be ${expected}`) });
    return MISTYPED;
  }

  unknownFields(obj: Record<string, unknown>, known: Set<string>, at: Segment[]): void {
    for (const key of Object.keys(obj)) {
      if (!known.has(key)) {
        const segments = [...at, key];
        this.warnings.push({ segments, reason: `unknown field "${fieldPath(segments)}"` });
      }
    }
  }

  /** A string field: undefined when absent or null. */
  str(v: unknown, at: Segment[]): string | Mistyped | undefined {
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.typeError(at, v, 'a string');
  }

  bool(v: unknown, at: Segment[]): boolean | Mistyped | undefined {
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.typeError(at, v, 'a boolean');
  }

  /** A []string field; null elements decode to "" as in Go. */
  strList(v: unknown, at: Segment[]): (string | Mistyped)[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.typeError(at, v, 'a list of strings');
      return undefined;
    }
    return v.map((e, j) => (e === null ? '' : typeof e === 'string' ? e : this.typeError([...at, j], e, 'a string')));
  }

  groupResources(v: unknown, at: Segment[]): LooseGroupResources | Mistyped {
    if (v === null) return {};
    if (!isPlainObject(v)) return this.typeError(at, v, 'a mapping (group, resources, resourceNames)');
    this.unknownFields(v, GROUP_RESOURCES_FIELDS, at);
    const out: LooseGroupResources = {};
    const group = this.str(v.group, [...at, 'group']);
    if (group !== undefined) out.group = group;
    const resources = this.strList(v.resources, [...at, 'resources']);
    if (resources !== undefined) out.resources = resources;
    const names = this.strList(v.resourceNames, [...at, 'resourceNames']);
    if (names !== undefined) out.resourceNames = names;
    return out;
  }

  rule(v: unknown, at: Segment[]): LooseRule | Mistyped {
    if (v === null) return {};
    if (!isPlainObject(v)) return this.typeError(at, v, 'a mapping (a PolicyRule)');
    this.unknownFields(v, RULE_FIELDS, at);
    const out: LooseRule = {};
    const level = this.str(v.level, [...at, 'level']);
    if (level !== undefined) out.level = level;
    for (const f of STRING_LIST_FIELDS) {
      const list = this.strList(v[f], [...at, f]);
      if (list !== undefined) out[f] = list;
    }
    if (v.resources !== undefined && v.resources !== null) {
      if (Array.isArray(v.resources)) {
        out.resources = v.resources.map((gr, k) => this.groupResources(gr, [...at, 'resources', k]));
      } else {
        this.typeError([...at, 'resources'], v.resources, 'a list of mappings (GroupResources)');
      }
    }
    const omf = this.bool(v.omitManagedFields, [...at, 'omitManagedFields']);
    if (omf !== undefined) out.omitManagedFields = omf;
    return out;
  }

  header(root: Record<string, unknown>, field: 'apiVersion' | 'kind', want: string): void {
    const v = this.str(root[field], [field]);
    if (v === MISTYPED) return;
    if (v === undefined || v === '') this.errors.push({ segments: [field], reason: requiredBody() });
    else if (v !== want) this.errors.push({ segments: [field], reason: notSupportedBody(v, [want]) });
  }

  policy(root: unknown): DecodeResult {
    const result: DecodeResult = { loose: {}, errors: this.errors, warnings: this.warnings };
    if (root === undefined || root === null) {
      this.errors.push({ segments: ['apiVersion'], reason: requiredBody() });
      this.errors.push({ segments: ['kind'], reason: requiredBody() });
      return result;
    }
    if (!isPlainObject(root)) {
      this.typeError([], root, `a mapping (an ${AUDIT_API_VERSION} Policy)`);
      return result;
    }
    this.unknownFields(root, POLICY_FIELDS, []);
    this.header(root, 'apiVersion', AUDIT_API_VERSION);
    this.header(root, 'kind', 'Policy');
    if (root.metadata !== undefined && root.metadata !== null) {
      if (isPlainObject(root.metadata)) result.metadata = root.metadata;
      else this.typeError(['metadata'], root.metadata, 'a mapping (ObjectMeta)');
    }
    const stages = this.strList(root.omitStages, ['omitStages']);
    if (stages !== undefined) result.loose.omitStages = stages;
    const omf = this.bool(root.omitManagedFields, ['omitManagedFields']);
    if (typeof omf === 'boolean') result.omitManagedFields = omf;
    if (root.rules !== undefined && root.rules !== null) {
      if (Array.isArray(root.rules)) {
        result.loose.rules = root.rules.map((r, i) => this.rule(r, ['rules', i]));
      } else {
        this.typeError(['rules'], root.rules, 'a list of rules');
      }
    }
    return result;
  }
}

/** Decode the JS value of a YAML/JSON policy document. */
export function decodePolicy(root: unknown): DecodeResult {
  return new Decoder().policy(root);
}

function clean<T>(list: readonly (T | Mistyped)[] | undefined): T[] | undefined {
  return list === undefined ? undefined : (list.filter((x) => x !== MISTYPED) as T[]);
}

/** Build the typed Policy from a decode result that had no errors. */
export function toPolicy(d: DecodeResult): Policy {
  const policy: Policy = { apiVersion: AUDIT_API_VERSION, kind: 'Policy', rules: [] };
  if (d.metadata !== undefined) policy.metadata = d.metadata;
  const stages = clean(d.loose.omitStages);
  if (stages !== undefined) policy.omitStages = stages as Stage[];
  if (d.omitManagedFields !== undefined) policy.omitManagedFields = d.omitManagedFields;
  for (const r of d.loose.rules ?? []) {
    if (r === MISTYPED) continue;
    const level = r.level;
    const rule: PolicyRule = { level: isLevel(level) ? level : 'None' };
    for (const f of STRING_LIST_FIELDS) {
      const list = clean(r[f]);
      if (list !== undefined) (rule as unknown as Record<string, unknown>)[f] = list;
    }
    if (r.resources !== undefined) {
      rule.resources = [];
      for (const gr of r.resources) {
        if (gr === MISTYPED) continue;
        const out: GroupResources = {};
        if (typeof gr.group === 'string') out.group = gr.group;
        const res = clean(gr.resources);
        if (res !== undefined) out.resources = res;
        const names = clean(gr.resourceNames);
        if (names !== undefined) out.resourceNames = names;
        rule.resources.push(out);
      }
    }
    if (typeof r.omitManagedFields === 'boolean') rule.omitManagedFields = r.omitManagedFields;
    policy.rules.push(rule);
  }
  return policy;
}

/**
 * Policy evaluation, an exact re-implementation of
 * k8s.io/apiserver/pkg/audit/policy/checker.go, compiled once into Sets so that a
 * decision allocates nothing.
 */
import { fieldPath, PolicyError, PolicyErrors } from './errors.js';
import type { Decision, Level, Policy, RequestAttributes, Stage } from './types.js';
import { validatePolicy } from './validate.js';

export { attributesFromEvent } from './attributes.js';

/** Public description of one rule of a compiled policy. */
export interface RuleInfo {
  /** 1-based index across all merged files. */
  readonly index: number;
  readonly level: Level;
  /** Effective omitStages (policy ∪ rule), sorted. */
  readonly omitStages: readonly Stage[];
  readonly omitManagedFields: boolean;
  /** Source file, when loaded from a file. */
  readonly file?: string;
  /** 1-based line of the rule in its file, when known. */
  readonly line?: number;
  /** 1-based index of the rule inside its own file. */
  readonly fileIndex: number;
}

interface CompiledGroupResources {
  /** Every resource and subresource of the group (no `resources` listed). */
  readonly all: boolean;
  readonly names: ReadonlySet<string> | null;
  /** `*` listed. */
  readonly star: boolean;
  /** Every listed string, for `res == resource/subresource` (and `res == resource`). */
  readonly exact: ReadonlySet<string>;
  /** `R/S` entries split at the first `/`: R → set of S (fast path for `res == combined`). */
  readonly exactSub: ReadonlyMap<string, ReadonlySet<string>>;
  /** X of `*\/X` entries. */
  readonly subWild: ReadonlySet<string>;
  /** R of `R/*` entries. */
  readonly resWild: ReadonlySet<string>;
}

interface CompiledRule {
  readonly users: ReadonlySet<string> | null;
  readonly groups: ReadonlySet<string> | null;
  readonly verbs: ReadonlySet<string> | null;
  /** 0: matches any request; 1: resource rule; 2: non-resource rule. */
  readonly kind: 0 | 1 | 2;
  readonly namespaces: ReadonlySet<string> | null;
  /** null: no `resources` (namespaces-only resource rule). */
  readonly byGroup: ReadonlyMap<string, readonly CompiledGroupResources[]> | null;
  readonly anyGroup: readonly CompiledGroupResources[];
  readonly urlAll: boolean;
  readonly urlExact: ReadonlySet<string>;
  readonly urlPrefixes: readonly string[];
  readonly decision: Decision;
}

/** A policy compiled for evaluation. Opaque apart from the documented fields. */
export interface CompiledPolicy {
  readonly rules: readonly RuleInfo[];
  /** Policy-level omitStages (union over merged files), sorted. */
  readonly omitStages: readonly Stage[];
  readonly omitManagedFields: boolean;
  /** The decision when no rule matches: level None with the policy-level settings. */
  readonly defaultDecision: Decision;
  /** @internal */
  readonly compiled: readonly CompiledRule[];
  /** @internal candidate rules per verb (rules that cannot match are pruned; order kept). */
  readonly byVerb: ReadonlyMap<string, Candidates>;
  /** @internal candidates for verbs no rule names. */
  readonly otherVerb: Candidates;
}

/** Rules that may match, in policy order, for one verb. */
interface Candidates {
  readonly nonResource: readonly CompiledRule[];
  readonly byGroup: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly otherGroup: readonly CompiledRule[];
}

/** Prune rules by verb, request kind and API group; ruleMatches still checks everything. */
function buildCandidates(rules: readonly CompiledRule[], verb: string | null, groups: ReadonlySet<string>): Candidates {
  const verbOk = rules.filter((r) => (verb === null ? r.verbs === null : r.verbs === null || r.verbs.has(verb)));
  const resourceOk = verbOk.filter((r) => r.kind !== 2);
  const forGroup = (g: string | null): CompiledRule[] =>
    resourceOk.filter(
      (r) => r.byGroup === null || r.anyGroup.length > 0 || (g !== null && r.byGroup.has(g)),
    );
  const byGroup = new Map<string, readonly CompiledRule[]>();
  for (const g of groups) byGroup.set(g, forGroup(g));
  return { nonResource: verbOk.filter((r) => r.kind !== 1), byGroup, otherGroup: forGroup(null) };
}

export interface PolicySource {
  policy: Policy;
  file?: string;
  ruleLines?: readonly number[];
}

const setOrNull = (list: readonly string[] | undefined): ReadonlySet<string> | null =>
  list && list.length > 0 ? new Set(list) : null;

function sortedStages(...lists: (readonly Stage[] | undefined)[]): readonly Stage[] {
  const s = new Set<Stage>();
  for (const l of lists) for (const x of l ?? []) s.add(x);
  return Object.freeze([...s].sort());
}

function compileGroupResources(resources: readonly string[] | undefined, names: readonly string[] | undefined): CompiledGroupResources {
  const list = resources ?? [];
  const exactSub = new Map<string, Set<string>>();
  const subWild = new Set<string>();
  const resWild = new Set<string>();
  for (const res of list) {
    const slash = res.indexOf('/');
    if (slash >= 0) {
      const r = res.slice(0, slash);
      let subs = exactSub.get(r);
      if (!subs) exactSub.set(r, (subs = new Set()));
      subs.add(res.slice(slash + 1));
    }
    if (res.startsWith('*/')) subWild.add(res.slice(2));
    if (res.endsWith('/*')) resWild.add(res.slice(0, -2));
  }
  return {
    all: list.length === 0,
    names: setOrNull(names),
    star: list.includes('*'),
    exact: new Set(list),
    exactSub,
    subWild,
    resWild,
  };
}

/** Throws PolicyErrors when a programmatically built Policy is invalid. */
function assertValid(p: PolicySource): void {
  const errs = validatePolicy(p.policy);
  if (p.policy.rules.length === 0) errs.push({ path: 'rules', segments: ['rules'], reason: 'Required value: loaded illegal policy with 0 rules' });
  if (errs.length > 0) {
    throw new PolicyErrors(errs.map((e) => new PolicyError(p.file ?? '<policy>', e.path || fieldPath(e.segments), 0, e.reason)));
  }
}

/** Compile one policy (validated first; invalid policies throw PolicyErrors). */
export function compilePolicy(policy: Policy, file?: string, ruleLines?: readonly number[]): CompiledPolicy {
  return compilePolicies([{ policy, file, ruleLines }]);
}

/**
 * Compile several policies into one: rules concatenated in order, policy-level
 * omitStages unioned and omitManagedFields OR-ed (see loadPolicies).
 */
export function compilePolicies(sources: readonly PolicySource[]): CompiledPolicy {
  if (sources.length === 0) throw new TypeError('compilePolicies: no policy given');
  sources.forEach(assertValid);
  const policyStages = sortedStages(...sources.map((s) => s.policy.omitStages));
  const policyOMF = sources.some((s) => s.policy.omitManagedFields === true);
  const infos: RuleInfo[] = [];
  const compiled: CompiledRule[] = [];
  for (const src of sources) {
    src.policy.rules.forEach((rule, i) => {
      const index = infos.length + 1;
      const omitStages = sortedStages(policyStages, rule.omitStages);
      const omitManagedFields = rule.omitManagedFields ?? policyOMF;
      const decision: Decision = Object.freeze({ level: rule.level, omitStages, omitManagedFields, rule: index });
      const info: RuleInfo = { index, level: rule.level, omitStages, omitManagedFields, fileIndex: i + 1 };
      if (src.file !== undefined) (info as { file?: string }).file = src.file;
      if (src.ruleLines?.[i] !== undefined) (info as { line?: number }).line = src.ruleLines[i];
      infos.push(Object.freeze(info));
      const resources = rule.resources ?? [];
      const namespaces = rule.namespaces ?? [];
      const byGroup = new Map<string, CompiledGroupResources[]>();
      const anyGroup: CompiledGroupResources[] = [];
      for (const gr of resources) {
        const c = compileGroupResources(gr.resources, gr.resourceNames);
        const group = gr.group ?? '';
        if (group === '*') anyGroup.push(c);
        else {
          const l = byGroup.get(group);
          if (l) l.push(c);
          else byGroup.set(group, [c]);
        }
      }
      const urls = rule.nonResourceURLs ?? [];
      const resourceRule = namespaces.length > 0 || resources.length > 0;
      compiled.push({
        users: setOrNull(rule.users),
        groups: setOrNull(rule.userGroups),
        verbs: setOrNull(rule.verbs),
        kind: resourceRule ? 1 : urls.length > 0 ? 2 : 0,
        namespaces: setOrNull(namespaces),
        byGroup: resources.length > 0 ? byGroup : null,
        anyGroup,
        urlAll: urls.includes('*'),
        urlExact: new Set(urls),
        urlPrefixes: urls.filter((u) => u.endsWith('*')).map((u) => u.replace(/\*+$/, '')),
        decision,
      });
    });
  }
  const verbs = new Set<string>();
  const groups = new Set<string>();
  for (const r of compiled) {
    for (const v of r.verbs ?? []) verbs.add(v);
    for (const g of r.byGroup?.keys() ?? []) groups.add(g);
  }
  const byVerb = new Map<string, Candidates>();
  for (const v of verbs) byVerb.set(v, buildCandidates(compiled, v, groups));
  const defaultDecision: Decision = Object.freeze({
    level: 'None',
    omitStages: policyStages,
    omitManagedFields: policyOMF,
    rule: null,
  });
  return Object.freeze({
    rules: Object.freeze(infos),
    omitStages: policyStages,
    omitManagedFields: policyOMF,
    defaultDecision,
    compiled: Object.freeze(compiled),
    byVerb,
    otherVerb: buildCandidates(compiled, null, groups),
  });
}

/**
 * EvaluatePolicyRule: the first matching rule decides; no match → level None with
 * the policy-level omitStages/omitManagedFields. Returns a shared frozen Decision.
 */
export function evaluate(policy: CompiledPolicy, attrs: RequestAttributes): Decision {
  const c = policy.byVerb.get(attrs.verb) ?? policy.otherVerb;
  const rules = attrs.resourceRequest ? (c.byGroup.get(attrs.apiGroup) ?? c.otherGroup) : c.nonResource;
  for (let i = 0; i < rules.length; i++) {
    if (ruleMatches(rules[i], attrs)) return rules[i].decision;
  }
  return policy.defaultDecision;
}

function ruleMatches(r: CompiledRule, a: RequestAttributes): boolean {
  const user = a.user;
  if (r.users !== null && (user === null || !r.users.has(user.name))) return false;
  if (r.groups !== null) {
    if (user === null) return false;
    const groups = user.groups;
    let matched = false;
    for (let i = 0; i < groups.length; i++) {
      if (r.groups.has(groups[i] as string)) {
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  if (r.verbs !== null && !r.verbs.has(a.verb)) return false;
  if (r.kind === 1) return matchesResource(r, a);
  if (r.kind === 2) return matchesNonResource(r, a);
  return true;
}

function matchesNonResource(r: CompiledRule, a: RequestAttributes): boolean {
  if (a.resourceRequest) return false;
  if (r.urlAll) return true;
  const path = a.path;
  if (r.urlExact.has(path)) return true;
  const prefixes = r.urlPrefixes;
  for (let i = 0; i < prefixes.length; i++) if (path.startsWith(prefixes[i])) return true;
  return false;
}

function matchesResource(r: CompiledRule, a: RequestAttributes): boolean {
  if (!a.resourceRequest) return false;
  if (r.namespaces !== null && !r.namespaces.has(a.namespace)) return false;
  if (r.byGroup === null) return true;
  const exact = r.byGroup.get(a.apiGroup);
  if (exact !== undefined && matchesAnyGroupResources(exact, a)) return true;
  return r.anyGroup.length > 0 && matchesAnyGroupResources(r.anyGroup, a);
}

function matchesAnyGroupResources(list: readonly CompiledGroupResources[], a: RequestAttributes): boolean {
  for (let i = 0; i < list.length; i++) {
    const gr = list[i];
    if (gr.all) return true;
    if (gr.names !== null && !gr.names.has(a.name)) continue;
    if (gr.star) return true;
    const resource = a.resource;
    const sub = a.subresource;
    if (sub === '') {
      if (gr.exact.has(resource)) return true;
    } else {
      if (gr.subWild.has(sub)) return true;
      if (resource.indexOf('/') < 0) {
        const subs = gr.exactSub.get(resource);
        if (subs !== undefined && subs.has(sub)) return true;
      } else if (gr.exact.has(resource + '/' + sub)) {
        return true;
      }
    }
    if (gr.resWild.has(resource)) return true;
  }
  return false;
}

/**
 * Re-implementation of k8s.io/apiserver/pkg/apis/audit/validation.ValidatePolicy:
 * same checks, same order, same field paths, same messages.
 */
import { fieldPath, invalidBody, notSupportedBody, requiredBody, type Segment } from './errors.js';
import { LEVELS, STAGES } from './types.js';

/** Marks a value whose YAML type was wrong; the type error was already reported, validation skips it. */
export const MISTYPED: unique symbol = Symbol('mistyped');
export type Mistyped = typeof MISTYPED;

type Str = string | Mistyped;

export interface LooseGroupResources {
  group?: Str;
  resources?: readonly Str[];
  resourceNames?: readonly Str[];
}

export interface LooseRule {
  level?: Str;
  users?: readonly Str[];
  userGroups?: readonly Str[];
  verbs?: readonly Str[];
  resources?: readonly (LooseGroupResources | Mistyped)[];
  namespaces?: readonly Str[];
  nonResourceURLs?: readonly Str[];
  omitStages?: readonly Str[];
  omitManagedFields?: boolean | Mistyped;
}

/** A Policy as decoded, possibly with mistyped parts; a typed `Policy` is assignable to it. */
export interface LoosePolicy {
  rules?: readonly (LooseRule | Mistyped)[];
  omitStages?: readonly Str[];
}

export interface FieldError {
  /** Kubernetes' field path, e.g. `rules[3].resources.group` (no GroupResources index, as upstream). */
  path: string;
  /** Exact location of the offending node, used to find its line. */
  segments: Segment[];
  /** field.Error body, e.g. `Required value`. */
  reason: string;
}

const ALLOWED_STAGES = 'allowed stages are ' + STAGES.join(',');
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN_RE = new RegExp('^' + DNS1123_SUBDOMAIN_FMT + '$');
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" +
  DNS1123_SUBDOMAIN_FMT +
  "')";

/** ValidatePolicy. Errors come back in Kubernetes' order. */
export function validatePolicy(policy: LoosePolicy): FieldError[] {
  const errs: FieldError[] = [];
  validateOmitStages(policy.omitStages, ['omitStages'], errs);
  const rules = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule === MISTYPED) continue;
    validateRule(rule, ['rules', i], errs);
  }
  return errs;
}

function validateRule(rule: LooseRule, at: Segment[], errs: FieldError[]): void {
  validateLevel(rule.level, [...at, 'level'], errs);
  validateNonResourceURLs(rule.nonResourceURLs, [...at, 'nonResourceURLs'], errs);
  validateResources(rule.resources, [...at, 'resources'], errs);
  validateOmitStages(rule.omitStages, [...at, 'omitStages'], errs);
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0 && ((rule.resources ?? []).length > 0 || (rule.namespaces ?? []).length > 0)) {
    const seg = [...at, 'nonResourceURLs'];
    errs.push({
      path: fieldPath(seg),
      segments: seg,
      reason: invalidBody(
        urls.filter((u) => u !== MISTYPED),
        'rules cannot apply to both regular resources and non-resource URLs',
      ),
    });
  }
}

function validateLevel(level: Str | undefined, seg: Segment[], errs: FieldError[]): void {
  if (level === MISTYPED) return;
  if (level === undefined || level === '') {
    errs.push({ path: fieldPath(seg), segments: seg, reason: requiredBody() });
  } else if (!(LEVELS as readonly string[]).includes(level)) {
    errs.push({ path: fieldPath(seg), segments: seg, reason: notSupportedBody(level, LEVELS) });
  }
}

function validateNonResourceURLs(urls: readonly Str[] | undefined, at: Segment[], errs: FieldError[]): void {
  if (!urls) return;
  for (let j = 0; j < urls.length; j++) {
    const url = urls[j];
    if (url === MISTYPED || url === '*') continue;
    const seg = [...at, j];
    if (!url.startsWith('/')) {
      errs.push({
        path: fieldPath(seg),
        segments: seg,
        reason: invalidBody(url, "non-resource URL rules must begin with a '/' character"),
      });
    }
    if (url !== '' && url.slice(0, -1).includes('*')) {
      errs.push({
        path: fieldPath(seg),
        segments: seg,
        reason: invalidBody(url, "non-resource URL wildcards '*' must be the final character of the rule"),
      });
    }
  }
}

function validateResources(
  list: readonly (LooseGroupResources | Mistyped)[] | undefined,
  at: Segment[],
  errs: FieldError[],
): void {
  if (!list) return;
  for (let k = 0; k < list.length; k++) {
    const gr = list[k];
    if (gr === MISTYPED) continue;
    const group = gr.group;
    if (typeof group === 'string' && group.length !== 0 && group !== '*') {
      const msgs = dnsSubdomainErrors(group);
      if (msgs.length > 0) {
        errs.push({
          path: fieldPath([...at, 'group']),
          segments: [...at, k, 'group'],
          reason: invalidBody(group, msgs.join(',')),
        });
      }
    }
    const names = gr.resourceNames ?? [];
    if (names.length > 0 && (gr.resources ?? []).length === 0) {
      errs.push({
        path: fieldPath([...at, 'resourceNames']),
        segments: [...at, k, 'resourceNames'],
        reason: invalidBody(
          names.filter((n) => n !== MISTYPED),
          'using resourceNames requires at least one resource',
        ),
      });
    }
  }
}

/** validation.IsDNS1123Subdomain (lengths are in bytes, as in Go). */
export function dnsSubdomainErrors(value: string): string[] {
  const msgs: string[] = [];
  if (Buffer.byteLength(value, 'utf8') > 253) msgs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN_RE.test(value)) msgs.push(DNS1123_SUBDOMAIN_MSG);
  return msgs;
}

function validateOmitStages(stages: readonly Str[] | undefined, at: Segment[], errs: FieldError[]): void {
  if (!stages) return;
  for (let j = 0; j < stages.length; j++) {
    const stage = stages[j];
    if (stage === MISTYPED) continue;
    if (!(STAGES as readonly string[]).includes(stage)) {
      const seg = [...at, j];
      errs.push({ path: fieldPath(seg), segments: seg, reason: invalidBody(stage, ALLOWED_STAGES) });
    }
  }
}


/**
 * Kubernetes audit policy engine: load/validate `audit.k8s.io/v1` Policy files,
 * evaluate them exactly as kube-apiserver does, apply decisions to recorded
 * Events, and dry-run a policy over event files (`vigil policy check`).
 */
export * from './types.js';
export { PolicyError, PolicyErrors, formatPolicyError, type PolicyWarning } from './errors.js';
export { parsePolicy, parsePolicyDetailed, loadPolicies, type ParseOptions, type ParsedPolicy } from './load.js';
export { validatePolicy, type FieldError } from './validate.js';
export {
  compilePolicy,
  compilePolicies,
  evaluate,
  type CompiledPolicy,
  type PolicySource,
  type RuleInfo,
} from './evaluate.js';
export { attributesFromEvent, emptyAttributes, pathOfRequestURI } from './attributes.js';
export {
  applyPolicy,
  applyDecision,
  appliedLevel,
  keepAll,
  withoutManagedFields,
  type ApplyResult,
  type DropReason,
} from './apply.js';
export {
  PolicyChecker,
  checkEvents,
  formatCheckRecord,
  formatTable,
  inputsFromText,
  type CheckRecord,
  type CheckSummary,
  type InvalidInput,
  type RuleStats,
} from './check.js';
export { GIANTSWARM_POLICY_YAML } from './giantswarm-policy.js';

export { diffDocuments, SpecDiff } from './classify.js';
export { loadSide, readSpecSource, type LoadedSide, type SideOptions, type SpecSource } from './load-side.js';
export { markdownReport, impliedBump, outOfScopeLine } from './report.js';
export type { BreakKind, DiffResult, DiffSummary, OutOfScopeChanges, Severity, SpecChange } from './types.js';
export { secondOpinion, type Disagreement } from './second-opinion.js';
export { allRules, rule, rulesMarkdown } from './rules.js';
export { applyPolicy, parseSunset, type PolicyApplied, type PolicyChange, type PolicyOptions, type PolicyRecord, type PolicyResult } from './policy.js';
export {
  DEFAULT_POLICY,
  loadPolicyFile,
  parsePolicy,
  POLICY_FILE_NAMES,
  PolicyConfigError,
  policyFromFlags,
  resolvePolicy,
  STABILITY_LEVELS,
  type DiffPolicy,
  type PolicyOutcome,
  type StabilityLevel,
} from './policy-config.js';

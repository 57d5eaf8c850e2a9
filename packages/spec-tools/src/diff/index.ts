export { diffDocuments, SpecDiff } from './classify.js';
export { loadSide, readSpecSource, type LoadedSide, type SideOptions, type SpecSource } from './load-side.js';
export { markdownReport, impliedBump, outOfScopeLine } from './report.js';
export type { BreakKind, DiffResult, DiffSummary, OutOfScopeChanges, Severity, SpecChange } from './types.js';
export { secondOpinion, type Disagreement } from './second-opinion.js';

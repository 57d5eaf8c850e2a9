export { SpecToolError, OverlayError } from './errors.js';
export { loadDocument, parseDocumentText, assertOpenApi, isObject, type JsonObject } from './load.js';
export { bundleSpec, bundleSpecText, hasExternalRefs, BUNDLE_DEFAULTS, type BundleOptions, type SpecText } from './bundle.js';
export { applyOverlay } from './overlay.js';
export { locateSpecDir, loadEffectiveSpec, effectiveSpec, compareProvider, type SpecDir } from './spec-dir.js';
export { cutToOperations, outOfScopeChanges, parseCover, formatCover, type CoveredOperation } from './cut.js';
export { manifestCovers, resolveCovers } from './covers.js';
export { fetchSpec, publishedAt, publishedSpecs, displayUrl, FETCH_DEFAULTS, type FetchOptions, type FetchedDocument } from './fetch.js';
export {
  renderClientFiles,
  writeGeneratedFiles,
  findStaleFiles,
  GENERATED_PATHS,
  type GeneratedFile,
  type StaleFile,
} from './generate.js';
export { lintSpecs, DEFAULT_LINT_CONFIG, type LintResult } from './lint.js';
export { canonicalJson, documentDigest, recordedDigest } from './provenance.js';
export * from './diff/index.js';
export { updateSpec, compareSpec, type UpdateOptions, type UpdateResult, type CompareOptions, type SpecComparison } from './update.js';
export { FileTransaction } from './transaction.js';

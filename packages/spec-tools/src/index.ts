export { SpecToolError, OverlayError } from './errors.js';
export { loadDocument, parseDocumentText, assertOpenApi, isObject, type JsonObject } from './load.js';
export { applyOverlay } from './overlay.js';
export { locateSpecDir, loadEffectiveSpec, type SpecDir } from './spec-dir.js';
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
export { updateSpec, type UpdateOptions, type UpdateResult } from './update.js';
export { FileTransaction } from './transaction.js';

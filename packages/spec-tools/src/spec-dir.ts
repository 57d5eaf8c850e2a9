import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SpecToolError } from './errors.js';
import { assertOpenApi, loadDocument, type JsonObject } from './load.js';
import { cutToOperations } from './cut.js';
import { applyOverlay } from './overlay.js';
import { resolveCovers } from './covers.js';
import type { LoadedSide } from './diff/load-side.js';
import type { DiffResult, OutOfScopeChanges } from './diff/types.js';

/**
 * A spec directory, as laid out in `specs/<provider>/`:
 *   openapi.json | openapi.yaml | openapi.yml   the vendored or hand-written spec (never edited for fixes)
 *   overlay.yaml                                 optional OpenAPI Overlay 1.0 with our fixes
 *   PROVENANCE.md                                where the spec came from
 */
export interface SpecDir {
  /** Absolute path of the directory. */
  dir: string;
  /** Directory name, used as the provider id (`pandadoc`). */
  name: string;
  /** Absolute path of the spec file. */
  specPath: string;
  /** Absolute path of the overlay, when there is one. */
  overlayPath: string | undefined;
}

const SPEC_FILE_NAMES = ['openapi.json', 'openapi.yaml', 'openapi.yml'];

export function locateSpecDir(dir: string): SpecDir {
  const absolute = resolve(dir);
  const found = SPEC_FILE_NAMES.map((name) => join(absolute, name)).filter((path) => existsSync(path));
  const [specPath, ...others] = found;
  if (specPath === undefined) throw new SpecToolError(`${dir}: no ${SPEC_FILE_NAMES.join(' / ')} found`);
  if (others.length > 0) throw new SpecToolError(`${dir}: more than one spec file (${found.map((p) => basename(p)).join(', ')})`);
  const overlayPath = join(absolute, 'overlay.yaml');
  return { dir: absolute, name: basename(absolute), specPath, overlayPath: existsSync(overlayPath) ? overlayPath : undefined };
}

/**
 * A spec as clients see it: cut to the covered operations (when any are given), then the overlay applied. The cut
 * comes first so the vendored file can stay the vendor's whole document while overlays target the kept operations.
 */
export async function effectiveSpec(
  spec: JsonObject,
  options: { label: string; covers?: readonly string[] | undefined; overlayPath?: string | undefined },
): Promise<JsonObject> {
  assertOpenApi(spec, options.label);
  const cut = options.covers === undefined || options.covers.length === 0 ? spec : cutToOperations(spec, options.covers, options.label);
  if (options.overlayPath === undefined) return cut;
  const overlay = await loadDocument(options.overlayPath);
  const effective = await applyOverlay(cut, overlay, options.overlayPath);
  assertOpenApi(effective, `${options.label} + ${options.overlayPath}`);
  return effective;
}

/**
 * The effective spec: the spec file cut to `covers` (if given) with its overlay applied. This is what clients and
 * mocks are built from.
 */
export async function loadEffectiveSpec(specDir: SpecDir, covers?: readonly string[]): Promise<JsonObject> {
  return effectiveSpec(await loadDocument(specDir.specPath), { label: specDir.specPath, covers, overlayPath: specDir.overlayPath });
}

/** What `check` compares: a provider's effective spec now, and a new vendor document cut and overlaid as it would be. */
export interface ProviderComparison {
  /** Where the provider's spec and covered operations came from (see `resolveProviderSpec`). */
  origin: 'repository' | 'installed';
  /** The provider's effective spec now. */
  before: LoadedSide;
  /** The new document cut to the covered operations, with the overlay applied. */
  after: LoadedSide;
  /** Covered operations and the components they use, in full. */
  diff: DiffResult;
  /**
   * Operations outside the cut, counted, when there is a whole previous vendor document to count them against (the
   * spec directory of the repository); `undefined` for an installed package, which ships only its effective spec.
   */
  outOfScope: OutOfScopeChanges | undefined;
  /** The operations the new document was cut to (`undefined`: not cut). */
  covers: string[] | undefined;
  /** The overlay applied to the new document, if any. */
  overlayPath: string | undefined;
}

export interface ProviderComparisonOptions {
  /** The repository root (`findRepoRoot()`); in this monorepo it holds `specs/<provider>/` and `packages/<provider>/`. */
  root: string;
  provider: string;
  /** A file path or an http(s) URL of the vendor's new document. */
  source: string;
  /** Operations the client covers; default: `upstat.covers` in the client package's `package.json`. */
  covers?: readonly string[] | undefined;
  /** Where an installed `@upstat/<provider>` is resolved from; default the working directory. */
  cwd?: string;
}

/**
 * `check`'s comparison, from this monorepo or from any repository that installs a provider package:
 *
 * - with the monorepo's layout (`specs/<provider>/` and a committed `packages/<provider>/openapi.json`), exactly
 *   `compareSpec` (update.ts): the spec directory's overlay, and operations outside the cut counted against the
 *   vendor document in `specs/<provider>/`;
 * - otherwise the provider's effective spec comes from the installed `@upstat/<provider>/openapi.json`, the covered
 *   operations from that package's `package.json` (`upstat.covers`), and the new document is cut to them. The
 *   shipped effective spec already has upstat's overlay applied; the overlay itself is applied to the new document
 *   only when the package ships it as `overlay.yaml` beside `openapi.json`. There is no previous vendor document to
 *   count operations outside the cut against, so `outOfScope` is `undefined`.
 */
export async function compareProvider(options: ProviderComparisonOptions): Promise<ProviderComparison> {
  const { root, provider, source } = options;
  const { readSpecSource, resolveProviderSpec } = await import('./diff/load-side.js');
  const { diffDocuments } = await import('./diff/index.js');
  if (existsSync(join(root, 'specs', provider)) && existsSync(join(root, 'packages', provider, 'openapi.json'))) {
    const { compareSpec } = await import('./update.js');
    const comparison = await compareSpec({ root, provider, source, covers: options.covers });
    const { overlayPath } = comparison.specDir;
    return {
      origin: 'repository',
      before: comparison.committed,
      after: { label: `${source}${overlayPath === undefined ? '' : ' + overlay'}`, document: comparison.effective, file: comparison.source.file },
      diff: comparison.diff,
      outOfScope: comparison.outOfScope,
      covers: comparison.covers,
      overlayPath,
    };
  }
  const found = resolveProviderSpec(provider, { cwd: options.cwd ?? process.cwd(), packagesDir: join(root, 'packages') });
  const covers = resolveCovers(found.packageDir, options.covers);
  const shippedOverlay = join(found.packageDir, 'overlay.yaml');
  const overlayPath = existsSync(shippedOverlay) ? shippedOverlay : undefined;
  const committed = await loadDocument(found.specPath);
  assertOpenApi(committed, found.label);
  const next = await readSpecSource(source);
  const effective = await effectiveSpec(next.document, { label: source, covers, overlayPath });
  const after = { label: `${source}${overlayPath === undefined ? '' : ' + overlay'}`, document: effective, file: next.file };
  const before = { label: found.label, document: committed, file: found.specPath };
  return {
    origin: found.origin,
    before,
    after,
    diff: diffDocuments(committed, effective, { before: before.label, after: after.label }),
    outOfScope: undefined,
    covers,
    overlayPath,
  };
}

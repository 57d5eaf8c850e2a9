import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SpecToolError } from './errors.js';
import { assertOpenApi, loadDocument, type JsonObject } from './load.js';
import { cutToOperations } from './cut.js';
import { applyOverlay } from './overlay.js';

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

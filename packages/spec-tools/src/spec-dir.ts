import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SpecToolError } from './errors.js';
import { assertOpenApi, loadDocument, type JsonObject } from './load.js';
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

/** The effective spec: the spec file with its overlay applied. This is what clients and mocks are built from. */
export async function loadEffectiveSpec(specDir: SpecDir): Promise<JsonObject> {
  const spec = await loadDocument(specDir.specPath);
  assertOpenApi(spec, specDir.specPath);
  if (specDir.overlayPath === undefined) return spec;
  const overlay = await loadDocument(specDir.overlayPath);
  const effective = await applyOverlay(spec, overlay, specDir.overlayPath);
  assertOpenApi(effective, `${specDir.specPath} + ${specDir.overlayPath}`);
  return effective;
}

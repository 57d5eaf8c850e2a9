import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCover } from './cut.js';
import { SpecToolError } from './errors.js';
import { isObject } from './load.js';

/**
 * The operations a client package covers, as its manifest declares them: `"upstat": { "covers": ["GET /path"] }`
 * in `<packageDir>/package.json` (in this repository, written from the provider's definition by
 * scripts/providers/render.mjs). `undefined` when the package declares none: then nothing is cut.
 */
export function manifestCovers(packageDir: string): string[] | undefined {
  const path = join(packageDir, 'package.json');
  if (!existsSync(path)) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SpecToolError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const upstat = isObject(manifest) ? manifest.upstat : undefined;
  if (!isObject(upstat) || upstat.covers === undefined) return undefined;
  const covers = upstat.covers;
  if (!Array.isArray(covers) || covers.length === 0 || !covers.every((cover): cover is string => typeof cover === 'string')) {
    throw new SpecToolError(`${path}: "upstat.covers" must be a non-empty list of "<METHOD> /path" strings`);
  }
  for (const cover of covers) parseCover(cover);
  return covers;
}

/** Covers given on the command line win over the manifest's; none anywhere means no cut. */
export function resolveCovers(packageDir: string, given: readonly string[] | undefined): string[] | undefined {
  if (given !== undefined && given.length > 0) {
    for (const cover of given) parseCover(cover);
    return [...given];
  }
  return manifestCovers(packageDir);
}

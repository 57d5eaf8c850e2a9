import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { SpecToolError } from '../errors.js';
import { assertOpenApi, isObject, loadDocument, mayReferOutside, parseDocumentText, type JsonObject } from '../load.js';
import { findRepoRoot } from '../paths.js';

export interface LoadedSide {
  label: string;
  document: JsonObject;
  /** The file it was read from, absolute (not for a URL): where `--format github` and `junit` point. */
  file?: string | undefined;
}

/** A spec read from a file or a URL, with its text (kept so a YAML file can be copied verbatim). */
export interface SpecSource extends LoadedSide {
  text: string;
  isJson: boolean;
}

export interface SideOptions {
  /** Where provider packages live, for sides given as a provider name. Default `<repo>/packages`. */
  packagesDir?: string;
  /** Limit for fetching a URL. Default 30 s. */
  timeoutMs?: number;
}

/** Reads an OpenAPI document from a file (JSON or YAML) or an http(s) URL. */
export async function readSpecSource(argument: string, options: SideOptions = {}): Promise<SpecSource> {
  let text: string;
  let isJson: boolean;
  if (/^https?:\/\//i.test(argument)) {
    try {
      const response = await fetch(argument, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } catch (error) {
      throw new SpecToolError(`${argument}: cannot fetch (${(error as Error).message})`);
    }
    isJson = text.trimStart().startsWith('{');
  } else {
    try {
      text = readFileSync(argument, 'utf8');
    } catch (error) {
      throw new SpecToolError(`${argument}: cannot read file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
    }
    isJson = extname(argument).toLowerCase() === '.json';
  }
  const document = parseDocumentText(text, isJson ? 'document.json' : 'document.yaml');
  if (!isObject(document)) throw new SpecToolError(`${argument}: expected a JSON/YAML object at the top level`);
  assertOpenApi(document, argument);
  // A spec split over files becomes one document here, before anything else sees it (src/bundle.ts).
  const limits = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const file = /^https?:\/\//i.test(argument) ? undefined : resolve(argument);
  const source = { document, text, isJson };
  // The bundler (and what it imports) loads only for a text that may refer to another file: most never do.
  if (!mayReferOutside(text)) return { label: argument, file, ...source };
  const { bundleSpecText } = await import('../bundle.js');
  return { label: argument, file, ...(await bundleSpecText(source, argument, limits)) };
}

/** Where a provider's effective spec was found: in this repository's `packages/`, or as an installed package. */
export interface ProviderSpec {
  /** The provider id, e.g. `pandadoc`. */
  name: string;
  /** Absolute path of the effective spec (`openapi.json`). */
  specPath: string;
  /** The client package's directory: its `package.json` declares the covered operations (`upstat.covers`). */
  packageDir: string;
  /**
   * `repository`: the committed `packages/<name>/openapi.json` of the repository being worked in (this monorepo);
   * `installed`: `@upstat/<name>/openapi.json` resolved from the working directory's `node_modules`.
   */
  origin: 'repository' | 'installed';
  /** How reports name it, e.g. `pandadoc (committed effective spec)` or `pandadoc (@upstat/pandadoc@0.1.0)`. */
  label: string;
}

const PROVIDER_NAME = /^[a-z0-9][\w.-]*$/i;

/**
 * Finds a provider's effective spec: first the committed `packages/<name>/openapi.json` of the repository the
 * working directory is in (so this monorepo uses what it commits), then the installed package
 * `@upstat/<name>/openapi.json`, resolved the way Node resolves it from `<cwd>/package.json` (its `exports` ship the
 * effective spec). Throws a SpecToolError saying where it looked.
 */
export function resolveProviderSpec(name: string, options: SideOptions & { cwd?: string } = {}): ProviderSpec {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (!PROVIDER_NAME.test(name)) throw new SpecToolError(`${name}: not a readable file, an http(s) URL, or a provider name`);
  const packagesDir = options.packagesDir ?? join(findRepoRoot(cwd), 'packages');
  const committed = join(packagesDir, name, 'openapi.json');
  if (existsSync(committed)) {
    return { name, specPath: committed, packageDir: dirname(committed), origin: 'repository', label: `${name} (committed effective spec)` };
  }
  const packageName = `@upstat/${name}`;
  let specPath: string;
  try {
    specPath = createRequire(join(cwd, 'package.json')).resolve(`${packageName}/openapi.json`);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why =
      code === 'MODULE_NOT_FOUND'
        ? `${packageName}/openapi.json is not installed where ${cwd} can resolve it (npm install ${packageName})`
        : code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'
          ? `${packageName} is installed but does not export ./openapi.json (a provider package from before upstat shipped its spec?)`
          : `${packageName}/openapi.json cannot be resolved from ${cwd}: ${message}`;
    throw new SpecToolError(`${name}: not a readable file, an http(s) URL, or a provider name: no ${committed}, and ${why}`);
  }
  const packageDir = dirname(specPath);
  const version = installedVersion(packageDir);
  return { name, specPath, packageDir, origin: 'installed', label: `${name} (${packageName}${version === undefined ? '' : `@${version}`})` };
}

/** The `version` of the package in `packageDir`, when its manifest says one. */
function installedVersion(packageDir: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as unknown;
    return isObject(manifest) && typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    // The version only decorates the label; a missing or unreadable manifest leaves it out.
    return undefined;
  }
}

/**
 * One side of a diff: a file (JSON or YAML), an http(s) URL, or a provider name meaning that provider's effective
 * spec: the committed `packages/<name>/openapi.json`, else the installed `@upstat/<name>/openapi.json` (see
 * `resolveProviderSpec`).
 */
export async function loadSide(argument: string, options: SideOptions = {}): Promise<LoadedSide> {
  // Anything that looks like a path is read as a file (so a missing one says so).
  const looksLikePath = /[\\/]/.test(argument) || /\.(json|ya?ml)$/i.test(argument);
  if (/^https?:\/\//i.test(argument) || looksLikePath || existsSync(argument)) return readSpecSource(argument, options);
  const provider = resolveProviderSpec(argument, options);
  const document = await loadDocument(provider.specPath);
  assertOpenApi(document, provider.label);
  return { label: provider.label, document, file: provider.specPath };
}

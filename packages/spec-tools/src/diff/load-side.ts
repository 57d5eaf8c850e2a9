import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { SpecToolError } from '../errors.js';
import { assertOpenApi, isObject, loadDocument, parseDocumentText, type JsonObject } from '../load.js';
import { findRepoRoot } from '../paths.js';

export interface LoadedSide {
  label: string;
  document: JsonObject;
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
      text = await readFile(argument, 'utf8');
    } catch (error) {
      throw new SpecToolError(`${argument}: cannot read file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
    }
    isJson = extname(argument).toLowerCase() === '.json';
  }
  const document = parseDocumentText(text, isJson ? 'document.json' : 'document.yaml');
  if (!isObject(document)) throw new SpecToolError(`${argument}: expected a JSON/YAML object at the top level`);
  assertOpenApi(document, argument);
  return { label: argument, document, text, isJson };
}

/**
 * One side of a diff: a file (JSON or YAML), an http(s) URL, or a provider name meaning that provider's
 * committed effective spec (`packages/<name>/openapi.json`).
 */
export async function loadSide(argument: string, options: SideOptions = {}): Promise<LoadedSide> {
  // Anything that looks like a path is read as a file (so a missing one says so).
  const looksLikePath = /[\\/]/.test(argument) || /\.(json|ya?ml)$/i.test(argument);
  if (/^https?:\/\//i.test(argument) || looksLikePath || existsSync(argument)) return readSpecSource(argument, options);
  const packagesDir = options.packagesDir ?? join(findRepoRoot(), 'packages');
  const effective = join(packagesDir, argument, 'openapi.json');
  if (!/^[\w.-]+$/.test(argument) || !existsSync(effective)) {
    throw new SpecToolError(`${argument}: not a readable file, an http(s) URL, or a provider name with a committed effective spec`);
  }
  const label = `${argument} (committed effective spec)`;
  const document = await loadDocument(effective);
  assertOpenApi(document, label);
  return { label, document };
}

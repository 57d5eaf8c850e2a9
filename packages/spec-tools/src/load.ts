import { readFileSync } from 'node:fs';
// Files are read with node:fs, not node:fs/promises: the CLI reads each once, and loading fs/promises (it brings
// streams and readline) costs every start a few ms, against a budget of 1.5× a bare Node start (benchmarks/src/spec-tools.ts).
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type * as Yaml from 'yaml';
import { SpecToolError } from './errors.js';

// The YAML parser is loaded on first use, not with this module: it is dozens of CommonJS files, and most documents
// (every effective spec, most vendor releases) are JSON, so `upstat-spec diff a.json b.json` never needs it.
// `require` keeps parseDocumentText synchronous.
let yaml: typeof Yaml | undefined;
export const loadYaml = (): typeof Yaml => (yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses JSON or YAML text (YAML is a superset of JSON, but JSON is parsed strictly when the name says so). */
export function parseDocumentText(text: string, label: string): unknown {
  const json = extname(label).toLowerCase() === '.json';
  // Loaded outside the try: a failure to load the parser is not the document's fault.
  const yamlParser = json ? undefined : loadYaml();
  try {
    return yamlParser === undefined ? (JSON.parse(text) as unknown) : (yamlParser.parse(text, { prettyErrors: true }) as unknown);
  } catch (error) {
    throw new SpecToolError(`${label}: not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

/** Reads a JSON or YAML file into a plain object. */
export async function loadDocument(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SpecToolError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  const value = parseDocumentText(text, path);
  if (!isObject(value)) throw new SpecToolError(`${path}: expected a JSON/YAML object at the top level`);
  // An OpenAPI document split over files becomes one document here, before anything else sees it (src/bundle.ts).
  if (typeof value.openapi === 'string') return (await import('./bundle.js')).bundleSpec(value, path);
  return value;
}

/** Checks that a document declares itself OpenAPI 3.0 or 3.1. */
export function assertOpenApi(document: JsonObject, label: string): void {
  const version = document.openapi;
  if (typeof version !== 'string' || !/^3\.[01]\.\d+$/.test(version)) {
    throw new SpecToolError(
      `${label}: not an OpenAPI 3.0/3.1 document (the "openapi" field is ${version === undefined ? 'missing' : JSON.stringify(version)})`,
    );
  }
  if (!isObject(document.info) || !isObject(document.paths)) {
    throw new SpecToolError(`${label}: an OpenAPI document needs "info" and "paths" objects`);
  }
}

/**
 * Whether a document's text may hold a `$ref` to another file: false only when every `$ref` written in it is
 * followed by a value that starts with `#`. A read of the text is several times faster than the walk of src/bundle.ts (`hasExternalRefs`)
 * of what it parsed to, and the diff of two large documents pays it for each (benchmarks/src/spec-tools.ts). Anything
 * else (a `$ref` in prose, a YAML alias or block scalar as the value) says "maybe", and the walk decides; so does a
 * `$` written as an escape, which JSON and double-quoted YAML allow in a key.
 */
export function mayReferOutside(text: string): boolean {
  return /\\(u0024|x24|U00000024)/i.test(text) || /\$ref["']?\s*:(?!\s*["']?#)/.test(text);
}

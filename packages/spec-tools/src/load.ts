import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SpecToolError } from './errors.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses JSON or YAML text (YAML is a superset of JSON, but JSON is parsed strictly when the name says so). */
export function parseDocumentText(text: string, label: string): unknown {
  const json = extname(label).toLowerCase() === '.json';
  try {
    return json ? (JSON.parse(text) as unknown) : (parseYaml(text, { prettyErrors: true }) as unknown);
  } catch (error) {
    throw new SpecToolError(`${label}: not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

/** Reads a JSON or YAML file into a plain object. */
export async function loadDocument(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SpecToolError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  const value = parseDocumentText(text, path);
  if (!isObject(value)) throw new SpecToolError(`${path}: expected a JSON/YAML object at the top level`);
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

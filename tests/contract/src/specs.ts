import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PROVIDERS, type ProviderId } from '@upstat/providers';

export type { ProviderId };

/** Every provider's id, from the registry: a provider added there is tested here with no edit. */
export const PROVIDER_IDS: readonly ProviderId[] = PROVIDERS.map((provider) => provider.definition.id);

// pnpm lets a package resolve only its direct dependencies: the provider packages are the registry's, so their
// files are resolved from @upstat/providers.
const registryRequire = createRequire(createRequire(import.meta.url).resolve('@upstat/providers/package.json'));

/** Path of the effective spec a provider package ships (`@upstat/<p>/openapi.json`). */
export function effectiveSpecPath(id: ProviderId): string {
  return registryRequire.resolve(`@upstat/${id}/openapi.json`);
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, Json>;

export function loadEffectiveSpec(id: ProviderId): JsonObject {
  return JSON.parse(readFileSync(effectiveSpecPath(id), 'utf8')) as JsonObject;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follows a local `$ref` (`#/components/...`) until the value is not a reference. */
export function deref(spec: JsonObject, value: Json | undefined): Json | undefined {
  let current = value;
  while (isObject(current) && typeof current.$ref === 'string') {
    const pointer = current.$ref.replace(/^#\//, '').split('/');
    current = pointer.reduce<Json | undefined>(
      (node, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
      spec,
    );
  }
  return current;
}

export function asObject(value: Json | undefined, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`expected an object at ${what}`);
  return value;
}

/** The single GET operation of a provider spec (each spec describes exactly one status operation). */
export function statusOperation(spec: JsonObject): { path: string; operation: JsonObject } {
  const paths = Object.entries(asObject(spec.paths, 'paths'));
  if (paths.length !== 1) throw new Error(`expected one path, found ${paths.length}`);
  const [path, item] = paths[0] as [string, Json];
  return { path, operation: asObject(asObject(item, path).get, `${path}.get`) };
}

/** The first example of a media type object (`example`, or the first of `examples`). */
export function firstExample(spec: JsonObject, media: JsonObject | undefined): Json | undefined {
  if (media === undefined) return undefined;
  if ('example' in media) return media.example;
  const examples = isObject(media.examples) ? Object.values(media.examples) : [];
  const first = examples[0];
  return first === undefined ? undefined : asObject(deref(spec, first), 'example').value;
}

/**
 * Every provider upstat's tests run against, without naming any of them here: the provider packages among this
 * package's devDependencies, which the generator keeps equal to every provider there is
 * (`"upstat": { "everyProvider": "devDependencies" }`, see scripts/providers.mjs). A provider package says it is
 * one in its package.json (`"upstat": { "provider": "<id>" }`) and exports `provider`: its definition, facade
 * plug-in and client factory. Tests that exercise one provider with its own bodies import its package instead.
 */
import { readFileSync } from 'node:fs';
import type { CredentialDefinition, ProviderDefinition, ProviderPlugin, RefOf } from '@upstat/core';
import { credentialOptions, fetchesToken, sharedTokenUrl } from '@upstat/test-support';

interface Manifest {
  name?: string;
  devDependencies?: Record<string, string>;
  upstat?: { provider?: string };
}

function manifestAt(url: URL): Manifest {
  return JSON.parse(readFileSync(url, 'utf8')) as Manifest;
}

/** A provider as the tests use it: any provider, its bodies unknown. */
export interface TestProvider {
  /** Its package, `@upstat/<id>`. */
  readonly packageName: string;
  readonly definition: ProviderDefinition;
  /** The facade plug-in factory the package exports under the provider's id, e.g. `pandadoc({ apiKey })`. */
  readonly plugin: (options: Record<string, unknown>) => ProviderPlugin<ProviderDefinition>;
}

async function load(packageName: string): Promise<TestProvider | undefined> {
  // Read from node_modules (not through `exports`, which need not list package.json).
  const manifest = manifestAt(new URL(`../node_modules/${packageName}/package.json`, import.meta.url));
  const id = manifest.upstat?.provider;
  if (id === undefined) return undefined;
  const module: unknown = await import(packageName);
  const provider = (module as { provider?: Partial<TestProvider> } | null)?.provider;
  if (provider?.definition?.id !== id || typeof provider.plugin !== 'function' || packageName !== `@upstat/${id}`) {
    throw new Error(`${packageName} says it is provider ${id} but does not export \`provider\` with that definition and a plug-in.`);
  }
  return { packageName, definition: provider.definition, plugin: provider.plugin };
}

const own = manifestAt(new URL('../package.json', import.meta.url));
const loaded = await Promise.all(Object.keys(own.devDependencies ?? {}).map(load));

/** Every provider, sorted by id (the registry's order). */
export const PROVIDERS: readonly TestProvider[] = loaded
  .filter((provider): provider is TestProvider => provider !== undefined)
  .sort((a, b) => (a.definition.id < b.definition.id ? -1 : a.definition.id > b.definition.id ? 1 : 0));

/** Every provider's definition, in the order of `PROVIDERS`. */
export const DEFINITIONS: readonly ProviderDefinition[] = PROVIDERS.map((provider) => provider.definition);

/** The provider with this id (throws for one there is not). */
export function providerOf(id: string): TestProvider {
  const found = PROVIDERS.find((provider) => provider.definition.id === id);
  if (found === undefined) throw new Error(`no provider package for ${JSON.stringify(id)} among upstat's devDependencies`);
  return found;
}

/** The first credential a provider documents: the one the tests pass. */
export function firstCredential(definition: ProviderDefinition): CredentialDefinition {
  return definition.credentials[0];
}

/** Where clients that fetch OAuth2 tokens get them: a loopback token endpoint, whatever server a test points them at. */
const TOKEN_URL = await sharedTokenUrl();

/**
 * Facade plug-ins for every provider, each given its first credential's options filled from `credential` (its first
 * part is `credential` itself: see `credentialOptions`) and the other client options as they are.
 */
export function everyPlugin(credential: string, options: Record<string, unknown> = {}): ProviderPlugin<ProviderDefinition>[] {
  return PROVIDERS.map(({ definition, plugin }) =>
    plugin({ ...options, ...credentialOptions(definition, credential), ...(fetchesToken(firstCredential(definition)) ? { tokenUrl: TOKEN_URL } : {}) }),
  );
}

/** A definition's example ref as an object: `{ provider: '<id>', …example }`. */
export function exampleRef(definition: ProviderDefinition): RefOf<ProviderDefinition> {
  return { provider: definition.id, ...definition.example };
}

/** A definition's string form written out from its fields: `<id>:<field>/<field>…`. */
export function refFormatOf(definition: ProviderDefinition): string {
  return `${definition.id}:${Object.keys(definition.ref)
    .map((field) => `<${field}>`)
    .join('/')}`;
}

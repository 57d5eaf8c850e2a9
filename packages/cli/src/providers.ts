import { PROVIDERS } from '@upstat/providers';
import { createRefCodec, type AnyDefinition, type ProviderPlugin } from 'upstat';

/**
 * Everything the CLI knows about providers comes from the registry `@upstat/providers`: a provider added there
 * is in the CLI's refs, help, environment variables and mocks without a change here.
 */
export interface CliProvider {
  readonly definition: AnyDefinition;
  /** The provider's facade plug-in factory, e.g. `pandadoc({ apiKey, baseUrl })`. */
  readonly plugin: (options: Record<string, unknown>) => ProviderPlugin;
  /** For a provider from a config file: its spec, which `upstat mock` serves (a registry provider's ships in its package). */
  readonly specPath?: string | undefined;
}

/** The registry's providers, in its order (by id). */
const REGISTRY: readonly CliProvider[] = PROVIDERS.map((entry) => ({
  definition: entry.definition,
  // The registry's plug-ins each take their own provider's options; the CLI builds them from the definition.
  plugin: entry.plugin as unknown as CliProvider['plugin'],
}));

/** Every provider: the registry's, then those of a config file (`useProviders`). */
export let CLI_PROVIDERS: readonly CliProvider[] = REGISTRY;

/** Refs of every provider: parses and formats `<id>:<field>/<field>…`. */
export let REFS = createRefCodec(CLI_PROVIDERS.map((entry) => entry.definition));

/** Adds providers from outside the registry (a config file's); an id the registry or another entry has is refused. */
export function useProviders(extra: readonly CliProvider[]): void {
  const seen = new Set(REGISTRY.map((entry) => entry.definition.id));
  for (const { definition } of extra) {
    if (seen.has(definition.id)) throw new Error(`provider id ${JSON.stringify(definition.id)} is taken: ${[...seen].join(', ')} are`);
    seen.add(definition.id);
  }
  CLI_PROVIDERS = [...REGISTRY, ...extra];
  REFS = createRefCodec(CLI_PROVIDERS.map((entry) => entry.definition));
}

export function providerById(id: string): CliProvider | undefined {
  return CLI_PROVIDERS.find((entry) => entry.definition.id === id);
}

/** The names of the providers for people, e.g. `A, B and C`. */
export function providerNames(): string {
  const names = CLI_PROVIDERS.map((entry) => entry.definition.name);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/** A ref that exists in the provider's spec examples (what the mocks answer for), in string form. */
export function exampleRef(definition: AnyDefinition): string {
  return REFS.format({ ...definition.example, provider: definition.id });
}

/** The string form of any provider's ref, e.g. a status's ref. */
export function formatRef(ref: { readonly provider: string }): string {
  return REFS.format(ref);
}

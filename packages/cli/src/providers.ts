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
}

/** Every provider, in the registry's order (by id). */
export const CLI_PROVIDERS: readonly CliProvider[] = PROVIDERS.map((entry) => ({
  definition: entry.definition,
  // The registry's plug-ins each take their own provider's options; the CLI builds them from the definition.
  plugin: entry.plugin as unknown as CliProvider['plugin'],
}));

/** Refs of every provider: parses and formats `<id>:<field>/<field>…`. */
export const REFS = createRefCodec(CLI_PROVIDERS.map((entry) => entry.definition));

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

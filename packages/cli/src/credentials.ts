import type { UpstatConfig } from 'upstat';
import { providerById, type CliProvider } from './providers.js';

/** `apiKey` → `API_KEY`, `accessToken` → `ACCESS_TOKEN`, `document360` → `DOCUMENT360`. */
function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** The environment variables `upstat` reads for one provider (documented in --help and the README). */
export interface ProviderEnvironment {
  /** One per credential option, in the definition's order: the first is the primary, later ones alternatives. */
  credentials: { option: string; variable: string }[];
  baseUrl: string;
}

/** `UPSTAT_<ID>_<OPTION>` for each credential option of the definition, and `UPSTAT_<ID>_BASE_URL`. */
export function environmentOf(provider: CliProvider): ProviderEnvironment {
  const prefix = `UPSTAT_${upperSnake(provider.definition.id)}_`;
  return {
    credentials: provider.definition.credentials.map(({ option }) => ({ option, variable: `${prefix}${upperSnake(option)}` })),
    baseUrl: `${prefix}BASE_URL`,
  };
}

export class MissingCredential extends Error {}

/**
 * The facade configuration for one provider: the credential from `--api-key` (the definition's first credential
 * option) or the environment (the first of its variables that is set), the base URL from `--base-url` or the
 * environment (the vendor's server otherwise).
 */
export function providerConfig(
  id: string,
  flags: { apiKey?: string | undefined; baseUrl?: string | undefined },
  env: NodeJS.ProcessEnv,
): UpstatConfig {
  const provider = providerById(id);
  if (provider === undefined) throw new MissingCredential(`unknown provider ${JSON.stringify(id)}`);
  const names = environmentOf(provider);
  // An empty variable counts as unset.
  const fromEnv = (name: string) => (env[name] === '' ? undefined : env[name]);
  const baseUrl = flags.baseUrl ?? fromEnv(names.baseUrl);
  // --api-key fills the first credential option; otherwise the first variable that is set, in the definition's order.
  const [primary] = provider.definition.credentials;
  const chosen = flags.apiKey
    ? { option: primary.option, value: flags.apiKey }
    : names.credentials.map(({ option, variable }) => ({ option, value: fromEnv(variable) })).find(({ value }) => value);
  if (chosen?.value === undefined) {
    const variables = names.credentials.map(({ variable }) => variable).join(' or ');
    throw new MissingCredential(`no credential for ${id}: set ${variables}, or pass --api-key.`);
  }
  return { providers: [provider.plugin({ [chosen.option]: chosen.value, baseUrl })] };
}

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

export class MissingCredential extends Error {
  override readonly name = 'MissingCredential';
}

/**
 * What is wrong with a credential's form, naming where it came from (a flag or a variable) and never quoting it:
 * the same rule as the library's (visible ASCII only: anything else cannot travel in an HTTP header).
 */
function credentialProblem(value: string, source: string): string | undefined {
  if (/^[\x21-\x7e]+$/.test(value)) return undefined;
  return (
    `${source} contains whitespace or characters that cannot be sent in a header. ` +
    'Give the bare key or token, without a scheme prefix such as "Bearer " and without a trailing newline.'
  );
}

/** What is wrong with a base URL, naming where it came from; the URL is quoted only when it holds no user info. */
export function baseUrlProblem(value: string, source: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${source}: ${JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value)} is not an absolute URL (e.g. https://api.example.com).`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${source} must use http or https, got ${JSON.stringify(url.protocol.slice(0, 40))}.`;
  if (url.username !== '' || url.password !== '') return `${source} must not contain user info; give the credential with --api-key or its variable.`;
  if (url.search !== '' || url.hash !== '') return `${source} must not contain a query or a fragment.`;
  return undefined;
}

/**
 * The facade plug-in for one provider: the credential from `--api-key` (the definition's first credential
 * option) or the environment (the first of its variables that is set), the base URL from `--base-url` or the
 * environment (the vendor's server otherwise). Each is checked here, so a problem names the flag or variable.
 */
export function providerPlugin(
  id: string,
  flags: { apiKey?: string | undefined; baseUrl?: string | undefined },
  env: NodeJS.ProcessEnv,
): UpstatConfig['providers'][number] {
  const provider = providerById(id);
  if (provider === undefined) throw new MissingCredential(`unknown provider ${JSON.stringify(id)}`);
  const names = environmentOf(provider);
  // An empty variable counts as unset.
  const fromEnv = (name: string) => (env[name] === '' ? undefined : env[name]);
  const baseUrl = flags.baseUrl ?? fromEnv(names.baseUrl);
  if (baseUrl !== undefined) {
    const problem = baseUrlProblem(baseUrl, flags.baseUrl === undefined ? names.baseUrl : '--base-url');
    if (problem !== undefined) throw new MissingCredential(problem);
  }
  // --api-key fills the first credential option; otherwise the first variable that is set, in the definition's order.
  const [primary] = provider.definition.credentials;
  const chosen = flags.apiKey
    ? { option: primary.option, value: flags.apiKey, source: '--api-key' }
    : names.credentials.map(({ option, variable }) => ({ option, value: fromEnv(variable), source: variable })).find(({ value }) => value);
  if (chosen?.value === undefined) {
    const variables = names.credentials.map(({ variable }) => variable).join(' or ');
    throw new MissingCredential(`no credential for ${id}: set ${variables}, or pass --api-key.`);
  }
  const problem = credentialProblem(chosen.value, chosen.source);
  if (problem !== undefined) throw new MissingCredential(problem);
  return provider.plugin({ [chosen.option]: chosen.value, baseUrl });
}

/** The facade configuration for one provider (see `providerPlugin`). */
export function providerConfig(
  id: string,
  flags: { apiKey?: string | undefined; baseUrl?: string | undefined },
  env: NodeJS.ProcessEnv,
): UpstatConfig {
  return { providers: [providerPlugin(id, flags, env)] };
}

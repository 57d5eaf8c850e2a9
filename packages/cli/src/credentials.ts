import { clientCredentialsOf } from '@upstat/core';
import type { UpstatConfig } from 'upstat';
import { providerById, type CliProvider } from './providers.js';

/** `apiKey` → `API_KEY`, `accessToken` → `ACCESS_TOKEN`, `document360` → `DOCUMENT360`. */
function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** One credential's variables: one per client option (two for Basic and OAuth2 client credentials). */
export type CredentialVariables = { option: string; variable: string }[];

/** The environment variables `upstat` reads for one provider (documented in --help and the README). */
export interface ProviderEnvironment {
  /** One group per credential, in the definition's order: the first is the primary, later ones alternatives. */
  credentials: CredentialVariables[];
  baseUrl: string;
  /** For a provider that fetches OAuth2 client-credentials tokens: the variable that replaces the spec's token URL. */
  tokenUrl: string | undefined;
}

/** `UPSTAT_<ID>_<OPTION>` for each option of each credential, `UPSTAT_<ID>_BASE_URL`, and `UPSTAT_<ID>_TOKEN_URL` where it applies. */
export function environmentOf(provider: CliProvider): ProviderEnvironment {
  const prefix = `UPSTAT_${upperSnake(provider.definition.id)}_`;
  const fetchesTokens = clientCredentialsOf(provider.definition.credentials) !== undefined;
  return {
    credentials: provider.definition.credentials.map(({ options }) => options.map((option) => ({ option, variable: `${prefix}${upperSnake(option)}` }))),
    baseUrl: `${prefix}BASE_URL`,
    tokenUrl: fetchesTokens ? `${prefix}TOKEN_URL` : undefined,
  };
}

/** A credential's variables for messages: `A`, or `A and B` for one of two parts. */
export const variableList = (group: CredentialVariables): string => group.map(({ variable }) => variable).join(' and ');

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

/** The values of a credential from `--api-key`: the key, or `<first>:<second>` for a credential of two parts (as `curl -u`). */
function fromFlag(group: CredentialVariables, flag: string): { option: string; value: string; source: string }[] {
  const colon = flag.indexOf(':');
  if (group.length > 1 && colon === -1) {
    throw new MissingCredential(
      `--api-key takes ${group.map(({ option }) => option).join(':')} for this provider (two parts, joined by a colon), or set ${variableList(group)}.`,
    );
  }
  const values = group.length === 1 ? [flag] : [flag.slice(0, colon), flag.slice(colon + 1)];
  const sources = group.length === 1 ? ['--api-key'] : ['--api-key (before the colon)', '--api-key (after the colon)'];
  return group.map(({ option }, index) => ({ option, value: values[index] ?? '', source: sources[index] ?? '--api-key' }));
}

/**
 * The facade plug-in for one provider: the credential from `--api-key` (the definition's first credential) or the
 * environment (the first credential whose variables are all set), the base URL from `--base-url` or the environment
 * (the vendor's server otherwise), and the token URL from the environment. Each is checked here, so a problem names
 * the flag or variable.
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
  const urls: Record<string, string | undefined> = {};
  for (const [option, flag, variable] of [
    ['baseUrl', flags.baseUrl, names.baseUrl],
    ['tokenUrl', undefined, names.tokenUrl],
  ] as const) {
    const value = flag ?? (variable === undefined ? undefined : fromEnv(variable));
    if (value === undefined) continue;
    const problem = baseUrlProblem(value, flag === undefined ? (variable ?? '') : '--base-url');
    if (problem !== undefined) throw new MissingCredential(problem);
    urls[option] = value;
  }
  const [primary] = names.credentials;
  let chosen: { option: string; value: string | undefined; source: string }[] | undefined;
  if (flags.apiKey) chosen = fromFlag(primary ?? [], flags.apiKey);
  else {
    const groups = names.credentials.map((group) => group.map(({ option, variable }) => ({ option, value: fromEnv(variable), source: variable })));
    chosen = groups.find((group) => group.every(({ value }) => value !== undefined));
    const partial = groups.find((group) => group.some(({ value }) => value !== undefined));
    if (chosen === undefined && partial !== undefined) {
      const missing = partial.filter(({ value }) => value === undefined).map(({ source }) => source);
      throw new MissingCredential(`incomplete credential for ${id}: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set.`);
    }
  }
  if (chosen === undefined) {
    // "A or B"; with a credential of two parts, "A and B, or C".
    const variables = names.credentials.map(variableList).join(names.credentials.some((group) => group.length > 1) ? ', or ' : ' or ');
    throw new MissingCredential(`no credential for ${id}: set ${variables}, or pass --api-key.`);
  }
  const options: Record<string, string | undefined> = { ...urls };
  for (const { option, value = '', source } of chosen) {
    const problem = credentialProblem(value, source);
    if (problem !== undefined) throw new MissingCredential(problem);
    options[option] = value;
  }
  return provider.plugin(options);
}

/** The facade configuration for one provider (see `providerPlugin`). */
export function providerConfig(
  id: string,
  flags: { apiKey?: string | undefined; baseUrl?: string | undefined },
  env: NodeJS.ProcessEnv,
): UpstatConfig {
  return { providers: [providerPlugin(id, flags, env)] };
}

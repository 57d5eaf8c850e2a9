import type { ProviderId, UpstatConfig } from 'upstat';

/** The environment variables `upstat` reads, per provider (documented in --help and the README). */
export const ENVIRONMENT: Record<ProviderId, { credential: string; alternative?: string; baseUrl: string; option: string }> = {
  pandadoc: { credential: 'UPSTAT_PANDADOC_API_KEY', alternative: 'UPSTAT_PANDADOC_ACCESS_TOKEN', baseUrl: 'UPSTAT_PANDADOC_BASE_URL', option: 'apiKey' },
  document360: { credential: 'UPSTAT_DOCUMENT360_TOKEN', baseUrl: 'UPSTAT_DOCUMENT360_BASE_URL', option: 'token' },
  sendai: { credential: 'UPSTAT_SENDAI_API_KEY', baseUrl: 'UPSTAT_SENDAI_BASE_URL', option: 'apiKey' },
  nullspace: { credential: 'UPSTAT_NULLSPACE_API_KEY', baseUrl: 'UPSTAT_NULLSPACE_BASE_URL', option: 'apiKey' },
};

export class MissingCredential extends Error {}

/**
 * The facade configuration for one provider: the credential from `--api-key` or the environment,
 * the base URL from `--base-url` or the environment (the vendor's server otherwise).
 */
export function providerConfig(
  provider: ProviderId,
  flags: { apiKey?: string | undefined; baseUrl?: string | undefined },
  env: NodeJS.ProcessEnv,
): UpstatConfig {
  const names = ENVIRONMENT[provider];
  // An empty variable counts as unset.
  const fromEnv = (name: string | undefined) => (name === undefined || env[name] === '' ? undefined : env[name]);
  const baseUrl = flags.baseUrl ?? fromEnv(names.baseUrl);
  const common = baseUrl === undefined ? {} : { baseUrl };
  if (flags.apiKey) {
    return { [provider]: { ...common, [names.option]: flags.apiKey } };
  }
  const credential = fromEnv(names.credential);
  if (credential) return { [provider]: { ...common, [names.option]: credential } };
  const alternative = fromEnv(names.alternative);
  if (provider === 'pandadoc' && alternative) return { pandadoc: { ...common, accessToken: alternative } };
  const variables = [names.credential, ...(names.alternative ? [names.alternative] : [])].join(' or ');
  throw new MissingCredential(`no credential for ${provider}: set ${variables}, or pass --api-key.`);
}

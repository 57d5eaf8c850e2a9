/**
 * The providers the tests run the CLI against, from the registry: a provider added there is tested here
 * without a change. The environment variable names follow the documented rule, written out independently of
 * the CLI's own code: `UPSTAT_<ID>_<OPTION in UPPER_SNAKE_CASE>` per credential option, `UPSTAT_<ID>_BASE_URL`, and
 * `UPSTAT_<ID>_TOKEN_URL` for a provider that fetches OAuth2 client-credentials tokens.
 */
import type { CredentialDefinition } from '@upstat/core';
import { PROVIDERS, type ProviderId } from '@upstat/providers';
import { createRefCodec } from 'upstat';

export type { ProviderId };

const upperSnake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

const codec = createRefCodec(PROVIDERS.map((entry) => entry.definition));

export interface TestProvider {
  id: ProviderId;
  name: string;
  /** The credentials' variables, one group per credential (one variable per option), the first (`--api-key`'s) first. */
  credentials: [string[], ...string[][]];
  /** The first credential, as the definition declares it. */
  credential: CredentialDefinition;
  baseUrl: string;
  /** `UPSTAT_<ID>_TOKEN_URL`, for a provider that fetches OAuth2 tokens. */
  tokenUrl: string | undefined;
  /** The string form of refs, e.g. `sendai:<teamId>/<projectId>/<uploadId>`. */
  format: string;
  /** The definition's example ref (what the mocks answer for), in string form. */
  example: string;
}

export const TEST_PROVIDERS: TestProvider[] = PROVIDERS.map(({ definition }) => {
  const prefix = `UPSTAT_${definition.id.toUpperCase()}_`;
  const [first, ...rest] = definition.credentials.map((credential) => credential.options.map((option) => `${prefix}${upperSnake(option)}`));
  const fetchesTokens = definition.credentials.some(({ scheme }) => scheme.type === 'oauth2' && scheme.flow === 'clientCredentials');
  return {
    id: definition.id,
    name: definition.name,
    credentials: [first ?? [], ...rest],
    credential: definition.credentials[0],
    baseUrl: `${prefix}BASE_URL`,
    tokenUrl: fetchesTokens ? `${prefix}TOKEN_URL` : undefined,
    format: codec.formats[definition.id] ?? '',
    example: codec.format({ ...definition.example, provider: definition.id } as Parameters<typeof codec.format>[0]),
  };
});

export function testProvider(id: ProviderId): TestProvider {
  const found = TEST_PROVIDERS.find((provider) => provider.id === id);
  if (found === undefined) throw new Error(`no provider ${id} in the registry`);
  return found;
}

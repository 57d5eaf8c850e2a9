import {
  pathParameters,
  summarizeErrorBody,
  type AnyDefinition,
  type CallOptions,
  type CredentialDefinition,
  type CredentialSource,
  type FetchLike,
  type RetrySetting,
} from '@upstat/core';
import { credentialValues } from '@upstat/test-support';
import { PROVIDERS as REGISTRY } from '@upstat/providers';
import type { Json, ProviderId } from './specs.js';

export interface ClientSetup {
  baseUrl: string;
  fetch: FetchLike;
  /**
   * Fills every option of the provider's first credential: a string through `credentialValues` (the first part is the
   * string itself, so a text without it holds no part), anything else as it is (missing, or a function).
   */
  credential: CredentialSource | undefined;
  /** Where a client-credentials client fetches its token (the mock's token endpoint). */
  tokenUrl?: string | undefined;
  retry?: RetrySetting;
}

/** Calls the provider's typed status method with loosely typed arguments, for table-driven tests. */
export type StatusCall = (pathParameters: Record<string, unknown>, options?: CallOptions) => Promise<unknown>;

export interface ProviderCase {
  id: ProviderId;
  definition: AnyDefinition;
  /** The definition's first credential: the one the cases pass. */
  credential: CredentialDefinition;
  /** Builds the client and returns its typed status method. */
  create(setup: ClientSetup): StatusCall;
  /** Path parameter values for specs that give no example for them: the definition's example ref. */
  fallbackPathParameters: Record<string, string>;
  /** The request/trace id the provider's error-body reader finds in a body, if any. */
  requestIdInErrorBody(body: Json | undefined): string | undefined;
}

type RegistryEntry = (typeof REGISTRY)[number];

/** The contract case of a registry entry: everything comes from its definition and its client factory. */
function caseOf(provider: RegistryEntry): ProviderCase {
  const definition: AnyDefinition = provider.definition;
  const [credential] = definition.credentials;
  // Loosely typed on purpose: the tests hand the clients credentials of any shape (including none), which is
  // exactly what the "missing credential" tests need. The typed API is type-checked through each provider package's
  // README example (generated from its definition; tests/docs extracts and type-checks it). Everything in a provider
  // package is generated from its definition; these contract tests run each one's typed method against its mock.
  const createClient: (options: never) => object = provider.createClient;
  return {
    id: provider.definition.id,
    definition,
    credential,
    create: ({ credential: value, ...rest }) => {
      const values = typeof value === 'string' && value !== '' ? credentialValues(credential, value) : credential.options.map(() => value);
      const options = Object.fromEntries(credential.options.map((option, index) => [option, values[index]]));
      const client = createClient({ ...rest, ...options } as never) as Record<string, unknown>;
      const method = client[definition.operation.method];
      if (typeof method !== 'function') throw new Error(`${definition.id}: the client has no method ${definition.operation.method}`);
      return method as StatusCall;
    },
    fallbackPathParameters: pathParameters(definition, definition.example),
    requestIdInErrorBody: (body) => (definition.readErrorBody?.(body) ?? summarizeErrorBody(body)).requestId,
  };
}

/** Every provider of the registry, as a contract case: a provider added there is tested with no edit here. */
export const PROVIDERS: ProviderCase[] = REGISTRY.map(caseOf);

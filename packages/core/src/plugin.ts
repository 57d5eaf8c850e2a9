/**
 * A provider from outside upstat's repository: its definition (`defineProvider`) and its spec are all it takes. The
 * generated provider packages write the same client out with typed methods; these helpers make it from the
 * definition alone, for a downstream repository's own provider (README, "A provider of your own").
 */
import { createApiClient, type ApiClient, type BaseClientOptions, type CallOptions } from './client.js';
import { pathParameters, wiringFor, type AnyDefinition, type BodyOf, type ProviderPlugin, type RefOf } from './provider.js';
import type { PackageInfo } from './user-agent.js';

/** The client options of a definition: the shared ones and its credentials' options (a `CredentialSource` each, checked when the client is made). */
export type DefinitionClientOptions = BaseClientOptions & Record<string, unknown>;

/** What a definition does not say: the server to use without a `baseUrl` (the spec's first), and the package for the User-Agent. */
export interface DefinitionDefaults {
  baseUrl?: string | undefined;
  package?: PackageInfo | undefined;
}

export interface DefinitionClient<D extends AnyDefinition> {
  readonly baseUrl: string;
  /** The underlying openapi-fetch client (untyped paths). */
  readonly raw: ApiClient<object>['raw'];
  /** The status operation for a ref: the typed body, or an `UpstatError`. */
  status(ref: RefOf<D>, call?: CallOptions): Promise<BodyOf<D>>;
}

/** A client of a definition's status operation, authenticated as its credentials say. */
export function createDefinitionClient<D extends AnyDefinition>(definition: D, options: DefinitionClientOptions, defaults: DefinitionDefaults = {}): DefinitionClient<D> {
  const client = createApiClient<object>(options, wiringFor(definition, options, defaults.baseUrl, defaults.package));
  const get = (client.get as unknown as (path: string) => (parameters: unknown, call?: CallOptions) => Promise<unknown>)(definition.operation.path);
  return {
    baseUrl: client.baseUrl,
    raw: client.raw,
    status: (ref, call) => get(pathParameters(definition, ref), call) as Promise<BodyOf<D>>,
  };
}

/** A definition as a plug-in of the facade: `createUpstat({ providers: [pluginFor(definition, { apiKey, baseUrl })] })`. */
export function pluginFor<D extends AnyDefinition>(definition: D, options: DefinitionClientOptions, defaults: DefinitionDefaults = {}): ProviderPlugin<D> {
  return {
    definition,
    connect(shared) {
      const client = createDefinitionClient(definition, { ...shared, ...options }, defaults);
      return (ref, call) => client.status(ref, call);
    },
  };
}

/**
 * How a request carries its credential, as data: the security schemes of OpenAPI (`components.securitySchemes`)
 * that upstat can apply, each with the client options that hold its parts. A provider's definition lists the
 * schemes its spec declares (`credentials`); this module turns the options a caller passed into the headers and
 * query parameters of each request, and into every form of the credential the redaction boundary must know.
 */
import { ConfigurationError, MissingCredentialError } from './errors.js';
import type { ProviderInfo } from './provider.js';

/**
 * A credential part: the key, token, user, password, client id or secret itself, or a function that returns it
 * (called before every request, so a token can be rotated or read from a secret store).
 */
export type CredentialSource = string | (() => string | undefined | Promise<string | undefined>);

/** `type: http`, `scheme: bearer`: `Authorization: Bearer <token>`. */
export interface BearerScheme {
  readonly type: 'http';
  readonly scheme: 'bearer';
}
/** `type: http`, `scheme: basic` (RFC 7617): `Authorization: Basic base64(<user>:<password>)`. */
export interface BasicScheme {
  readonly type: 'http';
  readonly scheme: 'basic';
}
/** `type: apiKey`: the key in a header of any name, after an optional word (PandaDoc's `API-Key`), or in the query. */
export interface ApiKeyScheme {
  readonly type: 'apiKey';
  readonly in: 'header' | 'query';
  /** The header's or query parameter's name, e.g. `X-Api-Key`. */
  readonly name: string;
  /** A word sent before the key, separated by a space (headers only): `API-Key` gives `API-Key <key>`. */
  readonly prefix?: string | undefined;
}
/** `type: oauth2` with an access token the caller obtained (any flow): `Authorization: Bearer <token>`. */
export interface AccessTokenScheme {
  readonly type: 'oauth2';
  readonly flow: 'accessToken';
}
/**
 * `type: oauth2`, flow `clientCredentials` (RFC 6749 §4.4): upstat fetches the token from `tokenUrl` with the client
 * id and secret, shares it between concurrent calls, keeps it until it expires and fetches a new one once on a 401.
 */
export interface ClientCredentialsScheme {
  readonly type: 'oauth2';
  readonly flow: 'clientCredentials';
  /** The flow's `tokenUrl`; a relative one is resolved against the client's base URL. */
  readonly tokenUrl: string;
  /** Scopes to ask for (sent space-separated as `scope`); none by default. */
  readonly scopes?: readonly string[] | undefined;
  /**
   * How the client authenticates at the token endpoint: `basic` (the default, which RFC 6749 §2.3.1 requires every
   * server to accept) or `body` (`client_id` and `client_secret` as form fields).
   */
  readonly clientAuthentication?: 'basic' | 'body' | undefined;
}

export type AuthScheme = BearerScheme | BasicScheme | ApiKeyScheme | AccessTokenScheme | ClientCredentialsScheme;

interface CredentialCommon {
  /** The scheme's name in the spec's `components.securitySchemes` (checked against the spec by `generate`). */
  readonly securityScheme: string;
  /** What it is, for documentation: e.g. `API key with the upload.read scope`. */
  readonly description: string;
}

/**
 * One way to authenticate: a scheme, and the client options that hold its parts (the CLI reads each from
 * `UPSTAT_<ID>_<OPTION>`): one for a token or key, two for Basic (user, password) and for OAuth2 client credentials
 * (client id, client secret). The type says how many each scheme takes; `generate` checks definitions it loads.
 */
export type CredentialDefinition = CredentialCommon &
  (
    | { readonly scheme: BearerScheme | ApiKeyScheme | AccessTokenScheme; readonly options: readonly [string] }
    | { readonly scheme: BasicScheme | ClientCredentialsScheme; readonly options: readonly [string, string] }
  );

type SchemeKind = 'bearer' | 'basic' | 'apiKey' | 'accessToken' | 'clientCredentials';

function kindOf(scheme: AuthScheme): SchemeKind {
  if (scheme.type === 'http') return scheme.scheme;
  if (scheme.type === 'apiKey') return 'apiKey';
  return scheme.flow;
}

/** Whether the client fetches the token itself (OAuth2 client credentials). */
export const isClientCredentials = (scheme: AuthScheme): scheme is ClientCredentialsScheme => kindOf(scheme) === 'clientCredentials';

/** The client-credentials scheme among a definition's credentials (where tokens come from), if it has one. */
export const clientCredentialsOf = (credentials: readonly CredentialDefinition[]): ClientCredentialsScheme | undefined =>
  credentials.map(({ scheme }) => scheme).find(isClientCredentials);

/** Where a credential travels, in words: `the Authorization header`, `the X-Api-Key header`, `the api_key query parameter`. */
export function carrierOf(scheme: AuthScheme): string {
  if (scheme.type === 'apiKey') return scheme.in === 'query' ? `the ${scheme.name} query parameter` : `the ${scheme.name} header`;
  return 'the Authorization header';
}

/** What `createApiClient` needs to authenticate: the chosen credential and the values given for its options. */
export interface AuthorizationConfig {
  credential: CredentialDefinition;
  /** One per option of `credential`, in its order. */
  values: readonly (CredentialSource | undefined)[];
  /** Named in "no credential" messages instead of the credential's options (every option that would do). */
  missingHint?: string | undefined;
}

/** What one request carries, and every form of the credential a server could echo back. */
export interface AppliedCredential {
  headers: Record<string, string>;
  query: Record<string, string> | undefined;
  secrets: string[];
}

/**
 * Checks a credential part's form without ever putting it into the message: a key with whitespace or control
 * characters would be rejected by `Headers` with an error that quotes the whole header value.
 */
export function checkCredential(provider: ProviderInfo, option: string, value: unknown, carrier = 'the Authorization header'): string {
  if (value === undefined || value === null || value === '') {
    throw new MissingCredentialError(
      `${provider.name}: no credential. Pass ${option.includes('`') ? option : `\`${option}\``} when creating the client (it is sent in ${carrier}).`,
      { provider: provider.id },
    );
  }
  if (typeof value !== 'string') {
    throw new ConfigurationError(`${provider.name}: \`${option}\` must be a string, got ${typeof value}.`, {
      provider: provider.id,
    });
  }
  // Visible ASCII only: anything else cannot travel in an HTTP header.
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new ConfigurationError(
      `${provider.name}: \`${option}\` contains whitespace or characters that cannot be sent in a header. ` +
        'Pass the bare key or token, without a scheme prefix such as "Bearer " and without a trailing newline.',
      { provider: provider.id },
    );
  }
  return value;
}

/** `base64(<user>:<password>)`, RFC 7617 (both parts are visible ASCII, checked before). */
export const basicToken = (user: string, password: string): string => btoa(`${user}:${password}`);

/**
 * Builds what a request carries from checked parts. `token` is the access token of a client-credentials scheme
 * (fetched by `TokenCache`); its client id and secret are secrets too.
 */
export function applyCredential(scheme: AuthScheme, parts: readonly string[], token?: string): AppliedCredential {
  const [first = '', second = ''] = parts;
  switch (kindOf(scheme)) {
    case 'basic': {
      const encoded = basicToken(first, second);
      return { headers: { Authorization: `Basic ${encoded}` }, query: undefined, secrets: [first, second, encoded] };
    }
    case 'clientCredentials':
      return { headers: { Authorization: `Bearer ${token ?? ''}` }, query: undefined, secrets: [first, second, basicToken(first, second), ...(token === undefined ? [] : [token])] };
    case 'apiKey': {
      const { in: where, name, prefix } = scheme as ApiKeyScheme;
      if (where === 'query') return { headers: {}, query: { [name]: first }, secrets: [first] };
      return { headers: { [name]: prefix === undefined || prefix === '' ? first : `${prefix} ${first}` }, query: undefined, secrets: [first] };
    }
    default:
      return { headers: { Authorization: `Bearer ${first}` }, query: undefined, secrets: [first] };
  }
}

/** Whether a credential has parts that are functions (called per request) or a token to fetch: then nothing is static. */
const isDynamic = (auth: AuthorizationConfig): boolean =>
  isClientCredentials(auth.credential.scheme) || auth.values.some((value) => typeof value === 'function');

/** Resolves and checks every part of a credential for one request (functions are called). */
export async function resolveParts(provider: ProviderInfo, auth: AuthorizationConfig): Promise<string[]> {
  const { credential } = auth;
  const carrier = carrierOf(credential.scheme);
  return Promise.all(
    credential.options.map(async (option, index) => {
      const source = auth.values[index];
      let raw: string | undefined;
      try {
        raw = typeof source === 'function' ? await source() : source;
      } catch (error) {
        // The function's own message stays in `cause`, out of the message: it may quote what it was reading.
        throw new MissingCredentialError(
          `${provider.name}: the function passed as \`${option}\` threw ${error instanceof Error ? `a ${error.name}` : 'a non-error value'} instead of returning a credential; see \`cause\`.`,
          { provider: provider.id, cause: error },
        );
      }
      return checkCredential(provider, missingName(auth, index), raw, carrier);
    }),
  );
}

/** The option named when part `index` is missing: with nothing given at all, every option that would do (in backticks). */
function missingName(auth: AuthorizationConfig, index: number): string {
  const option = auth.credential.options[index] ?? '';
  return auth.missingHint !== undefined && auth.values.every((value) => value === undefined) ? auth.missingHint : option;
}

/**
 * Checks what can be checked at construction time: every part that is a string (missing or malformed throws), and
 * for a credential that needs no call and no fetch, what each request carries, built once.
 */
export function staticCredential(provider: ProviderInfo, auth: AuthorizationConfig): AppliedCredential | undefined {
  const carrier = carrierOf(auth.credential.scheme);
  const parts = auth.credential.options.map((_, index) => {
    const value = auth.values[index];
    return typeof value === 'function' ? '' : checkCredential(provider, missingName(auth, index), value, carrier);
  });
  return isDynamic(auth) ? undefined : applyCredential(auth.credential.scheme, parts);
}

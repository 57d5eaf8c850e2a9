import { ConfigurationError, MissingCredentialError } from './errors.js';
import type { ProviderInfo } from './provider.js';

/**
 * A credential: the key or token itself, or a function that returns it (called before every request,
 * so a token can be refreshed or fetched from a secret store).
 */
export type CredentialSource = string | (() => string | undefined | Promise<string | undefined>);

/** How a provider expects the credential in the `Authorization` header. */
export interface AuthorizationConfig {
  /** The scheme word before the credential: `Bearer` or PandaDoc's `API-Key`. */
  scheme: 'Bearer' | 'API-Key';
  credential: CredentialSource | undefined;
  /** The client option that holds the credential, named in error messages (e.g. `apiKey`). */
  option: string;
}

/**
 * Checks a credential's form without ever putting it into the message: a key with whitespace or
 * control characters would be rejected by `Headers` with an error that quotes the whole header value.
 */
export function checkCredential(provider: ProviderInfo, option: string, value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new MissingCredentialError(
      `${provider.name}: no credential. Pass \`${option}\` when creating the client (it is sent as the Authorization header).`,
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

/** A credential with the `Authorization` header value that carries it. */
export interface ResolvedAuthorization {
  header: string;
  credential: string;
}

function resolved(auth: AuthorizationConfig, credential: string): ResolvedAuthorization {
  return { header: `${auth.scheme} ${credential}`, credential };
}

/**
 * Validates what can be validated at construction time: a static credential is checked (missing or malformed
 * throws) and its header built once. A credential function gives `undefined`: it is called per request.
 */
export function staticAuthorization(provider: ProviderInfo, auth: AuthorizationConfig): ResolvedAuthorization | undefined {
  if (typeof auth.credential === 'function') return undefined;
  return resolved(auth, checkCredential(provider, auth.option, auth.credential));
}

/** Resolves the credential for one request and returns the full `Authorization` header value. */
export async function authorizationHeader(provider: ProviderInfo, auth: AuthorizationConfig): Promise<ResolvedAuthorization> {
  let raw: string | undefined;
  try {
    raw = typeof auth.credential === 'function' ? await auth.credential() : auth.credential;
  } catch (error) {
    // The function's own message stays in `cause`, out of the message: it may quote what it was reading.
    throw new MissingCredentialError(
      `${provider.name}: the function passed as \`${auth.option}\` threw ${error instanceof Error ? `a ${error.name}` : 'a non-error value'} instead of returning a credential; see \`cause\`.`,
      { provider: provider.id, cause: error },
    );
  }
  return resolved(auth, checkCredential(provider, auth.option, raw));
}

import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { PathsWithMethod, SuccessResponseJSON } from 'openapi-typescript-helpers';
import { assertCredentialConfigured, authorizationHeader, type AuthorizationConfig } from './auth.js';
import { summarizeErrorBody } from './error-body.js';
import {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  redactSecrets,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
  UpstatError,
  capText,
  type UpstatErrorOptions,
} from './errors.js';
import { createPathSerializer } from './path-params.js';
import type { ProviderInfo } from './provider.js';
import { parseRetryAfter } from './retry-after.js';

/** The `fetch` a client uses: the global one by default, or any compatible function (tests, proxies). */
export type FetchLike = (input: Request) => Promise<Response>;

/** Options every provider client accepts besides its credential. */
export interface BaseClientOptions {
  /** Server root; defaults to the vendor's server from the spec. Must be an absolute http(s) URL. */
  baseUrl?: string | undefined;
  /** A `fetch` to send requests with (defaults to `globalThis.fetch`). */
  fetch?: FetchLike | undefined;
  /** Extra headers sent with every request. `Authorization` is always set by the client. */
  headers?: Record<string, string> | undefined;
}

/** Per-call options for a typed operation method. */
export interface CallOptions {
  /** Cancels the call; the promise rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this call only. */
  headers?: Record<string, string> | undefined;
}

/** What a provider package supplies: who it is, where its server is, how it authenticates. */
export interface ProviderWiring {
  provider: ProviderInfo;
  /** Used when the options give no `baseUrl` (the first server of the spec). */
  defaultBaseUrl: string;
  authorization: AuthorizationConfig;
}

/** The `path` parameters an operation takes, as the generated types declare them. */
export type PathParameters<Op> = Op extends { parameters: { path: infer Params } } ? Params : never;

/** The JSON body of an operation's success response, as the generated types declare it. */
export type SuccessBody<Op> = Op extends Record<string | number, unknown> ? SuccessResponseJSON<Op> : never;

/** A typed method for one GET operation: returns the success body or throws an `UpstatError`. */
export type GetOperation<Op> = (pathParameters: PathParameters<Op>, options?: CallOptions) => Promise<SuccessBody<Op>>;

export interface ApiClient<Paths extends object> {
  readonly provider: ProviderInfo;
  /** The base URL requests go to, without a trailing slash. */
  readonly baseUrl: string;
  /**
   * The underlying openapi-fetch client, for operations without a typed method. It sends the same
   * `Authorization` header and guards path parameters the same way, but keeps openapi-fetch's
   * `{ data, error, response }` results instead of throwing typed errors.
   */
  readonly raw: Client<Paths>;
  /** Builds the typed method for a GET operation. */
  get<Path extends PathsWithMethod<Paths, 'get'>>(path: Path): GetOperation<Paths[Path] extends { get: infer Op } ? Op : never>;
}

function normalizeBaseUrl(provider: ProviderInfo, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(`${provider.name}: baseUrl ${JSON.stringify(value)} is not an absolute URL.`, {
      provider: provider.id,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`${provider.name}: baseUrl must use http or https, got ${url.protocol}`, {
      provider: provider.id,
    });
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigurationError(
      `${provider.name}: baseUrl must not contain user info, a query or a fragment; pass credentials through the client options.`,
      { provider: provider.id },
    );
  }
  return url.href.replace(/\/+$/, '');
}

const STATUS_HINTS: Partial<Record<number, string>> = {
  400: 'The server rejected the request as malformed.',
  401: 'Check the credential given to the client: it is missing, wrong, expired or revoked.',
  403: 'The credential is valid but lacks the permission or scope for this resource.',
  404: 'Check the identifiers in the request.',
  409: 'The resource is in a state that conflicts with this request.',
};

function errorClassFor(status: number) {
  if (status === 400) return BadRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status >= 500) return ServerError;
  return ApiError;
}

interface CallContext {
  provider: ProviderInfo;
  operation: string;
  secrets: ReadonlySet<string>;
}

function errorOptions(context: CallContext, extra: Partial<UpstatErrorOptions> = {}): UpstatErrorOptions {
  return { provider: context.provider.id, operation: context.operation, ...extra };
}

/** Builds the typed error for an HTTP error response. `parsed` is the body as openapi-fetch read it. */
function errorFromResponse(context: CallContext, response: Response, parsed: unknown): ApiError {
  const body = redactSecrets(parsed === '' ? undefined : typeof parsed === 'string' ? capText(parsed) : parsed, context.secrets);
  const summary = summarizeErrorBody(body, response.headers);
  const statusLine = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const options = errorOptions(context, { status: response.status, requestId: summary.requestId, body });
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const wait = retryAfterMs === undefined ? 'The server gave no Retry-After.' : `The server asks to retry after ${Math.ceil(retryAfterMs / 1000)} s.`;
    return new RateLimitError(
      `${context.provider.name} ${context.operation} was rate limited (${statusLine})${summary.message ? `: ${summary.message}` : ''}. ${wait}`,
      { ...options, retryAfterMs },
    );
  }
  const hint =
    STATUS_HINTS[response.status] ?? (response.status >= 500 ? 'The provider failed; retrying later may help.' : undefined);
  const message = [
    `${context.provider.name} ${context.operation} failed with ${statusLine}${summary.message ? `: ${summary.message}` : '.'}`,
    hint,
    summary.requestId ? `(request id ${summary.requestId})` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const ErrorClass = errorClassFor(response.status);
  return new ErrorClass(message, options);
}

/** Maps whatever `fetch` (or a middleware) threw into the core hierarchy. */
function errorFromException(context: CallContext, error: unknown, signal: AbortSignal | undefined): UpstatError {
  if (error instanceof UpstatError) return error;
  const name = error instanceof Error ? error.name : undefined;
  if (name === 'TimeoutError') {
    return new TimeoutError(`${context.provider.name} ${context.operation} timed out.`, errorOptions(context, { cause: error }));
  }
  if (name === 'AbortError' || signal?.aborted === true) {
    return new AbortError(`${context.provider.name} ${context.operation} was aborted.`, errorOptions(context, { cause: error }));
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConnectionError(
    `${context.provider.name} ${context.operation}: the request failed before any response (${reason}).`,
    errorOptions(context, { cause: error }),
  );
}

/** The subset of an openapi-fetch client the generic call path needs, without the per-path generics. */
interface UntypedGet {
  GET(path: string, init: Record<string, unknown>): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/**
 * Creates the client a provider package wraps: openapi-fetch configured with the provider's base URL,
 * `Authorization` header and guarded path parameters, plus typed methods that throw typed errors.
 */
export function createApiClient<Paths extends object>(options: BaseClientOptions, wiring: ProviderWiring): ApiClient<Paths> {
  const { provider, authorization } = wiring;
  assertCredentialConfigured(provider, authorization);
  const baseUrl = normalizeBaseUrl(provider, options.baseUrl ?? wiring.defaultBaseUrl);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigurationError(`${provider.name}: fetch must be a function.`, { provider: provider.id });
  }

  // Credentials seen so far, so that a server echoing one back cannot put it into an error.
  const secrets = new Set<string>();
  const auth: Middleware = {
    async onRequest({ request }) {
      const { header, credential } = await authorizationHeader(provider, authorization);
      secrets.add(credential);
      request.headers.set('Authorization', header);
      return request;
    },
  };

  const fetchImpl: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request));
  const raw = createClient<Paths>({
    baseUrl,
    fetch: fetchImpl,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    pathSerializer: createPathSerializer(provider),
  });
  raw.use(auth);
  const untyped = raw as unknown as UntypedGet;

  async function callGet(path: string, pathParameters: unknown, options: CallOptions = {}): Promise<unknown> {
    const context: CallContext = { provider, operation: `GET ${path}`, secrets };
    let result: Awaited<ReturnType<UntypedGet['GET']>>;
    try {
      result = await untyped.GET(path, {
        params: { path: pathParameters },
        // Read the body as text and parse it here, so a non-JSON body becomes a typed error
        // instead of openapi-fetch's uncaught SyntaxError.
        parseAs: 'text',
        signal: options.signal,
        headers: options.headers,
      });
    } catch (error) {
      throw errorFromException(context, error, options.signal);
    }
    const { response } = result;
    if (!response.ok) throw errorFromResponse(context, response, result.error);
    const text = typeof result.data === 'string' ? result.data : '';
    if (text.trim() === '') {
      throw new UnexpectedResponseError(
        `${provider.name} ${context.operation} returned ${response.status} with an empty body; a JSON body was expected.`,
        errorOptions(context, { status: response.status, body: undefined }),
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const rawText = redactSecrets(text, secrets);
      throw new UnexpectedResponseError(
        `${provider.name} ${context.operation} returned ${response.status} with a body that is not valid JSON ` +
          `(content-type ${response.headers.get('content-type') ?? 'missing'}, ${text.length} characters).`,
        { ...errorOptions(context, { status: response.status, cause: error }), rawText },
      );
    }
  }

  return {
    provider,
    baseUrl,
    raw,
    get(path) {
      return ((pathParameters: unknown, options?: CallOptions) => callGet(String(path), pathParameters, options)) as never;
    },
  };
}

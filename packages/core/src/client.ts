import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { PathsWithMethod, SuccessResponseJSON } from 'openapi-typescript-helpers';
import { authorizationHeader, staticAuthorization, type AuthorizationConfig } from './auth.js';
import { backoffDelay } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
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
  type UpstatErrorOptions,
} from './errors.js';
import { createPathSerializer } from './path-params.js';
import type { ProviderInfo } from './provider.js';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, resolveRetry, type RetryOptions, type RetrySetting } from './retry.js';
import { requestedWait } from './retry-after.js';

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
  /** Retry policy for this client (see `DEFAULT_RETRY`); `false` sends every request once. */
  retry?: RetrySetting | undefined;
  /** Time limit for each attempt, response body included (default `DEFAULT_ATTEMPT_TIMEOUT_MS`, 10 s). */
  timeoutMs?: number | undefined;
  /** Clock for retry waits; only simulations and tests need to replace it. */
  clock?: Clock | undefined;
  /** Source of jitter, a function returning [0, 1); only tests need to replace it. */
  random?: (() => number) | undefined;
}

/** Per-call options for a typed operation method. */
export interface CallOptions {
  /** Cancels the call at any stage (request, body, retry wait); the promise rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this call only. */
  headers?: Record<string, string> | undefined;
  /** Overrides the client's retry policy for this call. */
  retry?: RetrySetting | undefined;
  /** Overrides the client's per-attempt time limit for this call. */
  timeoutMs?: number | undefined;
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
   * `{ data, error, response }` results and sends each request once (no retries, no timeout).
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

function checkPolicy(provider: ProviderInfo, retry: RetryOptions, timeoutMs: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) problems.push('retry.maxAttempts must be an integer ≥ 1');
  for (const key of ['minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!Number.isFinite(retry[key]) || retry[key] < 0) problems.push(`retry.${key} must be a number ≥ 0`);
  }
  if (retry.minDelayMs > retry.maxDelayMs) problems.push('retry.minDelayMs must not exceed retry.maxDelayMs');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) problems.push('timeoutMs must be a number > 0');
  if (problems.length > 0) {
    throw new ConfigurationError(`${provider.name}: ${problems.join('; ')}.`, { provider: provider.id });
  }
}

const STATUS_HINTS: Partial<Record<number, string>> = {
  400: 'The server rejected the request as malformed.',
  401: 'Check the credential given to the client: it is missing, wrong, expired or revoked.',
  403: 'The credential is valid but lacks the permission or scope for this resource.',
  404: 'Check the identifiers in the request.',
  409: 'The resource is in a state that conflicts with this request.',
};

function errorClassFor(status: number): typeof ApiError {
  if (status === 400) return BadRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return ServerError;
  return ApiError;
}

interface CallContext {
  provider: ProviderInfo;
  operation: string;
  secrets: ReadonlySet<string>;
  clock: Clock;
}

function errorOptions(context: CallContext, attempt: number, extra: Partial<UpstatErrorOptions> = {}): UpstatErrorOptions {
  return { provider: context.provider.id, operation: context.operation, attempts: attempt, ...extra };
}

function afterAttempts(attempt: number): string {
  return attempt > 1 ? ` after ${attempt} attempts` : '';
}

/** Builds the typed error for an HTTP error response. `parsed` is the body as openapi-fetch read it. */
function errorFromResponse(context: CallContext, response: Response, parsed: unknown, attempt: number): ApiError {
  // openapi-fetch hands over the JSON value when the body parsed, and the text when it did not.
  const notJson = typeof parsed === 'string' && parsed !== '';
  const rawText = notJson ? redactSecrets(parsed, context.secrets) : undefined;
  const body = notJson || parsed === '' ? undefined : redactSecrets(parsed, context.secrets);
  const summary = summarizeErrorBody(body, response.headers);
  const retryAfterMs = requestedWait(response, context.clock.now());
  const statusLine = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const hint =
    response.status === 429
      ? retryAfterMs === undefined
        ? 'The server gave no Retry-After.'
        : `The server asks to retry after ${Math.ceil(retryAfterMs / 1000)} s.`
      : (STATUS_HINTS[response.status] ??
        (response.status >= 500 ? 'The provider failed; retrying later may help.' : undefined));
  const what = response.status === 429 ? 'was rate limited' : 'failed with';
  const message = [
    `${context.provider.name} ${context.operation} ${what} ${statusLine}${afterAttempts(attempt)}${summary.message ? `: ${summary.message}` : '.'}`,
    rawText === undefined ? undefined : `The body was not JSON (content-type ${response.headers.get('content-type') ?? 'missing'}).`,
    hint,
    summary.requestId ? `(request id ${summary.requestId})` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const ErrorClass = errorClassFor(response.status);
  return new ErrorClass(message, {
    ...errorOptions(context, attempt),
    status: response.status,
    requestId: summary.requestId,
    body,
    rawText,
    retryAfterMs,
  });
}

/** Maps what an attempt threw (fetch, body read, middleware) into the core hierarchy. */
function errorFromException(
  context: CallContext,
  error: unknown,
  attempt: number,
  why: { aborted: boolean; timedOutAfterMs: number | undefined },
): UpstatError {
  if (error instanceof UpstatError) return error;
  if (why.aborted) {
    return new AbortError(`${context.provider.name} ${context.operation} was aborted.`, errorOptions(context, attempt, { cause: error }));
  }
  if (why.timedOutAfterMs !== undefined) {
    return new TimeoutError(
      `${context.provider.name} ${context.operation} timed out: no complete response within ${why.timedOutAfterMs} ms${afterAttempts(attempt)}.`,
      errorOptions(context, attempt, { cause: error }),
    );
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConnectionError(
    `${context.provider.name} ${context.operation}: the connection failed before a complete response (${reason})${afterAttempts(attempt)}.`,
    errorOptions(context, attempt, { cause: error }),
  );
}

/** The subset of an openapi-fetch client the generic call path needs, without the per-path generics. */
interface UntypedGet {
  GET(path: string, init: Record<string, unknown>): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/** An attempt's failure, and whether another attempt may help. */
interface AttemptFailure {
  error: UpstatError;
  retryable: boolean;
  /** The wait the server asked for before another attempt. */
  retryAfterMs: number | undefined;
}

/**
 * Creates the client a provider package wraps: openapi-fetch configured with the provider's base URL,
 * `Authorization` header and guarded path parameters, plus typed methods that retry idempotent requests,
 * time out each attempt, and throw typed errors.
 */
export function createApiClient<Paths extends object>(options: BaseClientOptions, wiring: ProviderWiring): ApiClient<Paths> {
  const { provider, authorization } = wiring;
  // A static credential is checked here and its header built once; a credential function is called (and
  // its result checked) before every request.
  const staticAuth = staticAuthorization(provider, authorization);
  const baseUrl = normalizeBaseUrl(provider, options.baseUrl ?? wiring.defaultBaseUrl);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigurationError(`${provider.name}: fetch must be a function.`, { provider: provider.id });
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  // The client's own policy, checked once; a call only re-resolves and re-checks what it overrides.
  const clientRetry = resolveRetry(options.retry);
  const clientTimeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  checkPolicy(provider, clientRetry, clientTimeoutMs);

  // Credentials seen so far, so that a server echoing one back cannot put it into an error.
  const secrets = new Set<string>();
  if (staticAuth !== undefined) secrets.add(staticAuth.credential);
  async function currentHeader(): Promise<string> {
    if (staticAuth !== undefined) return staticAuth.header;
    const { header, credential } = await authorizationHeader(provider, authorization);
    secrets.add(credential);
    return header;
  }

  const userFetch = options.fetch;
  const fetchImpl: FetchLike = userFetch ?? ((request) => globalThis.fetch(request));
  const shared = {
    baseUrl,
    fetch: fetchImpl,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    pathSerializer: createPathSerializer(provider),
  };
  // The raw client sets Authorization in a middleware, over whatever a raw call passes.
  const raw = createClient<Paths>(shared);
  raw.use({
    async onRequest({ request }) {
      request.headers.set('Authorization', await currentHeader());
      return request;
    },
  } satisfies Middleware);
  // Typed calls use a client of their own without middleware (each middleware costs every request a
  // Request copy's worth of work): a static header is a default header, set after the user's.
  const typed = createClient<Paths>(
    staticAuth === undefined ? shared : { ...shared, headers: { ...options.headers, Authorization: staticAuth.header } },
  ) as unknown as UntypedGet;

  /** One attempt: the request and its whole body, under the attempt's own time limit. */
  async function attemptGet(
    context: CallContext,
    path: string,
    pathParameters: unknown,
    call: CallOptions,
    attempt: number,
    timeoutMs: number,
  ): Promise<unknown> {
    const userSignal = call.signal;
    const timer = new AbortController();
    const timeout = setTimeout(() => {
      timer.abort(new DOMException(`attempt exceeded ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const signal = userSignal ? AbortSignal.any([userSignal, timer.signal]) : timer.signal;
    let result: Awaited<ReturnType<UntypedGet['GET']>>;
    try {
      // Authorization goes last so that no per-call header replaces it; with no per-call headers and a
      // static credential, the client's default header already carries it.
      const headers =
        call.headers === undefined && staticAuth !== undefined ? undefined : { ...call.headers, Authorization: await currentHeader() };
      result = await typed.GET(path, {
        params: { path: pathParameters },
        // Read the body as text and parse it here, so a non-JSON body becomes a typed error
        // instead of openapi-fetch's uncaught SyntaxError.
        parseAs: 'text',
        headers,
        // With the global fetch, the signal goes to fetch itself: on openapi-fetch's Request it would be
        // followed twice (by that Request, and by the copy fetch makes of it). A custom fetch gets it on
        // the Request, the only place a `(request) => Response` function can see it.
        ...(userFetch === undefined ? { fetch: (request: Request) => globalThis.fetch(request, { signal }) } : { signal }),
      });
    } catch (error) {
      throw errorFromException(context, error, attempt, {
        aborted: userSignal?.aborted === true,
        timedOutAfterMs: timer.signal.aborted ? timeoutMs : undefined,
      });
    } finally {
      clearTimeout(timeout);
    }
    const { response } = result;
    if (!response.ok) throw errorFromResponse(context, response, result.error, attempt);
    const text = typeof result.data === 'string' ? result.data : '';
    if (text.trim() === '') {
      throw new UnexpectedResponseError(
        `${provider.name} ${context.operation} returned ${response.status} with an empty body; a JSON body was expected.`,
        errorOptions(context, attempt, { status: response.status }),
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UnexpectedResponseError(
        `${provider.name} ${context.operation} returned ${response.status} with a body that is not valid JSON ` +
          `(content-type ${response.headers.get('content-type') ?? 'missing'}, ${text.length} characters).`,
        { ...errorOptions(context, attempt, { status: response.status, cause: error }), rawText: redactSecrets(text, secrets) },
      );
    }
  }

  function classify(error: UpstatError, retry: RetryOptions): AttemptFailure {
    if (error instanceof ApiError) {
      return { error, retryable: retry.retryStatuses.includes(error.status), retryAfterMs: error.retryAfterMs };
    }
    return { error, retryable: error instanceof ConnectionError || error instanceof TimeoutError, retryAfterMs: undefined };
  }

  async function callGet(path: string, pathParameters: unknown, call: CallOptions = {}): Promise<unknown> {
    const context: CallContext = { provider, operation: `GET ${path}`, secrets, clock };
    const overridden = call.retry !== undefined || call.timeoutMs !== undefined;
    const retry = call.retry === undefined ? clientRetry : resolveRetry(options.retry, call.retry);
    const timeoutMs = call.timeoutMs ?? clientTimeoutMs;
    if (overridden) checkPolicy(provider, retry, timeoutMs);
    // Typed methods are GETs, which are idempotent, so every one of them may be retried.
    const maxAttempts = retry.maxAttempts;
    const aborted = (attempt: number) =>
      new AbortError(`${provider.name} ${context.operation} was aborted.`, errorOptions(context, attempt, { cause: call.signal?.reason }));

    for (let attempt = 1; ; attempt++) {
      if (call.signal?.aborted) throw aborted(attempt - 1);
      try {
        return await attemptGet(context, path, pathParameters, call, attempt, timeoutMs);
      } catch (thrown) {
        const failure = classify(thrown as UpstatError, retry);
        if (!failure.retryable || attempt >= maxAttempts) throw failure.error;
        // A server that asks for a longer wait than we are willing to sit out gets its answer returned.
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > retry.maxRetryAfterMs) throw failure.error;
        const delay = failure.retryAfterMs ?? backoffDelay(attempt, retry, random);
        try {
          await clock.sleep(delay, call.signal);
        } catch {
          throw aborted(attempt);
        }
      }
    }
  }

  return {
    provider,
    baseUrl,
    raw,
    get(path) {
      return ((pathParameters: unknown, callOptions?: CallOptions) => callGet(String(path), pathParameters, callOptions)) as never;
    },
  };
}

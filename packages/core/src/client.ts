import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { PathsWithMethod, SuccessResponseJSON } from 'openapi-typescript-helpers';
import { applyCredential, isClientCredentials, resolveParts, staticCredential, type AppliedCredential, type AuthorizationConfig } from './auth.js';
import { DEFAULT_MAX_RESPONSE_BYTES, ERROR_BODY_LIMIT_BYTES, readBodyText, type BodyText } from './body.js';
import { setTimer, systemClock, type Clock } from './clock.js';
import { REQUEST_ID_HEADERS, summarizeErrorBody, type ErrorBodySummary } from './error-body.js';
import {
  AbortError,
  ApiError,
  capText,
  ConfigurationError,
  ConnectionError,
  DeadlineExceededError,
  errorClassForStatus,
  RedirectError,
  ResponseTooLargeError,
  TimeoutError,
  UnexpectedResponseError,
  UpstatError,
  type UpstatErrorOptions,
} from './errors.js';
import { TokenCache } from './oauth2.js';
import { createPathSerializer } from './path-params.js';
import { followRedirects } from './redirects.js';
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  decideRetry,
  resolveRetry,
  retryPolicyProblems,
  type RetryOptions,
  type RetrySetting,
} from './policy.js';
import type { ProviderInfo } from './provider.js';
import { Redactor } from './redact.js';
import { notifyRequest, type RequestEvent, type RequestHook } from './request-event.js';
import { requestedWait } from './retry-after.js';
import { userAgent, type PackageInfo } from './user-agent.js';

/** The `fetch` a client uses: the global one by default, or any compatible function (tests, proxies). */
export type FetchLike = (input: Request) => Promise<Response>;

/** Options every provider client accepts besides its credential. */
export interface BaseClientOptions {
  /** Server root; defaults to the vendor's server from the spec. Must be an absolute http(s) URL. */
  baseUrl?: string | undefined;
  /** A `fetch` to send requests with (defaults to `globalThis.fetch`). */
  fetch?: FetchLike | undefined;
  /**
   * Where to fetch OAuth2 client-credentials tokens, for a provider that authenticates so: by default the token URL
   * of the spec's flow (a relative one resolved against `baseUrl`). Set it with a `baseUrl` of your own, e.g. a mock.
   */
  tokenUrl?: string | undefined;
  /**
   * Extra headers sent with every request. The credential's header (`Authorization` or the provider's API key
   * header) is always set by the client. A `User-Agent` here
   * replaces the default one (`upstat/<core version> (<package>/<version>)`).
   */
  headers?: Record<string, string> | undefined;
  /**
   * Called once for each HTTP attempt of a typed method, when it ends (response read, or failed), with what
   * happened: operation, redacted URL, attempt, duration, status, request id, error, and the wait before the
   * next attempt. Everything in the event has passed the redaction boundary. A hook that throws does not change
   * the request; its error is re-thrown from a microtask, where the runtime reports it as uncaught.
   * `raw` calls are not reported.
   */
  onRequest?: RequestHook | undefined;
  /** Retry policy for this client (see `DEFAULT_RETRY`); `false` sends every request once. */
  retry?: RetrySetting | undefined;
  /** Time limit for each attempt, response body included (default `DEFAULT_ATTEMPT_TIMEOUT_MS`, 10 s). */
  timeoutMs?: number | undefined;
  /** Clock for retry waits; only simulations and tests need to replace it. */
  clock?: Clock | undefined;
  /** Source of jitter, a function returning [0, 1); only tests need to replace it. */
  random?: (() => number) | undefined;
  /**
   * The largest success body accepted, in bytes (default 1 MiB). A larger one is not read past the limit and
   * fails with `ResponseTooLargeError`, not retried. Error bodies are read up to 16 KiB whatever this is.
   */
  maxResponseBytes?: number | undefined;
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
  /**
   * A time (epoch milliseconds, on the client's clock) the whole call must end by: an attempt in flight at
   * the deadline is cut off, and no retry wait that would pass it is started. Ends the call with
   * `DeadlineExceededError`. The waiter sets it to the wait's own deadline.
   */
  deadline?: number | undefined;
  /** Called for each HTTP attempt of this call, after the client's own `onRequest` (same events, same rules). */
  onRequest?: RequestHook | undefined;
  /**
   * An object the call fills in with facts about the response its result was read from (the vendor's request
   * id), when it succeeds. Cheaper than a request hook when that is all a caller needs: no event is built.
   */
  response?: ResponseInfo | undefined;
  /**
   * A request budget shared with other calls (the facade's, per provider): every attempt of this call, retries
   * included, enters it before it is sent and leaves it when it has ended.
   */
  gate?: AttemptGate | undefined;
}

/** Lets the attempts of calls through a shared request budget (see `RequestGate` for the facade's). */
export interface AttemptGate {
  /**
   * Undefined when an attempt may be sent at once (it has entered); else a promise that resolves when it may, and
   * rejects only when `signal` aborts first.
   */
  enter(signal: AbortSignal | undefined): Promise<void> | undefined;
  /** The attempt that entered has ended (response read, or failed): its error, when it failed. */
  leave(error: UpstatError | undefined): void;
}

/** Filled in by a successful call given as `CallOptions.response`. */
export interface ResponseInfo {
  /** The vendor's request id of the successful response (redacted, on one line, capped), if it sent one. */
  requestId?: string | undefined;
}

/** What a provider package supplies: who it is, where its server is, how it authenticates. */
export interface ProviderWiring {
  provider: ProviderInfo;
  /** Used when the options give no `baseUrl` (the first server of the spec). */
  defaultBaseUrl: string;
  authorization: AuthorizationConfig;
  /** Reads the vendor's error body; the generic `summarizeErrorBody` when there is none. */
  readErrorBody?: ((body: unknown) => ErrorBodySummary) | undefined;
  /** The package that sends the requests, named in the `User-Agent` (`upstat/<core version>` alone without it). */
  package?: PackageInfo | undefined;
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
    const shown = typeof value === 'string' ? JSON.stringify(capText(value, 100)) : typeof value;
    throw new ConfigurationError(`${provider.name}: baseUrl ${shown} is not an absolute URL.`, {
      provider: provider.id,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`${provider.name}: baseUrl must use http or https, got ${capText(url.protocol, 40)}`, {
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

/** The absolute token URL: a relative one (OpenAPI allows it) is resolved against the base URL. */
function tokenUrlFor(provider: ProviderInfo, value: string, baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(value, `${baseUrl}/`);
  } catch {
    throw new ConfigurationError(`${provider.name}: tokenUrl ${JSON.stringify(capText(value, 100))} is not a URL.`, { provider: provider.id });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    throw new ConfigurationError(`${provider.name}: tokenUrl must be an http(s) URL without user info.`, { provider: provider.id });
  }
  return url.href;
}

function checkPolicy(provider: ProviderInfo, retry: RetryOptions, timeoutMs: unknown): void {
  const problems = retryPolicyProblems(retry, timeoutMs);
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

/** How long each piece of server-sent text may be in a message. */
const MAX_HEADER_IN_MESSAGE = 100;
const MAX_SUMMARY_IN_MESSAGE = 500;

interface CallContext {
  provider: ProviderInfo;
  operation: string;
  redactor: Redactor;
  clock: Clock;
  readErrorBody: (body: unknown) => ErrorBodySummary;
  /** The OAuth2 access token the last attempt sent, when the client fetches tokens (renewed once on a 401). */
  token?: string | undefined;
}

function errorOptions(context: CallContext, attempt: number, extra: Partial<UpstatErrorOptions> = {}): UpstatErrorOptions {
  return { provider: context.provider.id, operation: context.operation, attempts: attempt, ...extra };
}

function afterAttempts(attempt: number): string {
  return attempt > 1 ? ` after ${attempt} attempts` : '';
}

/** A header's value as it may appear in a message or on an error: redacted, on one line, short. */
function headerText(redactor: Redactor, headers: Headers, name: string, max: number): string | undefined {
  const value = headers.get(name);
  if (value === null) return undefined;
  return capText(redactor.text(value).replace(/\s+/g, ' ').trim(), max);
}

/** The vendor's request id from the first of `REQUEST_ID_HEADERS` it sent: redacted, on one line, capped. */
function requestIdFromHeaders(redactor: Redactor, headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headerText(redactor, headers, name, MAX_SUMMARY_IN_MESSAGE);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** What an attempt's request hook is told, gathered while it runs; `started` is set once the request is sent. */
interface AttemptTrace {
  started: number | undefined;
  method: string;
  url: string;
  status: number | undefined;
  requestId: string | undefined;
}

function checkHook(provider: ProviderInfo, name: string, hook: unknown): void {
  if (hook !== undefined && typeof hook !== 'function') {
    throw new ConfigurationError(`${provider.name}: ${name} must be a function, got ${hook === null ? 'null' : typeof hook}.`, {
      provider: provider.id,
    });
  }
}

/** What one attempt read: the response and (a bounded part of) its body. */
interface Received {
  response: Response;
  body: BodyText;
}

/** Builds the typed error for an HTTP error response, from the start of its body. */
function errorFromResponse(context: CallContext, received: Received, attempt: number): ApiError {
  const { response, body: read } = received;
  const { redactor } = context;
  let parsed: unknown;
  let notJson = false;
  if (read.text.trim() !== '') {
    try {
      parsed = JSON.parse(read.text) as unknown;
    } catch {
      notJson = true;
    }
  }
  const rawText = notJson ? redactor.text(read.text, { cut: read.overLimit }) : undefined;
  const body = notJson ? undefined : redactor.value(parsed);
  const requestIdHeader = requestIdFromHeaders(redactor, response.headers);
  let summary: ErrorBodySummary;
  try {
    summary = context.readErrorBody(body);
  } catch {
    // A reader that trips over an unexpected shape must not hide the HTTP error itself.
    summary = summarizeErrorBody(body);
  }
  const requestId = summary.requestId === undefined ? requestIdHeader : capText(summary.requestId, MAX_SUMMARY_IN_MESSAGE);
  const retryAfterMs = requestedWait(response, context.clock.now());
  const statusText = capText(redactor.text(response.statusText).replace(/\s+/g, ' ').trim(), MAX_HEADER_IN_MESSAGE);
  const statusLine = `${response.status}${statusText ? ` ${statusText}` : ''}`;
  const hint =
    response.status === 429
      ? retryAfterMs === undefined
        ? 'The server gave no Retry-After.'
        : `The server asks to retry after ${Math.ceil(retryAfterMs / 1000)} s.`
      : (STATUS_HINTS[response.status] ??
        (response.status >= 500 ? 'The provider failed; retrying later may help.' : undefined));
  const what = response.status === 429 ? 'was rate limited' : 'failed with';
  const detail = summary.message === undefined ? undefined : capText(summary.message, MAX_SUMMARY_IN_MESSAGE);
  const contentType = headerText(redactor, response.headers, 'content-type', MAX_HEADER_IN_MESSAGE) ?? 'missing';
  const message = [
    `${context.provider.name} ${context.operation} ${what} ${statusLine}${afterAttempts(attempt)}${detail ? `: ${detail}` : '.'}`,
    rawText === undefined ? undefined : `The body was not JSON (content-type ${contentType}).`,
    hint,
    requestId ? `(request id ${requestId})` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const ErrorClass = errorClassForStatus(response.status);
  return new ErrorClass(message, {
    ...errorOptions(context, attempt),
    status: response.status,
    requestId,
    body,
    rawText,
    retryAfterMs,
  });
}

/** The runtime's messages for a redirect that cannot be followed (undici's, which Node's fetch uses). */
const REDIRECT_FAILURES = /redirect count exceeded|redirect loop|too many redirects|URL scheme must be a HTTP\(S\) scheme/i;

/** Maps what an attempt threw (fetch, body read) into the core hierarchy; every `cause` is redacted. */
function errorFromException(
  context: CallContext,
  error: unknown,
  attempt: number,
  why: { aborted: boolean; timedOutAfterMs: number | undefined; byDeadline: boolean },
): UpstatError {
  if (error instanceof UpstatError) return error;
  const { redactor } = context;
  const cause = redactor.error(error);
  if (why.aborted) {
    return new AbortError(`${context.provider.name} ${context.operation} was aborted.`, errorOptions(context, attempt, { cause }));
  }
  if (why.timedOutAfterMs !== undefined) {
    return why.byDeadline
      ? new DeadlineExceededError(
          `${context.provider.name} ${context.operation} was cut off at its deadline, ${why.timedOutAfterMs} ms into attempt ${attempt}.`,
          errorOptions(context, attempt, { cause }),
        )
      : new TimeoutError(
          `${context.provider.name} ${context.operation} timed out: no complete response within ${why.timedOutAfterMs} ms${afterAttempts(attempt)}.`,
          errorOptions(context, attempt, { cause }),
        );
  }
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  const reason = capText(inner instanceof Error ? inner.message : String(inner), MAX_SUMMARY_IN_MESSAGE);
  if (REDIRECT_FAILURES.test(reason)) {
    return new RedirectError(
      `${context.provider.name} ${context.operation}: the server's redirects could not be followed (${reason}); redirects are followed up to the runtime's limit, and a loop is not retried.`,
      errorOptions(context, attempt, { cause }),
    );
  }
  const code = (inner as { code?: unknown } | undefined)?.code;
  return new ConnectionError(
    `${context.provider.name} ${context.operation}: the connection failed before a complete response (${reason})${afterAttempts(attempt)}.`,
    { ...errorOptions(context, attempt, { cause }), code: typeof code === 'string' ? capText(code, 40) : undefined },
  );
}

/** The subset of an openapi-fetch client the generic call path needs, without the per-path generics. */
interface UntypedGet {
  GET(path: string, init: Record<string, unknown>): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/**
 * Thrown by the attempt's own fetch for an error status once the start of the body is read, so that
 * openapi-fetch does not read the body again (it would read all of it). Never leaves this module.
 */
const ERROR_STATUS_READ = new Error('error status read');

/**
 * Creates the client a provider package wraps: openapi-fetch configured with the provider's base URL,
 * `Authorization` header and guarded path parameters, plus typed methods that retry idempotent requests,
 * time out each attempt, bound what they read, and throw typed errors holding no credential.
 */
export function createApiClient<Paths extends object>(options: BaseClientOptions, wiring: ProviderWiring): ApiClient<Paths> {
  const { provider, authorization } = wiring;
  const readErrorBody = wiring.readErrorBody ?? summarizeErrorBody;
  // A static credential is checked here and what it adds to a request built once; a credential function is
  // called (and its result checked) before every request, and a client-credentials token fetched when needed.
  const staticAuth = staticCredential(provider, authorization);
  const baseUrl = normalizeBaseUrl(provider, options.baseUrl ?? wiring.defaultBaseUrl);
  const { scheme } = authorization.credential;
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigurationError(`${provider.name}: fetch must be a function.`, { provider: provider.id });
  }
  checkHook(provider, 'onRequest', options.onRequest);
  const clientHook = options.onRequest;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  // The client's own policy, checked once; a call only re-resolves and re-checks what it overrides.
  const clientRetry = resolveRetry(options.retry);
  const clientTimeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  checkPolicy(provider, clientRetry, clientTimeoutMs);
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw new ConfigurationError(`${provider.name}: maxResponseBytes must be a whole number of bytes ≥ 1.`, { provider: provider.id });
  }

  // The redaction boundary for everything this client reads: it knows every credential a request carried.
  const redactor = new Redactor(staticAuth?.secrets);
  const userFetch = options.fetch;
  // A credential in a header `fetch` does not drop on a redirect to another origin: redirects are followed here.
  const guarded = scheme.type === 'apiKey' && scheme.in === 'header' && scheme.name.toLowerCase() !== 'authorization' ? [scheme.name] : undefined;
  // With the global fetch the signal goes to fetch itself; a custom fetch sees it on the Request (see attemptGet).
  const fetchOnce = (request: Request, signal?: AbortSignal) =>
    userFetch === undefined ? globalThis.fetch(request, signal === undefined ? undefined : { signal }) : userFetch(request);
  const sendRequest = (request: Request, signal?: AbortSignal): Promise<Response> =>
    guarded === undefined ? fetchOnce(request, signal) : followRedirects(request, (sent) => fetchOnce(sent, signal), guarded);
  const fetchImpl: FetchLike = (request) => sendRequest(request);
  const tokens = isClientCredentials(scheme)
      ? new TokenCache({
          provider,
          scheme,
          url: tokenUrlFor(provider, options.tokenUrl ?? scheme.tokenUrl, baseUrl),
          fetch: (request, signal) => (userFetch === undefined ? globalThis.fetch(request, { signal }) : userFetch(new Request(request, { signal }))),
          clock,
          redactor,
          timeoutMs: clientTimeoutMs,
        })
      : undefined;
  /** What a request carries; `context` (a typed call's) learns the token sent, for a renewal on a 401. */
  async function currentCredential(signal?: AbortSignal, context?: CallContext): Promise<AppliedCredential> {
    if (staticAuth !== undefined) return staticAuth;
    const parts = await resolveParts(provider, authorization);
    // Every part is known to the redactor before the token endpoint is asked (its errors may echo them).
    const applied = applyCredential(scheme, parts);
    for (const secret of applied.secrets) redactor.add(secret);
    if (tokens === undefined) return applied;
    const token = await tokens.token(parts[0] ?? '', parts[1] ?? '', signal);
    if (context !== undefined) context.token = token;
    return applyCredential(scheme, parts, token);
  }
  // The default User-Agent goes first, so that one in the user's headers (any spelling) replaces it.
  const defaultHeaders: Record<string, string> = { 'User-Agent': userAgent(wiring.package), ...options.headers };
  const shared = {
    baseUrl,
    fetch: fetchImpl,
    headers: defaultHeaders,
    pathSerializer: createPathSerializer(provider),
  };
  // The raw client sets the credential in a middleware, over whatever a raw call passes.
  const raw = createClient<Paths>(shared);
  raw.use({
    async onRequest({ request }) {
      const applied = await currentCredential(request.signal);
      for (const [name, value] of Object.entries(applied.headers)) request.headers.set(name, value);
      if (applied.query === undefined) return request;
      const url = new URL(request.url);
      for (const [name, value] of Object.entries(applied.query)) url.searchParams.set(name, value);
      return new Request(url, request);
    },
  } satisfies Middleware);
  // Typed calls use a client of their own without middleware (each middleware costs every request a
  // Request copy's worth of work): a static credential's headers are default headers, set after the user's.
  const typed = createClient<Paths>(
    staticAuth === undefined ? shared : { ...shared, headers: { ...defaultHeaders, ...staticAuth.headers } },
  ) as unknown as UntypedGet;

  /** One attempt: the request and its (bounded) body, under the attempt's time limit and the call's deadline. */
  async function attemptGet(
    context: CallContext,
    path: string,
    pathParameters: unknown,
    call: CallOptions,
    attempt: number,
    timeoutMs: number,
    trace: AttemptTrace | undefined,
  ): Promise<unknown> {
    context.token = undefined;
    const remaining = call.deadline === undefined ? Number.POSITIVE_INFINITY : call.deadline - clock.now();
    if (remaining <= 0) {
      throw new DeadlineExceededError(
        `${provider.name} ${context.operation} was not sent: its deadline had passed.`,
        errorOptions(context, attempt - 1),
      );
    }
    const limitMs = Math.min(timeoutMs, Math.ceil(remaining));
    const byDeadline = limitMs < timeoutMs;
    const userSignal = call.signal;
    const timer = new AbortController();
    const cancelTimer = setTimer(() => {
      timer.abort(new DOMException(`attempt exceeded ${limitMs} ms`, 'TimeoutError'));
    }, limitMs);
    const signal = userSignal ? AbortSignal.any([userSignal, timer.signal]) : timer.signal;
    let received: Received | undefined;
    // The attempt's own fetch reads the body here, bounded, before openapi-fetch could read it unbounded.
    const send = async (request: Request): Promise<Response> => {
      if (trace !== undefined) {
        trace.started = performance.now();
        trace.method = request.method;
        trace.url = redactor.text(request.url);
      }
      const response = await sendRequest(request, signal);
      if (trace !== undefined) {
        trace.status = response.status;
        trace.requestId = requestIdFromHeaders(redactor, response.headers);
      }
      // Every attempt sets it, so the id left is the last attempt's: the one the result is read from.
      if (call.response !== undefined) {
        call.response.requestId = response.ok ? (trace?.requestId ?? requestIdFromHeaders(redactor, response.headers)) : undefined;
      }
      const body = response.ok
        ? await readBodyText(response, maxResponseBytes, false, userFetch === undefined)
        : await readBodyText(response, ERROR_BODY_LIMIT_BYTES, true);
      received = { response, body };
      if (!response.ok) throw ERROR_STATUS_READ;
      return response;
    };
    try {
      // The credential goes last so that no per-call header replaces it; with no per-call headers and a
      // static credential, the client's default headers already carry it.
      const applied = staticAuth ?? (await currentCredential(signal, context));
      const headers = call.headers === undefined && staticAuth !== undefined ? undefined : { ...call.headers, ...applied.headers };
      await typed.GET(path, {
        params: applied.query === undefined ? { path: pathParameters } : { path: pathParameters, query: applied.query },
        // The body is already read by `send`; 'stream' makes openapi-fetch hand it over without reading it.
        parseAs: 'stream',
        headers,
        fetch: send,
        // With the global fetch, the signal goes to fetch itself: on openapi-fetch's Request it would be
        // followed twice (by that Request, and by the copy fetch makes of it). A custom fetch gets it on
        // the Request, the only place a `(request) => Response` function can see it.
        ...(userFetch === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (error !== ERROR_STATUS_READ || received === undefined) {
        throw errorFromException(context, error, attempt, {
          aborted: userSignal?.aborted === true,
          timedOutAfterMs: timer.signal.aborted ? limitMs : undefined,
          byDeadline,
        });
      }
    } finally {
      cancelTimer();
    }
    if (received === undefined) throw new Error('unreachable: the attempt ended without a response');
    const { response, body } = received;
    if (!response.ok) throw errorFromResponse(context, received, attempt);
    if (body.overLimit) {
      throw new ResponseTooLargeError(
        `${provider.name} ${context.operation} returned ${response.status} with a body over the ${maxResponseBytes}-byte limit ` +
          `(${body.bytes === 0 ? 'by its Content-Length' : `stopped after ${body.bytes} bytes`}); it was not read further. ` +
          'Raise maxResponseBytes if such bodies are expected.',
        { ...errorOptions(context, attempt, { status: response.status }), limitBytes: maxResponseBytes },
      );
    }
    const text = body.text;
    if (text.trim() === '') {
      throw new UnexpectedResponseError(
        `${provider.name} ${context.operation} returned ${response.status} with an empty body; a JSON body was expected.`,
        errorOptions(context, attempt, { status: response.status }),
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // The parser's own error is left out: its message quotes the body, and may cut a credential in half.
      const contentType = headerText(redactor, response.headers, 'content-type', MAX_HEADER_IN_MESSAGE) ?? 'missing';
      throw new UnexpectedResponseError(
        `${provider.name} ${context.operation} returned ${response.status} with a body that is not valid JSON ` +
          `(content-type ${contentType}, ${text.length} characters).`,
        { ...errorOptions(context, attempt, { status: response.status }), rawText: redactor.text(text) },
      );
    }
    // Most bodies hold no credential in any form: only then is the walk over the parsed value skipped.
    return redactor.active && (redactor.mayContain(text) || text.includes('\\')) ? redactor.value(parsed) : parsed;
  }

  async function callGet(path: string, pathParameters: unknown, call: CallOptions = {}): Promise<unknown> {
    const context: CallContext = { provider, operation: `GET ${path}`, redactor, clock, readErrorBody };
    const overridden = call.retry !== undefined || call.timeoutMs !== undefined;
    const retry = call.retry === undefined ? clientRetry : resolveRetry(options.retry, call.retry);
    const timeoutMs = call.timeoutMs ?? clientTimeoutMs;
    if (overridden) checkPolicy(provider, retry, timeoutMs);
    if (call.deadline !== undefined && !Number.isFinite(call.deadline)) {
      throw new ConfigurationError(`${provider.name}: deadline must be a finite time in epoch milliseconds.`, { provider: provider.id });
    }
    checkHook(provider, 'onRequest', call.onRequest);
    const hooks = clientHook === undefined && call.onRequest === undefined ? undefined : [clientHook, call.onRequest];
    /** Tells the hooks how an attempt that was sent ended; an attempt never sent (no request) is not reported. */
    const report = (attempt: number, trace: AttemptTrace | undefined, error?: UpstatError, retryInMs?: number) => {
      if (hooks === undefined || trace?.started === undefined) return;
      const event: RequestEvent = {
        provider: provider.id,
        operation: context.operation,
        method: trace.method,
        url: trace.url,
        attempt,
        durationMs: Math.max(0, Math.round((performance.now() - trace.started) * 10) / 10),
      };
      const status = error?.status ?? trace.status;
      if (status !== undefined) event.status = status;
      const requestId = error?.requestId ?? trace.requestId;
      if (requestId !== undefined) event.requestId = requestId;
      // Error messages are built from redacted parts already; the boundary is applied once more for the event.
      if (error !== undefined) event.error = { kind: error.kind, message: redactor.text(error.message) };
      if (retryInMs !== undefined) event.retryInMs = retryInMs;
      notifyRequest(hooks, event);
    };
    const aborted = (attempt: number) =>
      new AbortError(
        `${provider.name} ${context.operation} was aborted.`,
        errorOptions(context, attempt, { cause: redactor.error(call.signal?.reason) }),
      );

    const { gate } = call;
    // A fetched OAuth2 token refused with a 401 is renewed once per call.
    let tokenRenewable = tokens !== undefined;
    // Typed methods are GETs, which are idempotent, so every one of them may be retried.
    for (let attempt = 1; ; attempt++) {
      if (call.signal?.aborted) throw aborted(attempt - 1);
      const entering = gate?.enter(call.signal);
      if (entering !== undefined) {
        try {
          await entering;
        } catch (error) {
          if (call.signal?.aborted) throw aborted(attempt - 1);
          throw error;
        }
      }
      const trace: AttemptTrace | undefined =
        hooks === undefined ? undefined : { started: undefined, method: 'GET', url: '', status: undefined, requestId: undefined };
      try {
        const body = await attemptGet(context, path, pathParameters, call, attempt, timeoutMs, trace);
        gate?.leave(undefined);
        report(attempt, trace);
        return body;
      } catch (thrown) {
        const error = thrown as UpstatError;
        gate?.leave(error);
        const decision = decideRetry(
          {
            error,
            attempt,
            retryAfterMs: error instanceof ApiError ? error.retryAfterMs : undefined,
            remainingMs: call.deadline === undefined ? Number.POSITIVE_INFINITY : call.deadline - clock.now(),
            renewableToken: tokenRenewable && context.token !== undefined,
          },
          retry,
          random,
        );
        if (decision.retry && decision.renewToken === true && context.token !== undefined) {
          tokens?.invalidate(context.token);
          tokenRenewable = false;
        }
        report(attempt, trace, error, decision.retry ? decision.delayMs : undefined);
        if (!decision.retry) {
          if (decision.reason !== 'deadline') throw error;
          throw new DeadlineExceededError(
            `${provider.name} ${context.operation} stopped before its deadline: ${error.message}`,
            errorOptions(context, attempt, { status: error.status, requestId: error.requestId, cause: error }),
          );
        }
        try {
          await clock.sleep(decision.delayMs, call.signal);
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

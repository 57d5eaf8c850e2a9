/**
 * The one error hierarchy every upstat client throws.
 *
 * Every error carries the provider it came from and, when an HTTP response was involved, the status,
 * the vendor's request/trace id and the parsed body. None of them ever holds a credential: errors are
 * built from the response and the operation name only, never from request headers, and everything taken
 * from the response passes through the client's redaction boundary (`redact.ts`) before it is stored.
 */

/** A short machine-readable name for each error class, stable across releases. */
export type UpstatErrorKind =
  | 'invalid_argument'
  | 'configuration'
  | 'missing_credential'
  | 'api'
  | 'bad_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'rate_limit'
  | 'server'
  | 'connection'
  | 'timeout'
  | 'abort'
  | 'unexpected_response'
  | 'deadline_exceeded'
  | 'redirect'
  | 'response_too_large'
  | 'wait_timeout'
  | 'upload_failed';

export interface UpstatErrorOptions {
  /** Provider id, e.g. `pandadoc`. */
  provider: string;
  /** `GET /path/{template}` of the operation that failed, when there was one. */
  operation?: string | undefined;
  /** HTTP status of the response, when there was one. */
  status?: number | undefined;
  /** The vendor's request or trace id, when it sent one. */
  requestId?: string | undefined;
  /** The parsed response body (JSON value), or the raw text when it was not JSON. */
  body?: unknown;
  /** The underlying error (never one that holds a credential). */
  cause?: unknown;
  /** How many HTTP attempts were made before giving up (retries included). */
  attempts?: number | undefined;
}

export class UpstatError extends Error {
  // Names are spelled out (not taken from the constructor) so minified bundles keep them.
  override readonly name: string = 'UpstatError';
  readonly kind: UpstatErrorKind = 'api';
  readonly provider: string;
  readonly operation: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly body: unknown;
  readonly attempts: number | undefined;

  constructor(message: string, options: UpstatErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.provider = options.provider;
    this.operation = options.operation;
    this.status = options.status;
    this.requestId = options.requestId;
    this.body = options.body;
    this.attempts = options.attempts;
  }

  /** A plain-object form for logs and `JSON.stringify`: everything useful, nothing secret. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      provider: this.provider,
      operation: this.operation,
      status: this.status,
      requestId: this.requestId,
      body: this.body,
      attempts: this.attempts,
    };
  }
}

/** An argument can never be sent as given (e.g. a path parameter that is empty, `.` or `..`). */
export class InvalidArgumentError extends UpstatError {
  override readonly name: string = 'InvalidArgumentError';
  override readonly kind: UpstatErrorKind = 'invalid_argument';
  /** Name of the offending argument or path parameter. */
  readonly argument: string;
  constructor(message: string, options: UpstatErrorOptions & { argument: string }) {
    super(message, options);
    this.argument = options.argument;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), argument: this.argument };
  }
}

/** The client was set up in a way that cannot work (bad base URL, malformed credential, ...). */
export class ConfigurationError extends UpstatError {
  override readonly name: string = 'ConfigurationError';
  override readonly kind: UpstatErrorKind = 'configuration';
}

/** No credential was given, or the credential callback returned none. Thrown before any request. */
export class MissingCredentialError extends ConfigurationError {
  override readonly name: string = 'MissingCredentialError';
  override readonly kind: UpstatErrorKind = 'missing_credential';
}

export interface ApiErrorOptions extends UpstatErrorOptions {
  status: number;
  /** The wait the server asked for (Retry-After or X-RateLimit-Reset), when it gave one. */
  retryAfterMs?: number | undefined;
  /** The body as text, when it was not JSON (an HTML error page, say). */
  rawText?: string | undefined;
}

/**
 * The server answered with an HTTP error status. Subclasses narrow it down by status. A body that is JSON
 * is in `body`; one that is not (an HTML page from a proxy) is in `rawText`, capped.
 */
export class ApiError extends UpstatError {
  override readonly name: string = 'ApiError';
  override readonly kind: UpstatErrorKind = 'api';
  declare readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly rawText: string | undefined;
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
    this.rawText = options.rawText === undefined ? undefined : capText(options.rawText);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs, rawText: this.rawText };
  }
}

/** 400: the server rejected the request as malformed. */
export class BadRequestError extends ApiError {
  override readonly name: string = 'BadRequestError';
  override readonly kind: UpstatErrorKind = 'bad_request';
}
/** 401: the credential is missing, wrong, expired or revoked. */
export class AuthenticationError extends ApiError {
  override readonly name: string = 'AuthenticationError';
  override readonly kind: UpstatErrorKind = 'authentication';
}
/** 403: the credential is valid but lacks the permission or scope needed. */
export class PermissionError extends ApiError {
  override readonly name: string = 'PermissionError';
  override readonly kind: UpstatErrorKind = 'permission';
}
/** 404: the resource (document, project, task, upload, sandbox, ...) does not exist. */
export class NotFoundError extends ApiError {
  override readonly name: string = 'NotFoundError';
  override readonly kind: UpstatErrorKind = 'not_found';
}
/** 409: the resource is in a state that conflicts with the request. */
export class ConflictError extends ApiError {
  override readonly name: string = 'ConflictError';
  override readonly kind: UpstatErrorKind = 'conflict';
}

/** 429: rate limited. `retryAfterMs` is the server's requested wait, when it gave one. */
export class RateLimitError extends ApiError {
  override readonly name: string = 'RateLimitError';
  override readonly kind: UpstatErrorKind = 'rate_limit';
}

/** 5xx: the server failed. */
export class ServerError extends ApiError {
  override readonly name: string = 'ServerError';
  override readonly kind: UpstatErrorKind = 'server';
}

/** The request never got an HTTP response: DNS failure, refused or reset connection, TLS error. */
export class ConnectionError extends UpstatError {
  override readonly name: string = 'ConnectionError';
  override readonly kind: UpstatErrorKind = 'connection';
  /** The system's code for what failed, when it gave one (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, …). */
  readonly code: string | undefined;
  constructor(message: string, options: UpstatErrorOptions & { code?: string | undefined }) {
    super(message, options);
    this.code = options.code;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code };
  }
}

/** The request took longer than its timeout. */
export class TimeoutError extends UpstatError {
  override readonly name: string = 'TimeoutError';
  override readonly kind: UpstatErrorKind = 'timeout';
}

/**
 * The call's `deadline` came before it could finish: an attempt was cut off at the deadline, or the wait
 * before the next attempt (a backoff or the server's Retry-After) would have passed it. A wait turns it
 * into `WaitTimeoutError`. `cause` is the failure that would otherwise have been retried, if there was one.
 */
export class DeadlineExceededError extends TimeoutError {
  override readonly name: string = 'DeadlineExceededError';
  override readonly kind: UpstatErrorKind = 'deadline_exceeded';
}

/** Redirects went round in a loop or past the runtime's limit (20 in the Fetch standard). Not retried. */
export class RedirectError extends UpstatError {
  override readonly name: string = 'RedirectError';
  override readonly kind: UpstatErrorKind = 'redirect';
}

/**
 * The caller's `AbortSignal` fired. A wait that is aborted keeps what it saw: `lastStatus` (undefined when no check
 * had returned a status) and `checks`.
 */
export class AbortError<Status = unknown> extends UpstatError {
  override readonly name: string = 'AbortError';
  override readonly kind: UpstatErrorKind = 'abort';
  readonly lastStatus: Status | undefined;
  /** Checks the aborted wait had made (undefined for a single call). */
  readonly checks: number | undefined;
  constructor(message: string, options: UpstatErrorOptions & { lastStatus?: Status | undefined; checks?: number | undefined }) {
    super(message, options);
    this.lastStatus = options.lastStatus;
    this.checks = options.checks;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), lastStatus: this.lastStatus, checks: this.checks };
  }
}

/**
 * The server answered, but not with something the spec allows: a body that is not JSON, is truncated,
 * or has the wrong shape. `rawText` holds the start of what was received.
 */
export class UnexpectedResponseError extends UpstatError {
  override readonly name: string = 'UnexpectedResponseError';
  override readonly kind: UpstatErrorKind = 'unexpected_response';
  /** The body as received, cut to `MAX_RAW_TEXT` characters. */
  readonly rawText: string | undefined;
  constructor(message: string, options: UpstatErrorOptions & { rawText?: string | undefined }) {
    super(message, options);
    this.rawText = options.rawText === undefined ? undefined : capText(options.rawText);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), rawText: this.rawText };
  }
}

/**
 * A success body was larger than the client's `maxResponseBytes`. Reading stopped at the limit (or before
 * reading, when `Content-Length` said so) and the connection was released. Not retried.
 */
export class ResponseTooLargeError extends UnexpectedResponseError {
  override readonly name: string = 'ResponseTooLargeError';
  override readonly kind: UpstatErrorKind = 'response_too_large';
  /** The limit that was exceeded, in bytes. */
  readonly limitBytes: number;
  constructor(message: string, options: UpstatErrorOptions & { limitBytes: number }) {
    super(message, options);
    this.limitBytes = options.limitBytes;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), limitBytes: this.limitBytes };
  }
}

/** Why a wait ended with `WaitTimeoutError`. */
export type WaitTimeoutReason =
  /** Its deadline (`timeoutMs`) passed. */
  | 'deadline'
  /** The provider asked to be asked again (`Retry-After`) after the deadline: no check could be made in time. */
  | 'retry-after'
  /** `maxFailures` checks in a row failed for a reason that may pass (connection, attempt timeout, 5xx). */
  | 'failures'
  /** A durable wait (`@upstat/queue`) whose provider no running worker served before its deadline. */
  | 'unserved';

/**
 * A wait for an upload did not see it finish: its deadline (`timeoutMs`) passed, or it gave up before the deadline
 * (`reason`). `lastStatus` is the last status seen (undefined if no check returned one), `lastError` the error of the
 * last check that failed (undefined if none did), `checks` the checks made (failed ones included), `elapsedMs` how
 * long it actually waited.
 */
export class WaitTimeoutError<Status = unknown> extends UpstatError {
  override readonly name: string = 'WaitTimeoutError';
  override readonly kind: UpstatErrorKind = 'wait_timeout';
  readonly lastStatus: Status | undefined;
  /** The error of the last check that failed, if one did. */
  readonly lastError: unknown;
  /** How long the wait lasted in total, resumed parts included. */
  readonly elapsedMs: number;
  /** How many status checks it made, failed ones included. */
  readonly checks: number;
  readonly reason: WaitTimeoutReason;
  constructor(
    message: string,
    options: UpstatErrorOptions & {
      lastStatus: Status | undefined;
      lastError?: unknown;
      elapsedMs: number;
      checks: number;
      reason?: WaitTimeoutReason | undefined;
    },
  ) {
    super(message, options);
    this.lastStatus = options.lastStatus;
    this.lastError = options.lastError;
    this.elapsedMs = options.elapsedMs;
    this.checks = options.checks;
    this.reason = options.reason ?? 'deadline';
  }
  override toJSON(): Record<string, unknown> {
    const { lastError } = this;
    return {
      ...super.toJSON(),
      lastStatus: this.lastStatus,
      lastError: lastError instanceof UpstatError ? lastError.toJSON() : lastError instanceof Error ? { name: lastError.name, message: lastError.message } : lastError,
      elapsedMs: this.elapsedMs,
      checks: this.checks,
      reason: this.reason,
    };
  }
}

/**
 * A wait ended because the upload reached a terminal state the caller did not accept (failed, partial,
 * canceled, expired, ...). `finalStatus` is that status; `state` its canonical state.
 */
export class UploadFailedError<Status = unknown> extends UpstatError {
  override readonly name: string = 'UploadFailedError';
  override readonly kind: UpstatErrorKind = 'upload_failed';
  readonly state: string;
  readonly finalStatus: Status;
  constructor(message: string, options: UpstatErrorOptions & { state: string; finalStatus: Status }) {
    super(message, options);
    this.state = options.state;
    this.finalStatus = options.finalStatus;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), state: this.state, finalStatus: this.finalStatus };
  }
}

/** How much of an unexpected body an error keeps. */
export const MAX_RAW_TEXT = 2048;

export function capText(text: string, max = MAX_RAW_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** The error class for each HTTP error status that has one of its own; other 4xx are `ApiError`, 5xx `ServerError`. */
const ERROR_CLASS_BY_STATUS: Readonly<Partial<Record<number, typeof ApiError>>> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  429: RateLimitError,
};

export function errorClassForStatus(status: number): typeof ApiError {
  return ERROR_CLASS_BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiError);
}

/** What the system's connection error codes mean, in a few words. */
const CONNECTION_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/**
 * A failure in a few words, for a message that sums up several ("the last 4 checks failed: connection refused"):
 * the HTTP status of an API error, what a connection error's code means, or the start of the message.
 */
export function failureSummary(error: unknown): string {
  if (error instanceof ApiError) return error.status === 429 ? 'rate limited (429)' : `HTTP ${error.status}`;
  if (error instanceof ConnectionError) return (error.code === undefined ? undefined : CONNECTION_CODES[error.code]) ?? 'connection failed';
  if (error instanceof TimeoutError) return 'no complete answer within the attempt\'s time limit';
  if (error instanceof Error) return capText(error.message, 120);
  return capText(String(error), 120);
}

/** The class of each error kind, for `reviveError`. */
const CLASS_BY_KIND: Readonly<Record<UpstatErrorKind, new (message: string, options: never) => UpstatError>> = {
  invalid_argument: InvalidArgumentError,
  configuration: ConfigurationError,
  missing_credential: MissingCredentialError,
  api: ApiError,
  bad_request: BadRequestError,
  authentication: AuthenticationError,
  permission: PermissionError,
  not_found: NotFoundError,
  conflict: ConflictError,
  rate_limit: RateLimitError,
  server: ServerError,
  connection: ConnectionError,
  timeout: TimeoutError,
  abort: AbortError,
  unexpected_response: UnexpectedResponseError,
  deadline_exceeded: DeadlineExceededError,
  redirect: RedirectError,
  response_too_large: ResponseTooLargeError,
  wait_timeout: WaitTimeoutError,
  upload_failed: UploadFailedError,
};

/**
 * An error of the right class again from its `toJSON()` form (as stored by a process that is not this one, e.g. in
 * a queue's job), or undefined when `json` is not one. Every field `toJSON` writes is an option of its constructor.
 */
export function reviveError(json: unknown): UpstatError | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const { kind, message, provider } = json as Record<string, unknown>;
  if (typeof kind !== 'string' || typeof message !== 'string' || typeof provider !== 'string' || !Object.hasOwn(CLASS_BY_KIND, kind)) return undefined;
  const ErrorClass = CLASS_BY_KIND[kind as UpstatErrorKind];
  return new ErrorClass(message, json as never);
}

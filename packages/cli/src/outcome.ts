/**
 * What a failure means for the command line: its exit code (`exit-codes.ts`) and its `kind` in JSON output.
 */
import {
  AbortError,
  ApiError,
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UploadFailedError,
  UpstatError,
  WaitTimeoutError,
} from 'upstat';
import { EXIT } from './exit-codes.js';

/** A mistake on the command line (or in the environment it reads): exit 2, with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The kinds of `error.kind` in JSON output: the library's error kinds, and the CLI's own. */
export type FailureKind = UpstatError['kind'] | 'usage' | 'interrupted' | 'internal';

export interface Failure {
  code: number;
  kind: FailureKind;
}

/**
 * The exit code and kind of an error. A request timeout (`TimeoutError`, the attempt's own limit) is transient; a
 * wait's deadline passing is `WaitTimeoutError` (the library turns a `DeadlineExceededError` inside a wait into
 * it), and one outside a wait means the same: out of time.
 */
export function classify(error: unknown, interrupted = false): Failure {
  if (interrupted || error instanceof AbortError) return { code: EXIT.interrupted, kind: 'interrupted' };
  if (error instanceof UsageError) return { code: EXIT.usage, kind: 'usage' };
  if (!(error instanceof UpstatError)) return { code: EXIT.error, kind: 'internal' };
  const kind = error.kind;
  if (error instanceof InvalidArgumentError || error instanceof ConfigurationError) return { code: EXIT.usage, kind };
  if (error instanceof UploadFailedError) return { code: EXIT.uploadFailed, kind };
  // A wait that gave up because its checks kept failing (--max-failures) says what status would have said.
  if (error instanceof WaitTimeoutError && error.reason === 'failures') return { code: EXIT.transient, kind };
  if (error instanceof WaitTimeoutError || kind === 'deadline_exceeded') return { code: EXIT.timeout, kind };
  if (error instanceof AuthenticationError || error instanceof PermissionError) return { code: EXIT.auth, kind };
  if (error instanceof NotFoundError) return { code: EXIT.notFound, kind };
  if (error instanceof RateLimitError || error instanceof ServerError || error instanceof ConnectionError || error instanceof TimeoutError) {
    return { code: EXIT.transient, kind };
  }
  // Gateway statuses a retry policy lists but that have no class of their own are also worth a later retry.
  if (error instanceof ApiError && error.status >= 500) return { code: EXIT.transient, kind };
  return { code: EXIT.error, kind };
}

import type { BackoffBounds } from './backoff.js';

/**
 * How a client retries idempotent requests. Defaults (`DEFAULT_RETRY`): 3 attempts in all; waits of
 * 200 ms to 5 s between them (exponential, jittered); a server-requested wait (`Retry-After`,
 * `X-RateLimit-Reset`) of up to 30 s is honoured, a longer one ends the call at once with `retryAfterMs`.
 */
export interface RetryOptions extends BackoffBounds {
  /** Attempts in all, the first included. 1 disables retries. */
  maxAttempts: number;
  /** The longest server-requested wait to sit out; a longer one is returned to the caller instead. */
  maxRetryAfterMs: number;
  /** HTTP statuses that are retried (connection failures and attempt timeouts always are). */
  retryStatuses: readonly number[];
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 3,
  minDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  retryStatuses: [429, 502, 503, 504],
};

/** Each attempt (request and body) must finish within this many milliseconds by default. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;

/** Options as a user gives them: any subset, or `false` for no retries. */
export type RetrySetting = Partial<RetryOptions> | false;

export function resolveRetry(...layers: (RetrySetting | undefined)[]): RetryOptions {
  let resolved: RetryOptions = DEFAULT_RETRY;
  for (const layer of layers) {
    if (layer === undefined) continue;
    resolved = layer === false ? { ...resolved, maxAttempts: 1 } : { ...resolved, ...layer };
  }
  return resolved;
}

export * from './errors.js';
export { summarizeErrorBody, type ErrorBodySummary } from './error-body.js';
export { parseRetryAfter, parseRateLimitReset, requestedWait } from './retry-after.js';
export { encodePathParameter, createPathSerializer } from './path-params.js';
export { checkCredential, type AuthorizationConfig, type CredentialSource } from './auth.js';
export type { ProviderInfo } from './provider.js';
export { systemClock, type Clock } from './clock.js';
export { backoffDelay, type BackoffBounds } from './backoff.js';
export { DEFAULT_RETRY, DEFAULT_ATTEMPT_TIMEOUT_MS, resolveRetry, type RetryOptions, type RetrySetting } from './retry.js';
export {
  DEFAULT_WAIT,
  WAIT_JITTER,
  nextCheckDelay,
  resolveWaitPolicy,
  waitUntil,
  type Observation,
  type WaitCheckpoint,
  type WaitLoopOptions,
  type WaitPolicy,
  type WaitPolicyOptions,
  type WaitSubject,
} from './waiter.js';
export {
  createApiClient,
  type ApiClient,
  type BaseClientOptions,
  type CallOptions,
  type FetchLike,
  type GetOperation,
  type PathParameters,
  type ProviderWiring,
  type SuccessBody,
} from './client.js';

export * from './errors.js';
export { bodyText, joinSentences, summarizeErrorBody, withCode, type ErrorBodySummary } from './error-body.js';
export {
  CANONICAL_STATES,
  TERMINAL_STATES,
  isTerminal,
  mapState,
  type AnyRef,
  type CanonicalState,
  type ProviderStatus,
  type StateTable,
  type UploadProgress,
} from './status.js';
export {
  StatusShapeError,
  byteProgress,
  defineProvider,
  isByteCount,
  isOptionalString,
  isRecord,
  nonBlank,
  pathParameters,
  readStatus,
  refFields,
  statusShapeError,
  wiringFor,
  type AnyDefinition,
  type BodyOf,
  type CredentialDefinition,
  type ProviderDefinition,
  type ProviderInfo,
  type ProviderPlugin,
  type RefOf,
  type SharedClientOptions,
  type ShapeErrorFactory,
  type StatusFetcher,
  type StatusOf,
  type StatusReading,
} from './provider.js';
export { parseRetryAfter, parseRateLimitReset, requestedWait } from './retry-after.js';
export { encodePathParameter, createPathSerializer, MAX_REQUEST_PATH_LENGTH } from './path-params.js';
export { checkCredential, type AuthorizationConfig, type CredentialSource } from './auth.js';

export { setTimer, systemClock, type Clock } from './clock.js';
export { DEFAULT_MAX_RESPONSE_BYTES, ERROR_BODY_LIMIT_BYTES } from './body.js';
export { MIN_SUBSTRING_SECRET_LENGTH, REDACTED, Redactor, redactSecrets } from './redact.js';
export {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_RETRY,
  DEFAULT_WAIT,
  MAX_DURATION_MS,
  WAIT_JITTER,
  backoffDelay,
  decideRetry,
  durationProblem,
  failureDelay,
  FAILURE_MIN_DELAY_MS,
  isRetryable,
  isTransient,
  nextCheckDelay,
  pickWaitPolicy,
  RATE_LIMIT_PAUSE,
  rateLimitPause,
  WAIT_POLICY_KEYS,
  PROGRESS_WINDOW,
  recordProgress,
  resolveRetry,
  resolveWaitPolicy,
  retryPolicyProblems,
  type BackoffBounds,
  type RetryDecision,
  type RetryOptions,
  type RetrySetting,
  type RetryState,
  type WaitPolicy,
  type WaitPolicyOptions,
  type ProgressSample,
} from './policy.js';
export {
  checkCheckpoint,
  checkpointOf,
  checkWaitPolicy,
  formatDuration,
  startWait,
  stepWait,
  uploadFailedError,
  WAIT_LONGER,
  waitRules,
  type WaitAction,
  type WaitCheckpoint,
  type WaitEvent,
  type WaitOutcome,
  type WaitRules,
  type WaitRuleOptions,
  type WaitState,
  type WaitStep,
  type WaitSubject,
} from './wait-step.js';
export type { RequestEvent, RequestHook } from './request-event.js';
export { CORE_VERSION, userAgent, type PackageInfo } from './user-agent.js';
export {
  createApiClient,
  type ApiClient,
  type BaseClientOptions,
  type AttemptGate,
  type CallOptions,
  type ResponseInfo,
  type FetchLike,
  type GetOperation,
  type PathParameters,
  type ProviderWiring,
  type SuccessBody,
} from './client.js';
export {
  DEFAULT_REQUEST_BUDGET,
  RequestGate,
  rateWindow,
  requestBudgetProblems,
  resolveRequestBudget,
  type RequestBudget,
  type ResolvedRequestBudget,
} from './budget.js';
export { TimerQueue, timerEntry, type TimerEntry } from './timer-queue.js';

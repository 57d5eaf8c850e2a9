/**
 * Every retry and timing decision, as pure functions: the defaults, checking a policy a user gave, whether a
 * failure is worth another attempt, how long to wait before it, and the waiter's schedule. The loops that
 * apply them (`client.ts` for requests, `waiter.ts` for waits) decide nothing themselves.
 */
import {
  ApiError,
  ConnectionError,
  TimeoutError,
  DeadlineExceededError,
  RateLimitError,
  type UpstatError,
} from './errors.js';

// ---------------------------------------------------------------------------------------------------------
// Durations

/**
 * The longest duration any option accepts: 30 days. Longer is certainly a mistake (a unit mix-up, a
 * deadline of `Infinity` from a bad checkpoint); timers are chunked so every accepted value is exact.
 */
export const MAX_DURATION_MS = 30 * 24 * 60 * 60_000;

/**
 * Why `value` is not an acceptable duration for the option `name`, or undefined when it is: a finite number
 * of milliseconds, at least `min` (0 or "greater than 0") and at most `MAX_DURATION_MS`.
 */
export function durationProblem(name: string, value: unknown, min: 'zero' | 'positive'): string | undefined {
  const bound = min === 'zero' ? '≥ 0' : '> 0';
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `${name} must be a finite number of milliseconds ${bound}, got ${describeValue(value)}`;
  }
  if (min === 'zero' ? value < 0 : value <= 0) return `${name} must be ${bound}, got ${value}`;
  if (value > MAX_DURATION_MS) return `${name} must be at most ${MAX_DURATION_MS} ms (30 days), got ${value}`;
  return undefined;
}

/** A value a caller gave, for a message that says what is wrong with it: numbers as they are, strings quoted and cut. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return value === null ? 'null' : typeof value;
}

// ---------------------------------------------------------------------------------------------------------
// Retries

/** Bounds for an exponential backoff with jitter. */
export interface BackoffBounds {
  /** The shortest delay, and the base the exponent grows from. */
  minDelayMs: number;
  /** The longest delay. */
  maxDelayMs: number;
}

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

/** What is wrong with a retry policy and attempt time limit, one phrase per problem (none when valid). */
export function retryPolicyProblems(retry: RetryOptions, timeoutMs: unknown): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1 || retry.maxAttempts > 100) {
    problems.push('retry.maxAttempts must be an integer from 1 to 100');
  }
  for (const key of ['minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const problem = durationProblem(`retry.${key}`, retry[key], 'zero');
    if (problem !== undefined) problems.push(problem);
  }
  if (retry.minDelayMs > retry.maxDelayMs) problems.push('retry.minDelayMs must not exceed retry.maxDelayMs');
  if (!Array.isArray(retry.retryStatuses) || !retry.retryStatuses.every((status) => Number.isInteger(status))) {
    problems.push('retry.retryStatuses must be an array of HTTP status codes');
  }
  const timeout = durationProblem('timeoutMs', timeoutMs, 'positive');
  if (timeout !== undefined) problems.push(timeout);
  return problems;
}

/**
 * The delay before try number `attempt + 1` (so `attempt` = tries made so far, from 1): uniform in
 * [min, min(max, min · 2^(attempt−1))]. This is the AWS SDK waiter schedule; the same shape serves the
 * retry loop. `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, bounds: BackoffBounds, random: () => number = Math.random): number {
  const { minDelayMs, maxDelayMs } = bounds;
  const exponent = Math.min(Math.max(attempt - 1, 0), 52); // 2^52 already exceeds any sane cap
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** exponent);
  const low = Math.min(minDelayMs, ceiling);
  return Math.round(low + random() * (ceiling - low));
}

/**
 * Whether another attempt may help: a status the policy lists (429 and gateway errors by default), a failed
 * connection or an attempt that timed out. Never a deadline that passed, a redirect loop, a body too large
 * or anything the server answered that the spec does not allow: the same attempt would fail the same way.
 */
export function isRetryable(error: UpstatError, retry: RetryOptions): boolean {
  if (error instanceof ApiError) return retry.retryStatuses.includes(error.status);
  if (error instanceof DeadlineExceededError) return false;
  return error instanceof ConnectionError || error instanceof TimeoutError;
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | {
      retry: true;
      delayMs: number;
      /** The attempt's OAuth2 token was refused: fetch a new one for the next attempt. */
      renewToken?: true;
    }
  | {
      retry: false;
      /**
       * `final`: not worth retrying; `attempts`: none left; `retry-after`: the server asked for a wait longer
       * than `maxRetryAfterMs`; `deadline`: the wait before the next attempt would pass the deadline.
       */
      reason: 'final' | 'attempts' | 'retry-after' | 'deadline';
    };

export interface RetryState {
  error: UpstatError;
  /** Attempts made so far, the failed one included. */
  attempt: number;
  /** The wait the server asked for (Retry-After, X-RateLimit-Reset), when it did. */
  retryAfterMs: number | undefined;
  /** Time left before the call's deadline (`Infinity` without one). */
  remainingMs: number;
  /** The attempt sent an OAuth2 token the client fetched, and none was renewed yet in this call. */
  renewableToken?: boolean | undefined;
}

export function decideRetry(state: RetryState, retry: RetryOptions, random: () => number = Math.random): RetryDecision {
  // A fetched token may have been revoked before its expiry: one new token, at once, whatever the retry policy
  // (a refusal after it is final). The token endpoint's own refusals never get here with a token.
  if (state.renewableToken === true && state.error.kind === 'authentication' && state.remainingMs > 0) {
    return { retry: true, delayMs: 0, renewToken: true };
  }
  if (!isRetryable(state.error, retry)) return { retry: false, reason: 'final' };
  if (state.attempt >= retry.maxAttempts) return { retry: false, reason: 'attempts' };
  const delayMs = state.retryAfterMs ?? backoffDelay(state.attempt, retry, random);
  // A wait that outlasts the deadline is never started: the deadline wins over a server's Retry-After.
  if (delayMs >= state.remainingMs) return { retry: false, reason: 'deadline' };
  if (state.retryAfterMs !== undefined && state.retryAfterMs > retry.maxRetryAfterMs) return { retry: false, reason: 'retry-after' };
  return { retry: true, delayMs };
}

// ---------------------------------------------------------------------------------------------------------
// Waiting

/**
 * Polling until something finishes, in the manner of the AWS SDK waiters and Azure's long-running
 * operation pollers: check at once, then wait a growing, jittered delay between a minimum and a
 * maximum, and give up after a bounded total time.
 *
 * The delay is a quarter of the time waited so far (so checks thin out exponentially, ×1.25), never
 * below `minDelayMs` nor above `maxDelayMs`, jittered down by up to a fifth of the way to the minimum.
 * Because no delay exceeds a quarter of the elapsed time (or the minimum), completion is noticed within
 * 25% of the time it took, or within `minDelayMs` — while a long wait costs a few dozen checks, not hundreds.
 * When the checks report progress, the delay follows the expected completion instead (`nextCheckDelay`):
 * fewer checks and a closer notice while the rate holds, and up to `maxDelayMs` after an unforeseen early end.
 */
export interface WaitPolicy {
  /** Give up after this long in total (resumed waits included). Default 15 minutes. */
  timeoutMs: number;
  /** Shortest delay between checks. Default 5 s. */
  minDelayMs: number;
  /** Longest delay between checks. Default 60 s. */
  maxDelayMs: number;
  /**
   * Give up (`WaitTimeoutError`, before the deadline) after this many checks in a row failed for a reason that may
   * pass (`isTransient`); a 429 never counts, it only pauses. Default `Infinity`: such failures never end a wait
   * before its deadline, as with the AWS SDK waiters. Someone who waits 15 minutes for an upload would rather see it
   * through a provider's bad minute than be told "connection refused" at minute one; each failed check is retried
   * sooner than the schedule (`failureDelay`) but never later, so a long outage costs no more requests than polling
   * a healthy server, and the wait's error then says what kept failing.
   */
  maxFailures: number;
}

export const DEFAULT_WAIT: WaitPolicy = { timeoutMs: 15 * 60_000, minDelayMs: 5_000, maxDelayMs: 60_000, maxFailures: Number.POSITIVE_INFINITY };

/** How far below its target a delay may be pulled by jitter, as a share of (target − minimum). */
export const WAIT_JITTER = 0.2;

/** Any part of a wait policy; what is left out (or undefined) takes the default. */
export type WaitPolicyOptions = { [K in keyof WaitPolicy]?: WaitPolicy[K] | undefined };

/** The keys of a wait policy, for code that copies one from a caller's options. */
export const WAIT_POLICY_KEYS = ['timeoutMs', 'minDelayMs', 'maxDelayMs', 'maxFailures'] as const satisfies readonly (keyof WaitPolicy)[];

/** The policy's own options picked from `options` (left out where undefined), so that they can be layered. */
export function pickWaitPolicy(options: WaitPolicyOptions | undefined): WaitPolicyOptions {
  const picked: WaitPolicyOptions = {};
  if (options === undefined) return picked;
  for (const key of WAIT_POLICY_KEYS) if (options[key] !== undefined) picked[key] = options[key];
  return picked;
}

/** The policy with defaults filled in, and what is wrong with it (one phrase per problem). */
export function resolveWaitPolicy(options: WaitPolicyOptions): { policy: WaitPolicy; problems: string[] } {
  const policy: WaitPolicy = {
    timeoutMs: options.timeoutMs ?? DEFAULT_WAIT.timeoutMs,
    minDelayMs: options.minDelayMs ?? DEFAULT_WAIT.minDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_WAIT.maxDelayMs,
    maxFailures: options.maxFailures ?? DEFAULT_WAIT.maxFailures,
  };
  const problems = (['timeoutMs', 'minDelayMs', 'maxDelayMs'] as const)
    .map((key) => durationProblem(key, policy[key], 'positive'))
    .filter((problem): problem is string => problem !== undefined);
  if (problems.length === 0 && policy.maxDelayMs < policy.minDelayMs) problems.push('maxDelayMs must be ≥ minDelayMs');
  const { maxFailures } = policy;
  if (!(maxFailures === Number.POSITIVE_INFINITY || (Number.isSafeInteger(maxFailures) && maxFailures >= 1))) {
    problems.push(`maxFailures must be a whole number ≥ 1 (Infinity: only the deadline), got ${describeValue(maxFailures)}`);
  }
  return { policy, problems };
}

/**
 * Whether a failed check of a wait may come out differently later: a connection that failed, an attempt that timed
 * out, a 5xx, a 408 or a 429. Everything else cannot get better by asking again — 400, 401, 403, 404, 409, a body that
 * is not what the spec says, a redirect loop, a body too large, a deadline that passed — and ends the wait at once.
 * (`isRetryable` is the narrower rule for the retries inside one call: a 500 is not retried at once, but a wait
 * that checks again in a few seconds may well get an answer.)
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof DeadlineExceededError) return false;
  if (error instanceof RateLimitError || error instanceof ConnectionError || error instanceof TimeoutError) return true;
  return error instanceof ApiError && (error.status >= 500 || error.status === 408);
}

/** The first delay after a failed check, at most (a blip then costs a fraction of a second, not a whole delay). */
export const FAILURE_MIN_DELAY_MS = 200;

/**
 * The delay before the check after `failures` failed ones in a row: jittered exponential from
 * `FAILURE_MIN_DELAY_MS`, growing to the delay the schedule would have waited anyway (`scheduleDelayMs`) and never
 * beyond it. A blip is retried at once; a long outage is polled no more often than a healthy server.
 */
export function failureDelay(failures: number, scheduleDelayMs: number, random: () => number = Math.random): number {
  return backoffDelay(failures, { minDelayMs: Math.min(FAILURE_MIN_DELAY_MS, scheduleDelayMs), maxDelayMs: scheduleDelayMs }, random);
}

/** The bounds of the pause a 429 without `Retry-After` sets on its whole provider, growing with 429s in a row. */
export const RATE_LIMIT_PAUSE: BackoffBounds = { minDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * How long every request to a provider waits after it answered 429: what it asked for (`Retry-After`,
 * `X-RateLimit-Reset`), or else a jittered exponential pause (`RATE_LIMIT_PAUSE`) by the 429s in a row (`streak`,
 * this one included).
 */
export function rateLimitPause(retryAfterMs: number | undefined, streak: number, random: () => number = Math.random): number {
  return retryAfterMs ?? backoffDelay(streak, RATE_LIMIT_PAUSE, random);
}

/** One observation of an upload's progress: when (on the wait's clock, epoch ms) and how far (0 to 1). */
export interface ProgressSample {
  at: number;
  fraction: number;
}

/** How many recent progress samples the schedule keeps (and a checkpoint carries). */
export const PROGRESS_WINDOW = 4;

/**
 * The samples after a check made `at` that reported `fraction`: appended, keeping only the last `PROGRESS_WINDOW`.
 * A check without usable progress (none, or outside [0, 1]) clears them, so that old samples are never read as
 * recent ones. A new (or a shared empty, frozen) array; the input is not changed. The wait engine (`wait-step.ts`)
 * records through here.
 */
export function recordProgress(samples: readonly ProgressSample[], at: number, fraction: number | undefined): readonly ProgressSample[] {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) return samples.length === 0 ? samples : NONE;
  return [...samples, { at, fraction }].slice(-PROGRESS_WINDOW);
}

/** The samples of a check without progress: one frozen array for all (a wait holds them between checks). */
const NONE: readonly ProgressSample[] = Object.freeze([]);

/** How far past the expected completion the next check aims, as a share of the time expected to be left. */
export const PROGRESS_MARGIN = 0.1;

/** A rate that differs from the rate before it by more than this factor (either way) is a jump, not a trend. */
export const PROGRESS_JUMP = 2;

/** What the samples say about the time left, when they show steady progress. */
export interface ProgressEstimate {
  /** Expected time from the last sample until the fraction reaches 1, at the observed rate. */
  remainingMs: number;
  /** The estimate made at the previous sample expected completion by the last one (which is not complete). */
  missed: boolean;
}

const isSample = (sample: ProgressSample | undefined): sample is ProgressSample =>
  sample !== undefined && Number.isFinite(sample.at) && sample.fraction >= 0 && sample.fraction <= 1;

const rateBetween = (from: ProgressSample, to: ProgressSample): number => (to.fraction - from.fraction) / (to.at - from.at);

/**
 * The rate the samples show, as the time left, or undefined when they show none worth following (see
 * `nextCheckDelay` for the rule). The samples are oldest first; the last is the check just made.
 */
export function progressEstimate(samples: readonly ProgressSample[]): ProgressEstimate | undefined {
  // The run: the longest tail of the window in which both time and progress strictly increase.
  let start = samples.length - 1;
  if (!isSample(samples[start])) return undefined;
  for (;;) {
    const before = samples[start - 1];
    const after = samples[start] as ProgressSample;
    if (!isSample(before) || !(before.at < after.at && before.fraction < after.fraction)) break;
    start -= 1;
  }
  const run = samples.slice(start);
  // Stalled, gone backwards, or too few samples.
  if (run.length < 2) return undefined;
  // One advance right after a stall or a step back: a jump from no rate to some rate.
  if (run.length === 2 && start > 0) return undefined;
  const previous = run[run.length - 2] as ProgressSample;
  const last = run[run.length - 1] as ProgressSample;
  // The rate an estimate follows: over the last two advances up to `end` (the one there is, early in a run).
  const rateUpTo = (end: number) => rateBetween(run[Math.max(0, end - 2)] as ProgressSample, run[end] as ProgressSample);
  let missed = false;
  if (run.length > 2) {
    const before = rateBetween(run[run.length - 3] as ProgressSample, previous);
    const latest = rateBetween(previous, last);
    if (latest > before * PROGRESS_JUMP || before > latest * PROGRESS_JUMP) return undefined;
    // The estimate made at the previous check (the window still holds its samples): completion by now.
    missed = previous.at + (1 - previous.fraction) / rateUpTo(run.length - 2) <= last.at;
  }
  const remainingMs = (1 - last.fraction) / rateUpTo(run.length - 1);
  // A rate too small for the time left to be a number is a stall.
  return Number.isFinite(remainingMs) ? { remainingMs, missed } : undefined;
}

/**
 * The delay before the next check, after `elapsedMs` of waiting. Always within [minDelayMs, maxDelayMs];
 * `random` is called once per delay.
 *
 * Without progress it is the time-based schedule above. `progress` is the wait's recent samples, oldest first,
 * the last taken at the check just made (a wait whose check reports no progress passes none, so that old samples
 * are not taken for recent ones). They are followed when they show steady progress:
 * - the *run* is the longest tail of the window in which both time and progress strictly increase; it needs two
 *   samples or more, and the whole window when it has only two (one advance right after a stall or a step back
 *   is a jump from no rate);
 * - the last advance's rate is within a factor of `PROGRESS_JUMP` of the one before it (else a jump).
 * The time left is then what is still to go at the rate over the run's last two advances (its only one, early in a
 * wait), and the next check aims `PROGRESS_MARGIN` of that past it: a check that lands a little late costs a
 * little delay, one that lands early a whole check. Aims beyond `maxDelayMs` are approached every `maxDelayMs`;
 * the jitter pulls a delay down by up to a fifth of the way to the shortest one that still reaches the expected
 * completion in as many checks, so it never adds a check. When the last check found the upload unfinished after
 * the completion the previous check's estimate expected (the window still holds that estimate's samples), the
 * estimate is receding — progress slowing near the end — and the delay is never shorter than the time-based one:
 * a wait never falls into checking at the minimum delay. Everything else — a stall, a step back, a jump, a single
 * sample, a sample that is not a finite time with a fraction in [0, 1], a rate too slow for the time left to be a
 * finite number — gives the time-based schedule, exactly as without progress.
 */
export function nextCheckDelay(
  elapsedMs: number,
  policy: Pick<WaitPolicy, 'minDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
  progress: readonly ProgressSample[] = [],
): number {
  const draw = random();
  const target = Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, elapsedMs / 4));
  const timeBased = Math.round(target - draw * WAIT_JITTER * (target - policy.minDelayMs));
  const estimate = progressEstimate(progress);
  if (estimate === undefined) return timeBased;
  const { remainingMs } = estimate;
  const due = remainingMs * (1 + PROGRESS_MARGIN);
  const aim = Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, due));
  // The fewest checks that reach the expected completion, and the shortest delay that still leaves it that few.
  const checks = Math.max(1, Math.ceil(remainingMs / policy.maxDelayMs));
  const earliest = Math.min(aim, Math.max(policy.minDelayMs, remainingMs - (checks - 1) * policy.maxDelayMs));
  const delay = Math.round(aim - draw * WAIT_JITTER * (aim - earliest));
  return estimate.missed ? Math.max(delay, timeBased) : delay;
}

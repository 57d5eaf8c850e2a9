/**
 * The wait engine. Every decision of a wait — which states end it and how, the deadline, which failures are worth
 * another check, when the next check is due (the progress-aware schedule, a failure's backoff, a `Retry-After`), and
 * what its error says — is made here, by one pure function: `stepWait(rules, state, event, now)` returns the new
 * state and what to do next (check now, sleep until a time, or settle with an outcome).
 *
 * The drivers apply it and decide nothing: the facade's watcher (`wait`, `watch`, `waitAll`, `resume`, and so the
 * CLI), and `@upstat/queue`'s job step. A driver feeds the step an event — the wait is due, its deadline came, a
 * check returned a status or threw, the caller aborted — and does what the step says. State is plain data (the
 * queue stores it in Redis between checks); times are epoch milliseconds on the driver's clock.
 */
import {
  AbortError,
  capText,
  ConfigurationError,
  DeadlineExceededError,
  failureSummary,
  ApiError,
  InvalidArgumentError,
  RateLimitError,
  UploadFailedError,
  WaitTimeoutError,
  type WaitTimeoutReason,
} from './errors.js';
import {
  failureDelay,
  isTransient,
  MAX_DURATION_MS,
  nextCheckDelay,
  pickWaitPolicy,
  PROGRESS_WINDOW,
  recordProgress,
  resolveWaitPolicy,
  type ProgressSample,
  type WaitPolicy,
  type WaitPolicyOptions,
} from './policy.js';
import { CANONICAL_STATES, type CanonicalState, type ProviderStatus } from './status.js';

// ---------------------------------------------------------------------------------------------------------
// What a wait is

/** What a wait is asked to do, fixed when it starts. */
export interface WaitRules {
  /** The schedule, the deadline's length and when failures end it (`maxFailures`). */
  policy: WaitPolicy;
  /** Terminal states that end the wait with the status (`ok`); any other terminal state is `UploadFailedError`. */
  accept: readonly CanonicalState[];
  /** Non-terminal states that end the wait with the status, e.g. `action_required`. */
  stopOn: readonly CanonicalState[];
}

/** Who is waiting for what, for the errors a wait ends with. */
export interface WaitSubject {
  /** Provider id, e.g. `nullspace`. */
  provider: string;
  /** The provider's display name, e.g. `Nullspace`. */
  providerName: string;
  /** e.g. `upload nullspace:sb_a1b2c3d4/upl_7Qm2x9K4` */
  label: string;
}

/** Where a wait stands: plain data, replaced (never changed) by each step. */
export interface WaitState<S> {
  readonly startedAt: number;
  readonly deadline: number;
  /** Checks made: each request whose answer (a status or an error) the wait saw. */
  readonly checks: number;
  /** Checks in a row that failed for a reason that may pass (reset by a status). */
  readonly failures: number;
  /** How many of those were 429s (they pause, and never count against `maxFailures`). */
  readonly rateLimited: number;
  /** Recent progress samples, oldest first, at most `PROGRESS_WINDOW`. */
  readonly progress: readonly ProgressSample[];
  /** The last status seen (none after a resume until a check returns one). */
  readonly last: S | undefined;
  /** The error of the last check that failed. */
  readonly lastError: unknown;
  /** The state of the last status seen (a resumed wait's comes from its checkpoint): one that differs is an update. */
  readonly lastState: string | undefined;
  /** Its progress, as a fraction: one that differs is an update too. */
  readonly lastProgress: number | undefined;
}

/** What happened to a wait, as its driver tells the step. */
export type WaitEvent<S> =
  /** The wait starts, a sleep ended, or a check is about to start: the step says whether it may. */
  | { type: 'due' }
  /** The deadline came: a sleep the step marked `expire` ended, or it came while a check waited for its turn. */
  | { type: 'deadline' }
  | { type: 'checked'; status: S }
  | { type: 'failed'; error: unknown }
  | { type: 'aborted'; reason?: unknown };

/** How a wait ended. */
export type WaitOutcome<S> = { ok: true; status: S } | { ok: false; error: Error };

/** What the driver does next. */
export type WaitAction<S> =
  /** Make a check now (as soon as the request budget lets it start). */
  | { type: 'check' }
  /** Nothing until `until`; then feed `deadline` if `expire`, else `due`. */
  | { type: 'sleep'; until: number; expire: boolean }
  | { type: 'settle'; outcome: WaitOutcome<S> };

export interface WaitStep<S> {
  state: WaitState<S>;
  action: WaitAction<S>;
  /** The status just seen, when its state or progress differs from the last one seen: call `onUpdate` with it. */
  update?: S | undefined;
  /** The failure the wait carries on past (it will check again). */
  retrying?: unknown;
}

// ---------------------------------------------------------------------------------------------------------
// The step

/**
 * One step of a wait: from its state and what just happened, at `now`, the next state and what to do.
 *
 * - `due`: a check may start only before the deadline; at or after it the wait ends with `WaitTimeoutError`.
 * - `checked`: a terminal state, or one of `stopOn`, ends the wait (`ok` when accepted or in `stopOn`, else
 *   `UploadFailedError`); otherwise the next check comes after `nextCheckDelay` (progress-aware).
 * - `failed`: a `DeadlineExceededError` (the check was cut off at the deadline) ends it with `WaitTimeoutError`;
 *   a failure that may pass (`isTransient`) is checked again after `failureDelay`, and not before the `Retry-After`
 *   the provider asked for — when that is past the deadline, the wait ends at once with a `WaitTimeoutError` saying
 *   so; `maxFailures` such failures in a row (429s aside) end it the same way; any other failure ends it as it is.
 * - `deadline`: `WaitTimeoutError`. `aborted`: `AbortError`. Both carry the last status seen.
 *
 * No check starts at or after the deadline: a delay that reaches it becomes a sleep until the deadline, then the end.
 * `random` (in [0, 1)) jitters the delays.
 */
export function stepWait<S extends ProviderStatus>(
  rules: WaitRules,
  state: WaitState<S>,
  event: WaitEvent<S>,
  now: number,
  subject: WaitSubject,
  random: () => number = Math.random,
): WaitStep<S> {
  switch (event.type) {
    case 'due':
      if (now >= state.deadline) return settle(state, timedOut(state, now, subject, 'deadline'));
      return { state, action: { type: 'check' } };
    case 'deadline':
      return settle(state, timedOut(state, now, subject, 'deadline'));
    case 'aborted':
      return settle(state, aborted(state, subject, event.reason));
    case 'checked':
      return checked(rules, state, event.status, now, subject, random);
    case 'failed':
      return failed(rules, state, event.error, now, subject, random);
  }
}

function settle<S>(state: WaitState<S>, error: Error): WaitStep<S> {
  return { state, action: { type: 'settle', outcome: { ok: false, error } } };
}

/** Sleeps `delayMs`, or until the deadline when the delay reaches it (and then the wait ends). */
function sleep<S>(state: WaitState<S>, now: number, delayMs: number): WaitAction<S> {
  const until = now + delayMs;
  return until >= state.deadline ? { type: 'sleep', until: state.deadline, expire: true } : { type: 'sleep', until, expire: false };
}

function checked<S extends ProviderStatus>(
  rules: WaitRules,
  state: WaitState<S>,
  status: S,
  now: number,
  subject: WaitSubject,
  random: () => number,
): WaitStep<S> {
  const fraction = status.progress?.fraction;
  const next: WaitState<S> = {
    ...state,
    checks: state.checks + 1,
    failures: 0,
    rateLimited: 0,
    last: status,
    progress: recordProgress(state.progress, now, fraction),
    lastState: status.state,
    lastProgress: fraction,
  };
  const update = status.state === state.lastState && fraction === state.lastProgress ? undefined : status;
  const stops = rules.stopOn.includes(status.state);
  if (status.terminal || stops) {
    const outcome: WaitOutcome<S> =
      stops || rules.accept.includes(status.state)
        ? { ok: true, status }
        : { ok: false, error: uploadFailedError(status, subject.label, subject.providerName) };
    return { state: next, action: { type: 'settle', outcome }, update };
  }
  if (now >= next.deadline) return { ...settle(next, timedOut(next, now, subject, 'deadline')), update };
  const delay = nextCheckDelay(now - next.startedAt, rules.policy, random, next.progress);
  return { state: next, action: sleep(next, now, delay), update };
}

function failed<S extends ProviderStatus>(
  rules: WaitRules,
  state: WaitState<S>,
  error: unknown,
  now: number,
  subject: WaitSubject,
  random: () => number,
): WaitStep<S> {
  // Cut off at the deadline (or not sent, the deadline having passed): the deadline's end, not a check.
  if (error instanceof DeadlineExceededError) return settle(state, timedOut(state, now, subject, 'deadline', { cause: error }));
  if (!isTransient(error)) {
    const next = { ...state, checks: state.checks + 1, lastError: error };
    return settle(next, error instanceof Error ? error : new Error(String(error), { cause: error }));
  }
  const rateLimited = error instanceof RateLimitError;
  const next: WaitState<S> = {
    ...state,
    checks: state.checks + 1,
    failures: state.failures + 1,
    rateLimited: state.rateLimited + (rateLimited ? 1 : 0),
    lastError: error,
  };
  if (next.failures - next.rateLimited >= rules.policy.maxFailures) {
    return settle(next, timedOut(next, now, subject, 'failures', { maxFailures: rules.policy.maxFailures }));
  }
  const retryAfterMs = error instanceof ApiError ? error.retryAfterMs : undefined;
  if (retryAfterMs !== undefined && now + retryAfterMs >= next.deadline) {
    return settle(next, timedOut(next, now, subject, 'retry-after', { retryAfterMs }));
  }
  // A Retry-After is the earliest the provider wants to be asked again, never a reason to ask sooner than the backoff
  // (a server that answers 429 with "Retry-After: 0" every time is not polled in a tight loop).
  const backoff = failureDelay(next.failures, nextCheckDelay(now - next.startedAt, rules.policy, random, next.progress), random);
  const delay = Math.max(retryAfterMs ?? 0, backoff);
  return { state: next, action: sleep(next, now, delay), retrying: error };
}

// ---------------------------------------------------------------------------------------------------------
// Starting and resuming

/**
 * Everything needed to carry on a wait elsewhere (another process, after a restart): plain JSON.
 * Times are epoch milliseconds, so the deadline and the backoff continue where they were.
 */
export interface WaitCheckpoint {
  version: 1;
  startedAt: number;
  deadline: number;
  /** Checks made so far, failed ones included. */
  checks: number;
  lastState?: string | undefined;
  lastProgress?: number | undefined;
  /**
   * The recent progress samples the schedule follows (`nextCheckDelay`), oldest first, at most `PROGRESS_WINDOW`;
   * left out while no check has reported progress. A checkpoint without it resumes on the time-based schedule
   * until two checks have reported progress again.
   */
  progress?: ProgressSample[] | undefined;
  /** Checks in a row that had failed (left out when none had). */
  failures?: number | undefined;
}

/**
 * The state of a wait that starts at `now`: its deadline `policy.timeoutMs` away. Resumed from a checkpoint (checked
 * with `checkCheckpoint`), it keeps the checkpoint's start, deadline, counts and samples; `timeoutMs`, when the caller
 * gave one with the resume, bounds the resumed part too (the earlier of the two ends it).
 */
/** No progress samples: one array for every wait that has none (waits are many; most never report progress). */
const NO_PROGRESS: readonly ProgressSample[] = Object.freeze([]);

export function startWait<S>(policy: WaitPolicy, now: number, resume?: { checkpoint: WaitCheckpoint; timeoutMs?: number | undefined }): WaitState<S> {
  if (resume === undefined) {
    return {
      startedAt: now,
      deadline: now + policy.timeoutMs,
      checks: 0,
      failures: 0,
      rateLimited: 0,
      progress: NO_PROGRESS,
      last: undefined,
      lastError: undefined,
      lastState: undefined,
      lastProgress: undefined,
    };
  }
  const { checkpoint, timeoutMs } = resume;
  return {
    startedAt: checkpoint.startedAt,
    deadline: Math.min(checkpoint.deadline, timeoutMs === undefined ? Number.POSITIVE_INFINITY : now + timeoutMs),
    checks: checkpoint.checks,
    failures: checkpoint.failures ?? 0,
    rateLimited: 0,
    progress: checkpoint.progress ?? NO_PROGRESS,
    last: undefined,
    lastError: undefined,
    lastState: checkpoint.lastState,
    lastProgress: checkpoint.lastProgress,
  };
}

/** The checkpoint of a wait's state, for `onCheckpoint`. */
export function checkpointOf<S extends ProviderStatus>(state: WaitState<S>): WaitCheckpoint {
  return {
    version: 1,
    startedAt: state.startedAt,
    deadline: state.deadline,
    checks: state.checks,
    lastState: state.lastState,
    lastProgress: state.lastProgress,
    ...(state.progress.length === 0 ? {} : { progress: state.progress.map((sample) => ({ ...sample })) }),
    ...(state.failures === 0 ? {} : { failures: state.failures }),
  };
}


/** The policy with defaults filled in; a `ConfigurationError` naming each bad option otherwise. */
export function checkWaitPolicy(provider: string, options: WaitPolicyOptions, where = 'wait'): WaitPolicy {
  const { policy, problems } = resolveWaitPolicy(options);
  if (problems.length > 0) throw new ConfigurationError(`${where}: ${problems.join('; ')}.`, { provider });
  return policy;
}

/** A wait's options as a caller gives them (any JavaScript value may come in). */
export type WaitRuleOptions = WaitPolicyOptions & { accept?: unknown; stopOn?: unknown };

/**
 * A wait's rules from the caller's options over `defaults` (the instance's or the queue's), each checked: a
 * `ConfigurationError` for a bad policy, an `InvalidArgumentError` naming `accept` or `stopOn` when one is not a list
 * of canonical states. `where` starts the message (`wait`, `add`).
 */
export function waitRules(options: WaitRuleOptions, defaults: WaitPolicyOptions | undefined, where = 'wait'): WaitRules {
  const policy = checkWaitPolicy('upstat', { ...pickWaitPolicy(defaults), ...pickWaitPolicy(options) }, where);
  const states = (name: 'accept' | 'stopOn', fallback: readonly CanonicalState[]): readonly CanonicalState[] => {
    const given = options[name];
    if (given === undefined) return fallback;
    if (!Array.isArray(given) || !given.every((state) => (CANONICAL_STATES as readonly unknown[]).includes(state))) {
      throw new InvalidArgumentError(`${where}: ${name} must be a list of states from ${CANONICAL_STATES.join(', ')}.`, { provider: 'upstat', argument: name });
    }
    return [...(given as CanonicalState[])];
  };
  return { policy, accept: states('accept', ['succeeded']), stopOn: states('stopOn', []) };
}

/** How far in the future a checkpoint's start may lie (clocks of different machines disagree a little). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Checkpoints come back from storage as untyped JSON: check each field before trusting it, and name the
 * field that is wrong.
 */
export function checkCheckpoint(provider: string, value: unknown, now: number): WaitCheckpoint {
  const fail = (field: string, problem: string) =>
    new ConfigurationError(`wait: cannot resume: checkpoint.${field} ${problem}.`, { provider });
  if (value === null || typeof value !== 'object') throw fail('', 'is missing: expected the object passed to onCheckpoint');
  const { version, startedAt, deadline, checks, lastState, lastProgress, progress, failures } = value as Partial<Record<keyof WaitCheckpoint, unknown>>;
  const shown = (field: unknown) => (typeof field === 'number' ? String(field) : field === null ? 'null' : typeof field);
  if (version !== 1) throw fail('version', `must be 1, got ${shown(version)}`);
  if (typeof startedAt !== 'number' || !Number.isFinite(startedAt)) {
    throw fail('startedAt', `must be a finite time in epoch milliseconds, got ${shown(startedAt)}`);
  }
  if (startedAt > now + CLOCK_SKEW_MS) throw fail('startedAt', 'lies in the future');
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) {
    throw fail('deadline', `must be a finite time in epoch milliseconds, got ${shown(deadline)}`);
  }
  if (deadline < startedAt) throw fail('deadline', 'is before startedAt');
  if (deadline - startedAt > MAX_DURATION_MS) {
    throw fail('deadline', `is ${deadline - startedAt} ms after startedAt; a wait lasts at most ${MAX_DURATION_MS} ms (30 days)`);
  }
  for (const [field, count] of [['checks', checks], ['failures', failures ?? 0]] as const) {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw fail(field, `must be a whole number ≥ 0, got ${shown(count)}`);
  }
  if (lastState !== undefined && lastState !== null && typeof lastState !== 'string') throw fail('lastState', 'must be a string');
  if (
    lastProgress !== undefined &&
    lastProgress !== null &&
    (typeof lastProgress !== 'number' || !(lastProgress >= 0 && lastProgress <= 1))
  ) {
    throw fail('lastProgress', `must be a number from 0 to 1, got ${shown(lastProgress)}`);
  }
  const checked: WaitCheckpoint = {
    version,
    startedAt,
    deadline,
    checks: checks as number,
    lastState: typeof lastState === 'string' ? lastState : undefined,
    lastProgress: typeof lastProgress === 'number' ? lastProgress : undefined,
    ...(typeof failures === 'number' && failures > 0 ? { failures } : {}),
  };
  if (progress === undefined || progress === null) return checked;
  if (!Array.isArray(progress)) throw fail('progress', `must be an array of samples { at, fraction }, got ${shown(progress)}`);
  if (progress.length > PROGRESS_WINDOW) throw fail('progress', `holds at most ${PROGRESS_WINDOW} samples, got ${progress.length}`);
  const samples: ProgressSample[] = [];
  for (const [index, sample] of (progress as unknown[]).entries()) {
    if (sample === null || typeof sample !== 'object') throw fail(`progress[${index}]`, `must be a sample { at, fraction }, got ${shown(sample)}`);
    const { at, fraction } = sample as Partial<Record<keyof ProgressSample, unknown>>;
    if (typeof at !== 'number' || !Number.isFinite(at)) {
      throw fail(`progress[${index}].at`, `must be a finite time in epoch milliseconds, got ${shown(at)}`);
    }
    if (at < startedAt) throw fail(`progress[${index}].at`, 'is before startedAt');
    if (at > now + CLOCK_SKEW_MS) throw fail(`progress[${index}].at`, 'lies in the future');
    const before = samples.at(-1);
    if (before !== undefined && at <= before.at) throw fail(`progress[${index}].at`, `must be later than progress[${index - 1}].at`);
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
      throw fail(`progress[${index}].fraction`, `must be a number from 0 to 1, got ${shown(fraction)}`);
    }
    samples.push({ at, fraction });
  }
  return { ...checked, progress: samples };
}

// ---------------------------------------------------------------------------------------------------------
// How a wait ends: one message for every driver

/** A duration for people: `850 ms`, `20 s`, `14.5 min`, `2 h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** The advice that ends the message of a wait whose deadline passed (a command line gives its own flag instead). */
export const WAIT_LONGER = 'Wait longer with a larger timeoutMs.';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What the wait saw, for its error: checks, the last state and progress, and the failures at the end. */
function seenSoFar<S extends ProviderStatus>(state: WaitState<S>, now: number, withFailures: boolean): string {
  const { lastState, lastProgress: fraction } = state;
  const parts = [
    `${plural(state.checks, 'check')} in ${formatDuration(now - state.startedAt)}`,
    lastState === undefined ? 'no status seen' : `last state ${lastState}${fraction === undefined ? '' : `, ${Math.floor(fraction * 100)}%`}`,
  ];
  if (withFailures && state.failures > 0) {
    parts.push(`${state.failures === 1 ? 'the last check' : `the last ${state.failures} checks`} failed: ${failureSummary(state.lastError)}`);
  }
  return parts.join('; ');
}

function timedOut<S extends ProviderStatus>(
  state: WaitState<S>,
  now: number,
  subject: WaitSubject,
  reason: WaitTimeoutReason,
  extra: { cause?: unknown; retryAfterMs?: number; maxFailures?: number } = {},
): WaitTimeoutError<S> {
  const within = `${subject.label} did not finish within ${formatDuration(state.deadline - state.startedAt)}`;
  const gaveUp = `so the wait gave up after ${formatDuration(now - state.startedAt)}`;
  const message =
    reason === 'retry-after'
      ? `${within}: ${subject.providerName} asks to retry after ${formatDuration(extra.retryAfterMs ?? 0)}, past the deadline, ${gaveUp} (${seenSoFar(state, now, false)}). ${WAIT_LONGER}`
      : reason === 'failures'
        ? `${within}: ${state.failures === 1 ? 'its check' : `the last ${state.failures} checks`} failed (${failureSummary(state.lastError)}), ${gaveUp} ` +
          `(maxFailures ${extra.maxFailures}; ${seenSoFar(state, now, false)}).`
        : `${within} (${seenSoFar(state, now, true)}). ${WAIT_LONGER}`;
  return new WaitTimeoutError<S>(message, {
    provider: subject.provider,
    lastStatus: state.last,
    lastError: state.lastError,
    elapsedMs: now - state.startedAt,
    checks: state.checks,
    reason,
    cause: extra.cause ?? state.lastError,
  });
}

function aborted<S extends ProviderStatus>(state: WaitState<S>, subject: WaitSubject, reason: unknown): AbortError<S> {
  return new AbortError<S>(`Waiting for ${subject.label} was aborted after ${plural(state.checks, 'check')}.`, {
    provider: subject.provider,
    cause: reason,
    lastStatus: state.last,
    checks: state.checks,
  });
}

/** The `UploadFailedError` of a wait that reached a terminal state it does not accept. */
export function uploadFailedError<Status extends ProviderStatus>(final: Status, label: string, providerName: string): UploadFailedError<Status> {
  // The vendor's value and detail come from a body the client has already redacted; they are only shortened.
  return new UploadFailedError<Status>(
    `${label} ended ${final.state} (${providerName} status ${JSON.stringify(capText(String(final.raw.state), 100))})` +
      `${final.detail ? `: ${capText(final.detail, 300)}` : ''}.`,
    { provider: final.provider, state: final.state, finalStatus: final },
  );
}

import { systemClock, type Clock } from './clock.js';
import { AbortError, capText, ConfigurationError, DeadlineExceededError, UploadFailedError, WaitTimeoutError } from './errors.js';
import {
  MAX_DURATION_MS,
  nextCheckDelay,
  PROGRESS_WINDOW,
  recordProgress,
  resolveWaitPolicy,
  type ProgressSample,
  type WaitPolicy,
  type WaitPolicyOptions,
} from './policy.js';
import type { ProviderStatus } from './status.js';

/**
 * The loop that waits: it applies the schedule from `policy.ts` and enforces the deadline. A wait ends by its
 * deadline: the check in flight is given the deadline (the clients cut their attempt off there and never
 * start a retry wait that would pass it), no check starts at or after it, and the outcome is then
 * `WaitTimeoutError` carrying the last status seen.
 */

/**
 * Everything needed to carry on a wait elsewhere (another process, after a restart): plain JSON.
 * Times are epoch milliseconds, so the deadline and the backoff continue where they were.
 */
export interface WaitCheckpoint {
  version: 1;
  startedAt: number;
  deadline: number;
  /** Checks made so far. */
  checks: number;
  lastState?: string | undefined;
  lastProgress?: number | undefined;
  /**
   * The recent progress samples the schedule follows (`nextCheckDelay`), oldest first, at most `PROGRESS_WINDOW`;
   * left out while no check has reported progress. A checkpoint without it resumes on the time-based schedule
   * until two checks have reported progress again.
   */
  progress?: ProgressSample[] | undefined;
}

/** What the loop needs to know about each status it sees. */
export interface Observation {
  state: string;
  /** Progress in [0, 1], when known. */
  progress?: number | undefined;
  /** Stop waiting and return this status. */
  done: boolean;
}

/** What each check is given: the signal to stop on, and the time (on the wait's clock) it must end by. */
export interface CheckContext {
  signal: AbortSignal | undefined;
  deadline: number;
}

export interface WaitLoopOptions<Status> extends WaitPolicyOptions {
  /** Ends the wait at once with `AbortError`; no check is started after it fires. */
  signal?: AbortSignal | undefined;
  /** Called with a status whenever its state or progress differs from the previous one. */
  onUpdate?: ((status: Status) => void) | undefined;
  /** Called after every check with a checkpoint to persist, for `resume`. */
  onCheckpoint?: ((checkpoint: WaitCheckpoint) => void) | undefined;
  /**
   * Carry on a wait from a checkpoint instead of starting a new one. Its deadline holds; a `timeoutMs` given
   * with it bounds the resumed part too (the earlier of the two ends the wait).
   */
  resume?: WaitCheckpoint | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
}

/** Who is waiting for what, for error messages. */
export interface WaitSubject {
  provider: string;
  /** e.g. `upload pandadoc:BhVz…/LQ6c…` */
  label: string;
}

/** The policy with defaults filled in; a `ConfigurationError` naming each bad option otherwise. */
export function checkWaitPolicy(provider: string, options: WaitPolicyOptions): WaitPolicy {
  const { policy, problems } = resolveWaitPolicy(options);
  if (problems.length > 0) throw new ConfigurationError(`wait: ${problems.join('; ')}.`, { provider });
  return policy;
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
  const { version, startedAt, deadline, checks, lastState, lastProgress, progress } = value as Partial<Record<keyof WaitCheckpoint, unknown>>;
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
  if (typeof checks !== 'number' || !Number.isInteger(checks) || checks < 0) {
    throw fail('checks', `must be a whole number ≥ 0, got ${shown(checks)}`);
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
    checks,
    lastState: typeof lastState === 'string' ? lastState : undefined,
    lastProgress: typeof lastProgress === 'number' ? lastProgress : undefined,
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

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

/** What every waiting loop (this one, the facade's watcher, the queue) knows when a wait runs out of time. */
export interface WaitEnd<Status> {
  subject: WaitSubject;
  startedAt: number;
  deadline: number;
  /** When it ended, on the wait's clock. */
  at: number;
  checks: number;
  last: Status | undefined;
  lastState: string | undefined;
  /** How to wait longer, for this loop. */
  advice: string;
  cause?: unknown;
}

/** The `WaitTimeoutError` of a wait that ran out of time: one message for every waiting loop. */
export function waitTimeoutError<Status>(end: WaitEnd<Status>): WaitTimeoutError<Status> {
  return new WaitTimeoutError<Status>(
    `${end.subject.label} did not finish within ${formatDuration(end.deadline - end.startedAt)} ` +
      `(${end.lastState === undefined ? 'no status seen' : `last state ${end.lastState}`}, ${end.checks} check(s)). ${end.advice}`,
    { provider: end.subject.provider, lastStatus: end.last, elapsedMs: end.at - end.startedAt, checks: end.checks, cause: end.cause },
  );
}

/** The `UploadFailedError` of a wait that reached a terminal state it does not accept: one message for every loop. */
export function uploadFailedError<Status extends ProviderStatus>(final: Status, label: string, providerName: string): UploadFailedError<Status> {
  // The vendor's value and detail come from a body the client has already redacted; they are only shortened.
  return new UploadFailedError<Status>(
    `${label} ended ${final.state} (${providerName} status ${JSON.stringify(capText(String(final.raw.state), 100))})` +
      `${final.detail ? `: ${capText(final.detail, 300)}` : ''}.`,
    { provider: final.provider, state: final.state, finalStatus: final },
  );
}

/**
 * Checks with `check` until `observe` says done, the deadline passes (`WaitTimeoutError` carrying the
 * last status) or the signal aborts (`AbortError`). Errors from `check` end the wait as they are, except a
 * `DeadlineExceededError`, which is the deadline passing: the clients already retry what is worth retrying.
 * `check` must honour the context's signal and deadline (the provider clients do, through `CallOptions`).
 */
export async function waitUntil<Status>(
  check: (context: CheckContext) => Promise<Status>,
  observe: (status: Status) => Observation,
  subject: WaitSubject,
  options: WaitLoopOptions<Status> = {},
): Promise<Status> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const { signal } = options;
  const policy = checkWaitPolicy(subject.provider, options);
  const now = clock.now();
  const resumed = options.resume === undefined ? undefined : checkCheckpoint(subject.provider, options.resume, now);
  const startedAt = resumed?.startedAt ?? now;
  const deadline =
    resumed === undefined
      ? startedAt + policy.timeoutMs
      : Math.min(resumed.deadline, options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : now + policy.timeoutMs);
  let checks = resumed?.checks ?? 0;
  let previous = resumed ? `${resumed.lastState}|${resumed.lastProgress}` : undefined;
  let last: Status | undefined;
  let lastState = resumed?.lastState;
  let progress: ProgressSample[] = resumed?.progress ?? [];
  const aborted = () =>
    new AbortError(`Waiting for ${subject.label} was aborted after ${checks} check(s).`, {
      provider: subject.provider,
      cause: signal?.reason,
    });
  const timedOut = (cause?: unknown) =>
    waitTimeoutError<Status>({
      subject,
      startedAt,
      deadline,
      at: clock.now(),
      checks,
      last,
      lastState,
      advice: 'Wait longer with a larger timeoutMs, or resume from the last checkpoint.',
      cause,
    });

  for (;;) {
    if (signal?.aborted) throw aborted();
    if (clock.now() >= deadline) throw timedOut();
    let status: Status;
    try {
      status = await check({ signal, deadline });
    } catch (error) {
      if (signal?.aborted) throw aborted();
      if (error instanceof DeadlineExceededError) throw timedOut(error);
      throw error;
    }
    checks += 1;
    last = status;
    const seen = observe(status);
    lastState = seen.state;
    const key = `${seen.state}|${seen.progress}`;
    if (key !== previous) {
      previous = key;
      options.onUpdate?.(status);
    }
    // The schedule takes the last sample for the check just made.
    progress = recordProgress(progress, clock.now(), seen.progress);
    options.onCheckpoint?.({
      version: 1,
      startedAt,
      deadline,
      checks,
      lastState: seen.state,
      lastProgress: seen.progress,
      ...(progress.length === 0 ? {} : { progress: progress.map((sample) => ({ ...sample })) }),
    });
    if (seen.done) return status;

    const remaining = deadline - clock.now();
    if (remaining <= 0) throw timedOut();
    // The last delay is cut to the deadline; no check starts at or after it. A timer runs on a monotonic clock
    // and can end a millisecond before the deadline by `clock.now()`, so a cut delay ends the wait by itself.
    const next = nextCheckDelay(clock.now() - startedAt, policy, random, progress);
    try {
      await clock.sleep(Math.min(next, remaining), signal);
    } catch {
      throw aborted();
    }
    if (next >= remaining) throw timedOut();
  }
}

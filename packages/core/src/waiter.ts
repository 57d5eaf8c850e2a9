import { systemClock, type Clock } from './clock.js';
import { AbortError, ConfigurationError, DeadlineExceededError, WaitTimeoutError } from './errors.js';
import { MAX_DURATION_MS, nextCheckDelay, resolveWaitPolicy, type WaitPolicy, type WaitPolicyOptions } from './policy.js';

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
  const { version, startedAt, deadline, checks, lastState, lastProgress } = value as Partial<Record<keyof WaitCheckpoint, unknown>>;
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
  return {
    version,
    startedAt,
    deadline,
    checks,
    lastState: typeof lastState === 'string' ? lastState : undefined,
    lastProgress: typeof lastProgress === 'number' ? lastProgress : undefined,
  };
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
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
  const aborted = () =>
    new AbortError(`Waiting for ${subject.label} was aborted after ${checks} check(s).`, {
      provider: subject.provider,
      cause: signal?.reason,
    });
  const timedOut = (cause?: unknown) => {
    const at = clock.now();
    return new WaitTimeoutError<Status>(
      `${subject.label} did not finish within ${formatDuration(deadline - startedAt)} ` +
        `(${lastState === undefined ? 'no status seen' : `last state ${lastState}`}, ${checks} check(s)). ` +
        'Wait longer with a larger timeoutMs, or resume from the last checkpoint.',
      { provider: subject.provider, lastStatus: last, elapsedMs: at - startedAt, checks, cause },
    );
  };

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
    options.onCheckpoint?.({ version: 1, startedAt, deadline, checks, lastState: seen.state, lastProgress: seen.progress });
    if (seen.done) return status;

    const remaining = deadline - clock.now();
    if (remaining <= 0) throw timedOut();
    // The last delay is cut to the deadline; no check starts at or after it. A timer runs on a monotonic clock
    // and can end a millisecond before the deadline by `clock.now()`, so a cut delay ends the wait by itself.
    const next = nextCheckDelay(clock.now() - startedAt, policy, random);
    try {
      await clock.sleep(Math.min(next, remaining), signal);
    } catch {
      throw aborted();
    }
    if (next >= remaining) throw timedOut();
  }
}

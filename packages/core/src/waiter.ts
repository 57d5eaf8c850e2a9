import { systemClock, type Clock } from './clock.js';
import { AbortError, ConfigurationError, WaitTimeoutError } from './errors.js';

/**
 * Polling until something finishes, in the manner of the AWS SDK waiters and Azure's long-running
 * operation pollers: check at once, then wait a growing, jittered delay between a minimum and a
 * maximum, and give up after a bounded total time.
 *
 * The delay is a quarter of the time waited so far (so checks thin out exponentially, ×1.25), never
 * below `minDelayMs` nor above `maxDelayMs`, jittered down by up to a fifth of the way to the minimum.
 * Because no delay exceeds a quarter of the elapsed time (or the minimum), completion is noticed within
 * 25% of the time it took, or within `minDelayMs` — while a long wait costs a few dozen checks, not hundreds.
 */
export interface WaitPolicy {
  /** Give up after this long in total (resumed waits included). Default 15 minutes. */
  timeoutMs: number;
  /** Shortest delay between checks. Default 5 s. */
  minDelayMs: number;
  /** Longest delay between checks. Default 60 s. */
  maxDelayMs: number;
}

export const DEFAULT_WAIT: WaitPolicy = { timeoutMs: 15 * 60_000, minDelayMs: 5_000, maxDelayMs: 60_000 };

/** How far below its target a delay may be pulled by jitter, as a share of (target − minimum). */
export const WAIT_JITTER = 0.2;

/** The delay before the next check, after `elapsedMs` of waiting. Always within [minDelayMs, maxDelayMs]. */
export function nextCheckDelay(elapsedMs: number, policy: WaitPolicy, random: () => number = Math.random): number {
  const target = Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, elapsedMs / 4));
  return Math.round(target - random() * WAIT_JITTER * (target - policy.minDelayMs));
}

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

/** Any part of a wait policy; what is left out (or undefined) takes the default. */
export type WaitPolicyOptions = { [K in keyof WaitPolicy]?: WaitPolicy[K] | undefined };

export interface WaitLoopOptions<Status> extends WaitPolicyOptions {
  /** Ends the wait at once with `AbortError`; no check is started after it fires. */
  signal?: AbortSignal | undefined;
  /** Called with a status whenever its state or progress differs from the previous one. */
  onUpdate?: ((status: Status) => void) | undefined;
  /** Called after every check with a checkpoint to persist, for `resume`. */
  onCheckpoint?: ((checkpoint: WaitCheckpoint) => void) | undefined;
  /** Carry on a wait from a checkpoint instead of starting a new one. */
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

export function resolveWaitPolicy(provider: string, options: WaitPolicyOptions): WaitPolicy {
  const policy: WaitPolicy = {
    timeoutMs: options.timeoutMs ?? DEFAULT_WAIT.timeoutMs,
    minDelayMs: options.minDelayMs ?? DEFAULT_WAIT.minDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_WAIT.maxDelayMs,
  };
  const problems: string[] = [];
  if (!Number.isFinite(policy.timeoutMs) || policy.timeoutMs <= 0) problems.push('timeoutMs must be a number > 0');
  if (!Number.isFinite(policy.minDelayMs) || policy.minDelayMs <= 0) problems.push('minDelayMs must be a number > 0');
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < policy.minDelayMs) {
    problems.push('maxDelayMs must be a number ≥ minDelayMs');
  }
  if (problems.length > 0) throw new ConfigurationError(`wait: ${problems.join('; ')}.`, { provider });
  return policy;
}

/** Checkpoints come back from storage as untyped JSON; check their shape before trusting them. */
function checkCheckpoint(provider: string, value: unknown): void {
  const { version, startedAt, deadline, checks } = (value ?? {}) as Partial<Record<keyof WaitCheckpoint, unknown>>;
  const valid =
    version === 1 &&
    typeof startedAt === 'number' &&
    typeof deadline === 'number' &&
    Number.isFinite(startedAt) &&
    deadline >= startedAt &&
    typeof checks === 'number' &&
    Number.isInteger(checks) &&
    checks >= 0;
  if (!valid) {
    throw new ConfigurationError('wait: the checkpoint to resume from is not a version 1 wait checkpoint.', { provider });
  }
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

/**
 * Checks with `check` until `observe` says done, the deadline passes (`WaitTimeoutError` carrying the
 * last status) or the signal aborts (`AbortError`). Errors from `check` end the wait as they are:
 * the clients already retry what is worth retrying.
 */
export async function waitUntil<Status>(
  check: (signal: AbortSignal | undefined) => Promise<Status>,
  observe: (status: Status) => Observation,
  subject: WaitSubject,
  options: WaitLoopOptions<Status> = {},
): Promise<Status> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const { signal } = options;
  const policy = resolveWaitPolicy(subject.provider, options);
  if (options.resume) checkCheckpoint(subject.provider, options.resume);
  const startedAt = options.resume?.startedAt ?? clock.now();
  const deadline = options.resume?.deadline ?? startedAt + policy.timeoutMs;
  let checks = options.resume?.checks ?? 0;
  let previous = options.resume ? `${options.resume.lastState}|${options.resume.lastProgress}` : undefined;
  let last: Status | undefined;
  const aborted = () =>
    new AbortError(`Waiting for ${subject.label} was aborted after ${checks} check(s).`, {
      provider: subject.provider,
      cause: signal?.reason,
    });

  for (;;) {
    if (signal?.aborted) throw aborted();
    const status = await check(signal);
    checks += 1;
    last = status;
    const seen = observe(status);
    const key = `${seen.state}|${seen.progress}`;
    if (key !== previous) {
      previous = key;
      options.onUpdate?.(status);
    }
    options.onCheckpoint?.({ version: 1, startedAt, deadline, checks, lastState: seen.state, lastProgress: seen.progress });
    if (seen.done) return status;

    const now = clock.now();
    const remaining = deadline - now;
    if (remaining <= 0) {
      throw new WaitTimeoutError<Status>(
        `${subject.label} did not finish within ${formatDuration(deadline - startedAt)} ` +
          `(last state ${seen.state}, ${checks} check(s)). Wait longer with a larger timeoutMs, or resume from the last checkpoint.`,
        { provider: subject.provider, lastStatus: last, elapsedMs: now - startedAt, checks },
      );
    }
    // The last delay is cut to the deadline, so the final check happens right at it.
    const delay = Math.min(nextCheckDelay(now - startedAt, policy, random), remaining);
    try {
      await clock.sleep(delay, signal);
    } catch {
      throw aborted();
    }
  }
}

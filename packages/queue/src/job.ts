import { CANONICAL_STATES, MAX_DURATION_MS, PROGRESS_WINDOW, type CanonicalState, type ProgressSample } from '@upstat/core';

/**
 * A wait, carried by its job from one check to the next: its rules and the wait engine's state (core's
 * `WaitRules` and `WaitState`), everything a worker in any process needs to feed the next event to the engine.
 * Plain JSON; times are epoch milliseconds. Fields after `stopOn` were added later and are optional, so that jobs
 * written before them still run.
 */
export interface WaitJobData {
  version: 1;
  /** The ref in its string form. */
  ref: string;
  startedAt: number;
  deadline: number;
  /** The schedule's bounds, fixed when the wait was added. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Checks made so far, failed ones included. */
  checks: number;
  /** Checks in a row that failed for a reason that may pass (reset by every status received). */
  failures: number;
  /** Recent progress samples, oldest first (at most `PROGRESS_WINDOW`). */
  progress: ProgressSample[];
  accept: CanonicalState[];
  stopOn: CanonicalState[];
  /** The last status seen, for the `WaitTimeoutError` of a wait that runs out of time. */
  lastStatus?: unknown;
  /** Failures in a row after which the wait gives up; left out: only its deadline ends it. */
  maxFailures?: number | undefined;
  /** How many of `failures` were 429s. */
  rateLimited?: number | undefined;
  /** The last failed check's error, as its `toJSON()` without the body. */
  lastError?: Record<string, unknown> | undefined;
  /** The job was put off until the wait's deadline: it then ends, without a check. */
  expire?: boolean | undefined;
}

/** Job data came back from Redis: check each field before trusting it, and name the one that is wrong. */
export function parseJobData(value: unknown): WaitJobData {
  const fail = (field: string, problem: string) => new TypeError(`@upstat/queue: job data ${field} ${problem}; was it written by another program?`);
  if (value === null || typeof value !== 'object') throw fail('', 'is not an object');
  const data = value as Partial<Record<keyof WaitJobData, unknown>>;
  if (data.version !== 1) throw fail('version', 'must be 1');
  if (typeof data.ref !== 'string' || data.ref === '') throw fail('ref', 'must be a ref string');
  const times = ['startedAt', 'deadline'] as const;
  for (const field of times) if (typeof data[field] !== 'number' || !Number.isFinite(data[field])) throw fail(field, 'must be a time in epoch ms');
  const durations = ['minDelayMs', 'maxDelayMs'] as const;
  for (const field of durations) {
    const duration = data[field];
    if (typeof duration !== 'number' || !(duration > 0 && duration <= MAX_DURATION_MS)) throw fail(field, 'must be a duration in ms');
  }
  for (const field of ['checks', 'failures'] as const) {
    const count = data[field];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw fail(field, 'must be a whole number ≥ 0');
  }
  if (!Array.isArray(data.progress) || data.progress.length > PROGRESS_WINDOW || !data.progress.every(isSample)) {
    throw fail('progress', `must be up to ${PROGRESS_WINDOW} samples { at, fraction }`);
  }
  if (data.maxFailures !== undefined && !(Number.isSafeInteger(data.maxFailures) && (data.maxFailures as number) >= 1)) throw fail('maxFailures', 'must be a whole number ≥ 1');
  if (data.rateLimited !== undefined && !(Number.isInteger(data.rateLimited) && (data.rateLimited as number) >= 0)) throw fail('rateLimited', 'must be a whole number ≥ 0');
  if (data.lastError !== undefined && (data.lastError === null || typeof data.lastError !== 'object')) throw fail('lastError', 'must be an object');
  if (data.expire !== undefined && typeof data.expire !== 'boolean') throw fail('expire', 'must be a boolean');
  for (const field of ['accept', 'stopOn'] as const) {
    const states = data[field];
    if (!Array.isArray(states) || !states.every((state) => (CANONICAL_STATES as readonly unknown[]).includes(state))) {
      throw fail(field, 'must be a list of canonical states');
    }
  }
  return data as WaitJobData;
}

function isSample(value: unknown): value is ProgressSample {
  if (value === null || typeof value !== 'object') return false;
  const { at, fraction } = value as Record<string, unknown>;
  return typeof at === 'number' && Number.isFinite(at) && typeof fraction === 'number' && fraction >= 0 && fraction <= 1;
}

/**
 * The job id of a wait: its ref, so adding a ref that is already being waited for (a producer that re-adds after
 * a crash) is a no-op. BullMQ ids may not contain `:`, which every ref string has: it is percent-encoded.
 */
export function jobIdFor(ref: string): string {
  return encodeURIComponent(ref);
}

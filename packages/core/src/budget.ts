import { ConfigurationError, RateLimitError, UpstatError } from './errors.js';
import { describeValue as shown, MAX_DURATION_MS, rateLimitPause } from './policy.js';

/**
 * A per-provider request budget shared by every wait on that provider in a process: a hard cap on requests started
 * in any rolling second, a limit on requests in flight, and a pause that a server's `Retry-After` sets for everyone. The gate
 * decides only whether a request may start now and, if not, how long until it may; the loop that holds the
 * waits (the facade's watcher) applies it.
 */
export interface RequestBudget {
  /**
   * Status requests to this provider started in any rolling second, at most (a sliding window: up to that many may
   * start together, never more within any second, so a vendor that counts per rolling second never sees more).
   * A fraction is a longer window: 2.5 is at most 3 in any 1.2 s.
   */
  requestsPerSecond?: number | undefined;
  /** Status requests to this provider in flight at once, at most. */
  concurrency?: number | undefined;
}

/** A budget with every field given. */
export interface ResolvedRequestBudget {
  requestsPerSecond: number;
  concurrency: number;
}

/**
 * The budget of a provider nobody configured: 10 requests per second, 4 in flight. Low enough to stay under
 * the rate limits vendors publish for status endpoints, high enough that a few uploads are checked on schedule.
 */
export const DEFAULT_REQUEST_BUDGET: Readonly<ResolvedRequestBudget> = { requestsPerSecond: 10, concurrency: 4 };

/**
 * What is wrong with a budget as a user gave it, one phrase per problem (none when valid), each naming the
 * field as `<name>.<field>`. `Infinity` means no limit.
 */
export function requestBudgetProblems(value: unknown, name = 'budget'): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [`${name} must be an object like { requestsPerSecond: 10, concurrency: 4 }, got ${Array.isArray(value) ? 'an array' : shown(value)}`];
  }
  const problems: string[] = [];
  const known = new Set(['requestsPerSecond', 'concurrency']);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) problems.push(`${name}.${key} is not a budget option (requestsPerSecond, concurrency)`);
  }
  const { requestsPerSecond, concurrency } = value as Record<string, unknown>;
  if (requestsPerSecond !== undefined && !(typeof requestsPerSecond === 'number' && requestsPerSecond > 0)) {
    problems.push(`${name}.requestsPerSecond must be a number > 0 (Infinity for no limit), got ${shown(requestsPerSecond)}`);
  }
  if (
    concurrency !== undefined &&
    !(typeof concurrency === 'number' && (concurrency === Number.POSITIVE_INFINITY || (Number.isInteger(concurrency) && concurrency >= 1)))
  ) {
    problems.push(`${name}.concurrency must be a whole number ≥ 1 (Infinity for no limit), got ${shown(concurrency)}`);
  }
  return problems;
}

/** The budget with `DEFAULT_REQUEST_BUDGET` filling what is left out; a `ConfigurationError` naming each problem otherwise. */
export function resolveRequestBudget(provider: string, value: RequestBudget | undefined, name = `budget.${provider}`): ResolvedRequestBudget {
  if (value === undefined) return { ...DEFAULT_REQUEST_BUDGET };
  const problems = requestBudgetProblems(value, name);
  if (problems.length > 0) throw new ConfigurationError(`${problems.join('; ')}.`, { provider });
  return {
    requestsPerSecond: value.requestsPerSecond ?? DEFAULT_REQUEST_BUDGET.requestsPerSecond,
    concurrency: value.concurrency ?? DEFAULT_REQUEST_BUDGET.concurrency,
  };
}

/**
 * The sliding window of a rate: at most `starts` requests start in any `windowMs` (so at most ⌈rps⌉ in any rolling
 * second, and `rps` per second over time). One definition for the in-process gate below and the queue's, in Redis.
 */
export function rateWindow(requestsPerSecond: number): { starts: number; windowMs: number } {
  if (!Number.isFinite(requestsPerSecond)) return { starts: Number.POSITIVE_INFINITY, windowMs: 0 };
  const starts = Math.max(1, Math.ceil(requestsPerSecond));
  return { starts, windowMs: (starts * 1000) / requestsPerSecond };
}

/**
 * The order in which a provider's due waits take their turn, in the in-process watcher and in the queue alike:
 * earliest deadline first, to the minute, and first come within one minute. So after a 429's pause neither the waits
 * the 429s hit (due again at the pause's end) nor those that fell due first are favoured, and the wait closest to its
 * end goes first; waits whose deadlines fall in the same minute (the common case: one timeout for a batch) keep
 * their turns, so that none of them starves while the others keep failing and coming back.
 */
export const DEADLINE_ORDER_MS = 60_000;

/** A deadline's place in a provider's line: lower goes first (see `DEADLINE_ORDER_MS`). */
export function deadlineRank(deadline: number): number {
  return Math.floor(deadline / DEADLINE_ORDER_MS);
}

/**
 * Applies one provider's budget. Every request asks `acquire(now)` before it starts and calls `release()` when
 * it ends. Times are epoch milliseconds on the caller's clock; a clock that steps back is treated as standing
 * still.
 */
export class RequestGate {
  readonly requestsPerSecond: number;
  readonly concurrency: number;
  /** The sliding window: at most `windowStarts` requests start in any `windowMs`. */
  readonly windowStarts: number;
  readonly windowMs: number;
  /** When the last `windowStarts` requests started, oldest first (a ring: `#next` is the oldest's slot). */
  #starts: number[] = [];
  #next = 0;
  /** The latest time seen: a clock that steps back is treated as standing still. */
  #latest = Number.NEGATIVE_INFINITY;
  #inFlight = 0;
  #pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(provider: string, budget?: RequestBudget) {
    const resolved = resolveRequestBudget(provider, budget);
    this.requestsPerSecond = resolved.requestsPerSecond;
    this.concurrency = resolved.concurrency;
    const window = rateWindow(this.requestsPerSecond);
    this.windowStarts = window.starts;
    this.windowMs = window.windowMs;
  }

  /** Requests started and not yet released. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Until when (epoch ms) no request may start because a server asked everyone to wait; −Infinity when none did. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Starts a request if the budget allows it now: returns 0 and counts it (a start in the window, a slot taken).
   * Otherwise returns how many milliseconds until it may (a pause, or until the oldest start in a full window is
   * a window old), or `Infinity` when every slot is taken (try again after a `release()`). Nothing is counted unless
   * it returns 0.
   */
  acquire(now: number): number {
    this.#latest = Math.max(this.#latest, now);
    const at = this.#latest;
    if (at < this.#pausedUntil) return this.#pausedUntil - at;
    if (this.#inFlight >= this.concurrency) return Number.POSITIVE_INFINITY;
    if (Number.isFinite(this.windowStarts)) {
      if (this.#starts.length < this.windowStarts) this.#starts.push(at);
      else {
        const oldest = this.#starts[this.#next] as number;
        if (at - oldest < this.windowMs) return Math.max(1, Math.ceil(oldest + this.windowMs - at));
        this.#starts[this.#next] = at;
        this.#next = (this.#next + 1) % this.windowStarts;
      }
    }
    this.#inFlight += 1;
    return 0;
  }

  /** Ends a request started by `acquire`. */
  release(): void {
    if (this.#inFlight === 0) throw new RangeError('RequestGate.release: no request in flight');
    this.#inFlight -= 1;
  }

  /** 429s in a row from this provider. */
  #rateLimited = 0;

  /**
   * Ends a request started by `acquire` (as `release`), told how it ended: a 429 pauses every request to the
   * provider for what `rateLimitPause` says (its `Retry-After`, or a pause that grows with the 429s in a row); any
   * other answer from the server ends the streak. Called before the next request may start, so that none slips in.
   */
  finish(now: number, error?: unknown, random: () => number = Math.random): void {
    this.release();
    if (error instanceof RateLimitError) {
      this.#rateLimited += 1;
      this.pause(now + rateLimitPause(error.retryAfterMs, this.#rateLimited, random), now);
    } else if (error === undefined || (error instanceof UpstatError && error.status !== undefined)) {
      this.#rateLimited = 0;
    }
  }

  /**
   * No request starts before `untilMs` (a server's `Retry-After`, for every wait on the provider). A pause never
   * shortens one already set, and lasts at most `MAX_DURATION_MS` from `now`.
   */
  pause(untilMs: number, now: number): void {
    if (Number.isNaN(untilMs)) throw new RangeError('RequestGate.pause: untilMs must be a time in epoch milliseconds, got NaN');
    this.#pausedUntil = Math.max(this.#pausedUntil, Math.min(untilMs, now + MAX_DURATION_MS));
  }
}

/** Bounds for an exponential backoff with jitter. */
export interface BackoffBounds {
  /** The shortest delay, and the base the exponent grows from. */
  minDelayMs: number;
  /** The longest delay. */
  maxDelayMs: number;
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

/**
 * `Retry-After` (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 * Returns the wait in milliseconds (never negative), or undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only accept something that looks like an HTTP-date; Date.parse is lenient about junk.
  if (!/^[A-Za-z]{3,9},? /.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Values above this are Unix times in seconds, below it a number of seconds to wait (no vendor waits 30 years). */
const UNIX_TIME_THRESHOLD = 1_000_000_000;

/**
 * `X-RateLimit-Reset`: vendors send either seconds until the window resets or the Unix time (seconds)
 * at which it does; Document360's reference does not say which. Both are read.
 */
export function parseRateLimitReset(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const seconds = Number(value);
  if (seconds >= UNIX_TIME_THRESHOLD) return Math.max(0, Math.ceil(seconds * 1000 - now));
  return Math.ceil(seconds * 1000);
}

/** The wait a response asks for: `Retry-After` first, then (for 429) `X-RateLimit-Reset`. */
export function requestedWait(response: Response, now: number = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  return response.status === 429 ? parseRateLimitReset(response.headers.get('x-ratelimit-reset'), now) : undefined;
}

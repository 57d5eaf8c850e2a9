/**
 * The most arrivals in any window of `windowMs` (half-open: `[t, t + windowMs)`), the rolling count a vendor that
 * limits "requests per second" applies. Arrivals in milliseconds, any order.
 */
export function busiestWindow(arrivals: readonly number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && (sorted[j] as number) - (sorted[i] as number) < windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

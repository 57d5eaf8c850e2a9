/** A clock whose sleeps return at once and move its time forward: hours of retries and waits in milliseconds. */
export interface VirtualClock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Every sleep asked for, in order. */
  readonly sleeps: number[];
  /** Virtual milliseconds passed since the clock was made. */
  elapsed: () => number;
}

export function virtualClock(start: number = Date.parse('2026-01-01T00:00:00Z')): VirtualClock {
  let elapsed = 0;
  const sleeps: number[] = [];
  return {
    now: () => start + elapsed,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      sleeps.push(ms);
      elapsed += ms;
      return Promise.resolve();
    },
    sleeps,
    elapsed: () => elapsed,
  };
}

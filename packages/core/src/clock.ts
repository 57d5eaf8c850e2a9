/**
 * Time as the retry loop and the waiter see it. The default uses the real clock and timers (which
 * vitest's fake timers replace); a simulation can pass its own to run hours of waiting in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay a platform timer takes; `setTimeout` fires at once for anything longer (2^31 − 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `setTimeout` for any delay: one longer than a platform timer can hold is run as a chain of shorter ones,
 * so a delay of days fires after days, not at once. Returns the function that cancels it.
 */
export function setTimer(callback: () => void, ms: number): () => void {
  // The common case (every request's time limit) is one plain timer.
  if (ms < MAX_TIMER_MS) {
    const single = setTimeout(callback, Math.max(ms, 0));
    return () => { clearTimeout(single); };
  }
  let timer: ReturnType<typeof setTimeout>;
  const due = Date.now() + ms;
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const left = due - Date.now();
      if (left > 0 && delay === MAX_TIMER_MS) arm(Math.min(left, MAX_TIMER_MS));
      else callback();
    }, delay);
  };
  arm(Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  return () => {
    clearTimeout(timer);
  };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = () => {
        cancel();
        reject(signal?.reason as Error);
      };
      const cancel = setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

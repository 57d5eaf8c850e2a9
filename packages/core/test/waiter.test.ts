import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError, ConfigurationError, WaitTimeoutError } from '../src/errors.js';
import { checkCheckpoint, waitUntil, type CheckContext, type WaitCheckpoint } from '../src/waiter.js';

interface FakeStatus {
  state: string;
  progress?: number;
}

const subject = { provider: 'acme', label: 'upload acme:1' };
const observe = (status: FakeStatus) => ({
  state: status.state,
  progress: status.progress,
  done: ['succeeded', 'failed'].includes(status.state),
});

/** A status source that answers from a script and records when it was asked. */
function scripted(states: FakeStatus[]) {
  const askedAt: number[] = [];
  const check = vi.fn(({ signal }: CheckContext) => {
    askedAt.push(Date.now());
    expect(signal?.aborted ?? false).toBe(false);
    return Promise.resolve(states[Math.min(askedAt.length - 1, states.length - 1)] as FakeStatus);
  });
  return { check, askedAt };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const noJitter = () => 0;

describe('waitUntil', () => {
  it('checks at once, then on the schedule, and stops at a done state', async () => {
    const { check, askedAt } = scripted([...Array.from({ length: 6 }, () => ({ state: 'running' })), { state: 'succeeded' }]);
    const result = waitUntil(check, observe, subject, { random: noJitter });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toEqual({ state: 'succeeded' });
    // 5 s minimum until 20 s have passed, then a quarter of the elapsed time.
    expect(askedAt).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000, 31_250]);
  });

  it('calls onUpdate only when the state or the progress changes', async () => {
    const { check } = scripted([
      { state: 'running', progress: 0.1 },
      { state: 'running', progress: 0.1 },
      { state: 'running', progress: 0.5 },
      { state: 'running', progress: 0.5 },
      { state: 'succeeded', progress: 1 },
    ]);
    const updates: FakeStatus[] = [];
    const result = waitUntil(check, observe, subject, { random: noJitter, onUpdate: (status) => updates.push(status) });
    await vi.runAllTimersAsync();
    await result;
    expect(updates).toEqual([
      { state: 'running', progress: 0.1 },
      { state: 'running', progress: 0.5 },
      { state: 'succeeded', progress: 1 },
    ]);
  });

  it('ends with WaitTimeoutError carrying the last status exactly at the deadline, starting no check there', async () => {
    const { check, askedAt } = scripted([{ state: 'running', progress: 0.3 }]);
    const result = waitUntil(check, observe, subject, { timeoutMs: 12_000, random: noJitter });
    const settled = result.catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = await settled;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ lastStatus: { state: 'running', progress: 0.3 }, checks: 3, elapsedMs: 12_000, provider: 'acme' });
    expect((error as Error).message).toBe(
      'upload acme:1 did not finish within 12 s (last state running, 3 check(s)). Wait longer with a larger timeoutMs, or resume from the last checkpoint.',
    );
    expect(askedAt).toEqual([0, 5_000, 10_000]);
  });

  it('starts no check after the delay cut to the deadline, even when the timer fires a little early', async () => {
    // Node's timers run on a monotonic millisecond clock and Date.now() on the wall clock, so a sleep of the
    // time left can end a millisecond before the deadline by Date.now(): a check must not start in that sliver.
    let now = 0;
    const early = { now: () => now, sleep: (ms: number) => { now += ms > 1 ? ms - 1 : ms; return Promise.resolve(); } };
    const { check, askedAt } = scripted([{ state: 'running', progress: 0.3 }]);
    const error = await waitUntil(check, observe, subject, { timeoutMs: 12_000, random: noJitter, clock: early }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(askedAt).toHaveLength(3);
  });

  it('gives every check the deadline it must end by', async () => {
    const { check } = scripted([{ state: 'running' }]);
    const settled = waitUntil(check, observe, subject, { timeoutMs: 12_000, random: noJitter }).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    await settled;
    expect(check.mock.calls.map(([context]) => context.deadline)).toEqual([12_000, 12_000, 12_000]);
  });

  it('stops at once on abort during a delay, with no check after the abort', async () => {
    const { check } = scripted([{ state: 'running' }]);
    const controller = new AbortController();
    const result = waitUntil(check, observe, subject, { signal: controller.signal, random: noJitter });
    const settled = result.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(7_000); // checks at 0 and 5 s
    controller.abort();
    const error = await settled;
    expect(error).toBeInstanceOf(AbortError);
    expect(check).toHaveBeenCalledTimes(2);
    await vi.runAllTimersAsync();
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('does not start at all when the signal has already fired', async () => {
    const { check } = scripted([{ state: 'running' }]);
    const controller = new AbortController();
    controller.abort();
    await expect(waitUntil(check, observe, subject, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(check).not.toHaveBeenCalled();
  });

  it('passes errors from a check through unchanged', async () => {
    const failure = new Error('boom');
    await expect(waitUntil(() => Promise.reject(failure), observe, subject)).rejects.toBe(failure);
  });

  it('writes a JSON checkpoint after every check, and resumes from it with the same deadline and schedule', async () => {
    const checkpoints: WaitCheckpoint[] = [];
    const first = scripted([{ state: 'running', progress: 0.2 }]);
    const controller = new AbortController();
    const interrupted = waitUntil(first.check, observe, subject, {
      timeoutMs: 600_000,
      random: noJitter,
      signal: controller.signal,
      onCheckpoint: (checkpoint) => checkpoints.push(JSON.parse(JSON.stringify(checkpoint)) as WaitCheckpoint),
    }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(26_000); // checks at 0, 5, 10, 15, 20, 25 s
    controller.abort(); // the process "stops"
    expect(await interrupted).toBeInstanceOf(AbortError);
    const saved = checkpoints.at(-1);
    // The last PROGRESS_WINDOW (4) checks' progress, timed when each check answered.
    const progress = [10_000, 15_000, 20_000, 25_000].map((at) => ({ at, fraction: 0.2 }));
    expect(saved).toEqual({ version: 1, startedAt: 0, deadline: 600_000, checks: 6, lastState: 'running', lastProgress: 0.2, progress });

    // Later, elsewhere: the wait carries on from the checkpoint.
    vi.setSystemTime(100_000);
    const second = scripted([{ state: 'running', progress: 0.2 }, { state: 'succeeded', progress: 1 }]);
    const updates: FakeStatus[] = [];
    const resumed = waitUntil(second.check, observe, subject, { resume: saved, random: noJitter, onUpdate: (status) => updates.push(status) });
    await vi.runAllTimersAsync();
    await expect(resumed).resolves.toEqual({ state: 'succeeded', progress: 1 });
    // At once on resume, then a quarter of the 100 s already waited.
    expect(second.askedAt).toEqual([100_000, 125_000]);
    // Same state and progress as the checkpoint: only the change is reported.
    expect(updates).toEqual([{ state: 'succeeded', progress: 1 }]);
  });

  it('after a restart past the deadline, times out at once without a check', async () => {
    vi.setSystemTime(900_000);
    const { check } = scripted([{ state: 'running' }]);
    const resumed = waitUntil(check, observe, subject, {
      resume: { version: 1, startedAt: 0, deadline: 600_000, checks: 30, lastState: 'running' },
    });
    await expect(resumed).rejects.toMatchObject({ name: 'WaitTimeoutError', checks: 30 });
    expect(check).not.toHaveBeenCalled();
  });

  it.each([
    ['a negative timeout', { timeoutMs: -1 }],
    ['a zero minimum delay', { minDelayMs: 0 }],
    ['a maximum below the minimum', { minDelayMs: 10, maxDelayMs: 5 }],
    ['a malformed checkpoint', { resume: { version: 2 } as unknown as WaitCheckpoint }],
  ])('rejects %s before checking anything', async (_label, options) => {
    const { check } = scripted([{ state: 'running' }]);
    await expect(waitUntil(check, observe, subject, options)).rejects.toBeInstanceOf(ConfigurationError);
    expect(check).not.toHaveBeenCalled();
  });
});

describe('waitUntil with progress', () => {
  /** An upload reporting `fraction(now)` until it is done at `doneAtMs`; `silentAt` lists checks that report no progress. */
  function uploading(doneAtMs: number, silentAt: readonly number[] = []) {
    const askedAt: number[] = [];
    const check = vi.fn((): Promise<FakeStatus> => {
      const now = Date.now();
      askedAt.push(now);
      if (now >= doneAtMs) return Promise.resolve({ state: 'succeeded', progress: 1 });
      return Promise.resolve(silentAt.includes(askedAt.length) ? { state: 'running' } : { state: 'running', progress: now / doneAtMs });
    });
    return { check, askedAt };
  }

  it('checks a steadily progressing upload just after its expected completion instead of on the time-based schedule', async () => {
    // 100 s at 1 % a second. At 5 s: 95 s to go, beyond the 60 s maximum. At 65 s: 35 s to go, checked 10 % later.
    const { check, askedAt } = uploading(100_000);
    const result = waitUntil(check, observe, subject, { random: noJitter });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toEqual({ state: 'succeeded', progress: 1 });
    expect(askedAt).toEqual([0, 5_000, 65_000, 65_000 + 35_000 * 1.1]);
  });

  it('forgets the samples when a check reports no progress, and follows the time-based schedule until two checks report it again', async () => {
    // The third check (at 65 s) reports no progress: the next two delays are a quarter of the time waited.
    const { check, askedAt } = uploading(100_000, [3]);
    const result = waitUntil(check, observe, subject, { random: noJitter });
    await vi.runAllTimersAsync();
    await result;
    const fourth = 65_000 + 65_000 / 4;
    expect(askedAt).toEqual([0, 5_000, 65_000, fourth, fourth + Math.round(fourth / 4)]);
  });

  it('carries the samples in the checkpoint, so a resumed wait keeps the rate', async () => {
    const checkpoints: WaitCheckpoint[] = [];
    const first = uploading(100_000);
    const controller = new AbortController();
    const interrupted = waitUntil(first.check, observe, subject, {
      random: noJitter,
      signal: controller.signal,
      onCheckpoint: (checkpoint) => checkpoints.push(JSON.parse(JSON.stringify(checkpoint)) as WaitCheckpoint),
    }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(6_000); // checks at 0 and 5 s
    controller.abort();
    expect(await interrupted).toBeInstanceOf(AbortError);
    const saved = checkpoints.at(-1);
    expect(saved?.progress).toEqual([{ at: 0, fraction: 0 }, { at: 5_000, fraction: 0.05 }]);

    vi.setSystemTime(30_000);
    const second = uploading(100_000);
    const resumed = waitUntil(second.check, observe, subject, { resume: saved, random: noJitter });
    await vi.runAllTimersAsync();
    await resumed;
    // At 30 s, with the two samples carried over: 70 s to go at 1 % a second, so the maximum; at 90 s, 10 s to go.
    expect(second.askedAt).toEqual([30_000, 90_000, 90_000 + 10_000 * 1.1]);
  });

  it('resumes a checkpoint written before progress was carried, on the time-based schedule until two checks report progress', async () => {
    vi.setSystemTime(30_000);
    const { check, askedAt } = uploading(100_000);
    const resume = { version: 1, startedAt: 0, deadline: 900_000, checks: 2, lastState: 'running', lastProgress: 0.05 } as const;
    const resumed = waitUntil(check, observe, subject, { resume, random: noJitter });
    await vi.runAllTimersAsync();
    await resumed;
    // 30 s, then a quarter of it; from 37.5 s on the rate (1 % a second) is known: 62.5 s to go, so the maximum;
    // at 97.5 s, 2.5 s to go, under the 5 s minimum.
    expect(askedAt).toEqual([30_000, 37_500, 97_500, 102_500]);
  });

  it.each([
    ['not an array', 'x', 'checkpoint.progress must be an array of samples { at, fraction }, got string'],
    ['too long', Array.from({ length: 5 }, (_, index) => ({ at: index, fraction: 0 })), 'checkpoint.progress holds at most 4 samples, got 5'],
    ['holding null', [null], 'checkpoint.progress[0] must be a sample { at, fraction }, got null'],
    ['with a time that is not a number', [{ at: '5', fraction: 0 }], 'checkpoint.progress[0].at must be a finite time in epoch milliseconds, got string'],
    ['with a fraction above 1', [{ at: 5, fraction: 1.5 }], 'checkpoint.progress[0].fraction must be a number from 0 to 1, got 1.5'],
    ['with a fraction missing', [{ at: 5 }], 'checkpoint.progress[0].fraction must be a number from 0 to 1, got undefined'],
    ['out of order', [{ at: 9, fraction: 0.1 }, { at: 9, fraction: 0.2 }], 'checkpoint.progress[1].at must be later than progress[0].at'],
    ['before the wait started', [{ at: -1, fraction: 0.1 }], 'checkpoint.progress[0].at is before startedAt'],
    ['in the future', [{ at: 3_600_000, fraction: 0.1 }], 'checkpoint.progress[0].at lies in the future'],
  ])('rejects a checkpoint whose progress is %s, naming the field, before checking anything', async (_label, progress, message) => {
    vi.setSystemTime(60_000);
    const { check } = scripted([{ state: 'running' }]);
    const resume = { version: 1, startedAt: 0, deadline: 600_000, checks: 1, progress } as unknown as WaitCheckpoint;
    const error = await waitUntil(check, observe, subject, { resume }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(`wait: cannot resume: ${message}.`);
    expect(check).not.toHaveBeenCalled();
  });

  it('takes a null progress in a checkpoint as none', () => {
    const checkpoint = checkCheckpoint('acme', { version: 1, startedAt: 0, deadline: 600_000, checks: 1, progress: null }, 60_000);
    expect(checkpoint.progress).toBeUndefined();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError, ConfigurationError, WaitTimeoutError } from '../src/errors.js';
import { waitUntil, type CheckContext, type WaitCheckpoint } from '../src/waiter.js';

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
    expect(saved).toEqual({ version: 1, startedAt: 0, deadline: 600_000, checks: 6, lastState: 'running', lastProgress: 0.2 });

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

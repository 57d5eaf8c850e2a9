/**
 * The retry loop's schedule, on fake timers. `fetch` here is a function answering from a script
 * (a real server is used by the fault-injection suite in the `upstat` package).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiClient, type FetchLike } from '../src/client.js';
import { AbortError, ConfigurationError, RateLimitError, ServerError, TimeoutError } from '../src/errors.js';
import type { RetrySetting } from '../src/policy.js';
import { bearer, ITEM_PATH, TEST_PROVIDER, type TestPaths } from './test-paths.js';

const OK = () => new Response(JSON.stringify({ id: 'p', state: 'ready' }), { status: 200, headers: { 'content-type': 'application/json' } });
const status = (code: number, headers: Record<string, string> = {}) => () => new Response('{}', { status: code, headers });

/** A fetch that answers the n-th call with the n-th entry (the last repeats) and records when each call came. */
function scriptedFetch(...script: (() => Response | 'hang')[]) {
  const calls: number[] = [];
  const fetch: FetchLike = (request) => {
    calls.push(Date.now());
    const next = script[Math.min(calls.length - 1, script.length - 1)];
    const answer = next?.();
    if (answer === 'hang' || answer === undefined) {
      return new Promise((_resolve, reject) => {
        request.signal.addEventListener('abort', () => {
          reject(request.signal.reason as Error);
        });
      });
    }
    return Promise.resolve(answer);
  };
  return { fetch, calls };
}

function client(fetch: FetchLike, options: { retry?: RetrySetting; timeoutMs?: number; random?: () => number } = {}) {
  return createApiClient<TestPaths>(
    { baseUrl: 'http://upstat.invalid', fetch, random: () => 0.999_999, ...options },
    { provider: TEST_PROVIDER, defaultBaseUrl: 'http://upstat.invalid', authorization: bearer('k') },
  ).get(ITEM_PATH);
}

const params = { item_id: 'i', part_id: 'p' };

async function settle(promise: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  const outcome = promise.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const t0 = Date.parse('2026-01-01T00:00:00Z');

describe('retry schedule', () => {
  it('backs off exponentially between attempts (200 ms, then up to 400 ms) and succeeds', async () => {
    const { fetch, calls } = scriptedFetch(status(503), status(502), OK);
    const outcome = await settle(client(fetch)(params));
    expect(outcome).toEqual({ value: { id: 'p', state: 'ready' } });
    expect(calls.map((at) => at - t0)).toEqual([0, 200, 600]);
  });

  it('waits the jittered amount, never below the minimum', async () => {
    const { fetch, calls } = scriptedFetch(status(504), status(504), OK);
    await settle(client(fetch, { random: () => 0 })(params));
    expect(calls.map((at) => at - t0)).toEqual([0, 200, 400]);
  });

  it('honours Retry-After as an HTTP-date', async () => {
    const { fetch, calls } = scriptedFetch(status(429, { 'retry-after': 'Thu, 01 Jan 2026 00:00:09 GMT' }), OK);
    await settle(client(fetch)(params));
    expect(calls.map((at) => at - t0)).toEqual([0, 9_000]);
  });

  it('gives up after maxAttempts with the last error and the attempt count', async () => {
    const { fetch, calls } = scriptedFetch(status(503));
    const outcome = await settle(client(fetch, { retry: { maxAttempts: 5 } })(params));
    expect(outcome.error).toBeInstanceOf(ServerError);
    expect(outcome.error).toMatchObject({ attempts: 5 });
    expect(calls.map((at) => at - t0)).toEqual([0, 200, 600, 1_400, 3_000]);
  });

  it('caps each wait at maxDelayMs', async () => {
    const { fetch, calls } = scriptedFetch(status(503));
    await settle(client(fetch, { retry: { maxAttempts: 6, maxDelayMs: 500 } })(params));
    expect(calls.map((at) => at - t0)).toEqual([0, 200, 600, 1_100, 1_600, 2_100]);
  });

  it('does not retry other statuses, or anything when retries are off', async () => {
    for (const [script, retry] of [
      [status(500), undefined],
      [status(404), undefined],
      [status(503), false],
    ] as const) {
      const { fetch, calls } = scriptedFetch(script);
      await settle(client(fetch, retry === undefined ? {} : { retry })(params));
      expect(calls).toHaveLength(1);
    }
  });

  it('returns a Retry-After beyond maxRetryAfterMs to the caller instead of waiting', async () => {
    const { fetch, calls } = scriptedFetch(status(429, { 'retry-after': '31' }), OK);
    const outcome = await settle(client(fetch)(params));
    expect(outcome.error).toBeInstanceOf(RateLimitError);
    expect(outcome.error).toMatchObject({ retryAfterMs: 31_000, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('times out each attempt and retries it', async () => {
    const { fetch, calls } = scriptedFetch(() => 'hang');
    const outcome = await settle(client(fetch, { timeoutMs: 1_000 })(params));
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(outcome.error).toMatchObject({ attempts: 3 });
    expect(calls.map((at) => at - t0)).toEqual([0, 1_200, 2_600]);
  });

  it('stops at once when aborted during a retry wait, sending nothing more', async () => {
    const { fetch, calls } = scriptedFetch(status(503));
    const controller = new AbortController();
    const pending = client(fetch)(params, { signal: controller.signal });
    const outcome = pending.then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await outcome).toBeInstanceOf(AbortError);
    await vi.runAllTimersAsync();
    expect(calls).toHaveLength(1);
  });

  it('rejects nonsense policies when the client is created', () => {
    const { fetch } = scriptedFetch(OK);
    expect(() => client(fetch, { retry: { maxAttempts: 0 } })).toThrow(ConfigurationError);
    expect(() => client(fetch, { retry: { minDelayMs: 10, maxDelayMs: 5 } })).toThrow('retry.minDelayMs must not exceed retry.maxDelayMs');
    expect(() => client(fetch, { timeoutMs: 0 })).toThrow('timeoutMs must be > 0, got 0');
  });
});

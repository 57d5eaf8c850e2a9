/**
 * The request budget as a pure gate: every limit checked against a greedy caller that asks as often as it
 * can, on explicit times (no clock, no timers).
 */
import { busiestWindow } from '@upstat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_BUDGET, RequestGate, requestBudgetProblems, resolveRequestBudget } from '../src/budget.js';
import { ConnectionError, RateLimitError, ServerError } from '../src/errors.js';
import { RATE_LIMIT_PAUSE } from '../src/policy.js';
import { ConfigurationError } from '../src/errors.js';

describe('budget options', () => {
  it.each([
    [{ requestsPerSecond: 0 }, 'budget.acme.requestsPerSecond must be a number > 0 (Infinity for no limit), got 0'],
    [{ requestsPerSecond: -3 }, 'budget.acme.requestsPerSecond must be a number > 0'],
    [{ requestsPerSecond: Number.NaN }, 'got NaN'],
    [{ requestsPerSecond: '50' }, 'got the string "50"'],
    [{ concurrency: 0 }, 'budget.acme.concurrency must be a whole number ≥ 1 (Infinity for no limit), got 0'],
    [{ concurrency: 2.5 }, 'budget.acme.concurrency must be a whole number ≥ 1'],
    [{ concurrency: null }, 'got null'],
    [{ rps: 5 }, 'budget.acme.rps is not a budget option (requestsPerSecond, concurrency)'],
    [42, 'budget.acme must be an object like { requestsPerSecond: 10, concurrency: 4 }, got 42'],
    [[1, 2], 'got an array'],
    [null, 'got null'],
  ])('%j: ConfigurationError naming the field', (budget, message) => {
    expect(() => resolveRequestBudget('acme', budget as never)).toThrow(ConfigurationError);
    expect(() => resolveRequestBudget('acme', budget as never)).toThrow(message);
    expect(() => new RequestGate('acme', budget as never)).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(requestBudgetProblems({ requestsPerSecond: 0, concurrency: -1 })).toHaveLength(2);
  });

  it('fills what is left out with the documented default, and accepts Infinity as no limit', () => {
    expect(resolveRequestBudget('acme', undefined)).toEqual(DEFAULT_REQUEST_BUDGET);
    expect(resolveRequestBudget('acme', { concurrency: 2 })).toEqual({ requestsPerSecond: DEFAULT_REQUEST_BUDGET.requestsPerSecond, concurrency: 2 });
    expect(resolveRequestBudget('acme', { requestsPerSecond: Infinity, concurrency: Infinity })).toEqual({
      requestsPerSecond: Infinity,
      concurrency: Infinity,
    });
    expect(requestBudgetProblems({ requestsPerSecond: 0.5 })).toEqual([]);
  });
});

/** Acquires as often as the gate allows between `from` and `to`, releasing each at once; returns the start times. */
function greedy(gate: RequestGate, from: number, to: number): number[] {
  const starts: number[] = [];
  for (let now = from; now <= to; ) {
    const wait = gate.acquire(now);
    if (wait === 0) {
      starts.push(now);
      gate.release();
    } else {
      expect(wait).toBeGreaterThan(0);
      expect(Number.isFinite(wait)).toBe(true);
      now += wait;
    }
  }
  return starts;
}

describe('RequestGate', () => {
  it('rate: at most rps start in any rolling second, the first included; then again once the oldest is a second old', () => {
    const gate = new RequestGate('acme', { requestsPerSecond: 5, concurrency: Infinity });
    const starts = greedy(gate, 0, 9_999);
    // 5 at once, then 5 more a second later, and so on: never a sixth within any second.
    expect(starts.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 1_000]);
    expect(starts).toHaveLength(50);
    expect(busiestWindow(starts, 1_000)).toBe(5);
    // A fraction is a longer window: 2.5 per second is 3 in any 1.2 s.
    expect(greedy(new RequestGate('acme', { requestsPerSecond: 2.5, concurrency: Infinity }), 0, 2_399)).toEqual([0, 0, 0, 1_200, 1_200, 1_200]);
  });

  it('fast-check: for any rate and any pattern of asks, any rolling second holds at most ⌈rps⌉ starts, and a window ⌈rps⌉/rps s long at most ⌈rps⌉', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 500, noNaN: true }),
        fc.array(fc.nat(700), { minLength: 1, maxLength: 300 }),
        (rps, gaps) => {
          const gate = new RequestGate('acme', { requestsPerSecond: rps, concurrency: Infinity });
          const starts: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            if (gate.acquire(now) === 0) {
              starts.push(now);
              gate.release();
            }
          }
          expect(busiestWindow(starts, 1_000)).toBeLessThanOrEqual(Math.ceil(rps));
          expect(busiestWindow(starts, (Math.ceil(rps) * 1000) / rps - 1e-6)).toBeLessThanOrEqual(Math.ceil(rps));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the wait it returns is enough: asking again after it succeeds', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 1_000, noNaN: true }), (rps) => {
        const gate = new RequestGate('acme', { requestsPerSecond: rps, concurrency: Infinity });
        while (gate.acquire(0) === 0) gate.release();
        const wait = gate.acquire(0);
        expect(wait).toBeGreaterThan(0);
        expect(gate.acquire(wait)).toBe(0);
      }),
    );
  });

  it('concurrency: Infinity while every slot is taken, a slot again after release; nothing counted while refused', () => {
    const gate = new RequestGate('acme', { requestsPerSecond: Infinity, concurrency: 2 });
    expect(gate.acquire(0)).toBe(0);
    expect(gate.acquire(0)).toBe(0);
    expect(gate.acquire(0)).toBe(Infinity);
    expect(gate.inFlight).toBe(2);
    gate.release();
    expect(gate.acquire(0)).toBe(0);
    gate.release();
    gate.release();
    expect(gate.inFlight).toBe(0);
    expect(() => {
      gate.release();
    }).toThrow('no request in flight');
  });

  it('a refused ask spends no token', () => {
    const gate = new RequestGate('acme', { requestsPerSecond: 1, concurrency: 1 });
    expect(gate.acquire(0)).toBe(0);
    // Slot taken: refused, and the bucket (now empty) is not touched.
    expect(gate.acquire(5_000)).toBe(Infinity);
    gate.release();
    expect(gate.acquire(5_000)).toBe(0);
  });

  it('pause: no start before the time a server asked for, whatever the bucket holds; never shortened', () => {
    const gate = new RequestGate('acme', { requestsPerSecond: 100, concurrency: 10 });
    gate.pause(3_000, 1_000);
    expect(gate.pausedUntil).toBe(3_000);
    expect(gate.acquire(1_000)).toBe(2_000);
    expect(gate.acquire(2_999)).toBe(1);
    gate.pause(2_000, 1_500);
    expect(gate.pausedUntil).toBe(3_000);
    gate.pause(4_000, 2_000);
    expect(gate.acquire(3_500)).toBe(500);
    expect(gate.acquire(4_000)).toBe(0);
    expect(() => {
      gate.pause(Number.NaN, 0);
    }).toThrow('untilMs');
  });

  it('a clock that steps back refills nothing', () => {
    const gate = new RequestGate('acme', { requestsPerSecond: 1, concurrency: Infinity });
    expect(gate.acquire(10_000)).toBe(0);
    expect(gate.acquire(5_000)).toBeGreaterThan(0);
    expect(gate.acquire(10_500)).toBeGreaterThan(0);
    expect(gate.acquire(11_000)).toBe(0);
  });

  it('finish: a 429 pauses the provider for its Retry-After, or else for a pause that grows with 429s in a row; any other answer ends the run', () => {
    const gate = new RequestGate('acme', { requestsPerSecond: Infinity, concurrency: 10 });
    const limited = (retryAfterMs?: number) => new RateLimitError('429', { provider: 'acme', status: 429, retryAfterMs });
    const lowest = () => 0;
    gate.acquire(0);
    gate.finish(0, limited(2_500), lowest);
    expect(gate.inFlight).toBe(0);
    expect(gate.pausedUntil).toBe(2_500);
    // Without Retry-After: RATE_LIMIT_PAUSE's minimum for the first of a run (this one is the second), doubling.
    gate.acquire(3_000);
    gate.finish(3_000, limited(), () => 0.999);
    expect(gate.pausedUntil).toBe(3_000 + Math.round(RATE_LIMIT_PAUSE.minDelayMs + 0.999 * RATE_LIMIT_PAUSE.minDelayMs));
    gate.acquire(10_000);
    gate.finish(10_000, new ServerError('503', { provider: 'acme', status: 503 }), lowest);
    gate.acquire(10_000);
    gate.finish(10_000, limited(), () => 0.999);
    expect(gate.pausedUntil).toBe(10_000 + RATE_LIMIT_PAUSE.minDelayMs);
    // A failure with no answer from the server (a refused connection) neither pauses nor ends the run.
    gate.acquire(20_000);
    gate.finish(20_000, new ConnectionError('refused', { provider: 'acme' }), lowest);
    expect(gate.pausedUntil).toBe(10_000 + RATE_LIMIT_PAUSE.minDelayMs);
    gate.acquire(20_000);
    gate.finish(20_000, limited(), () => 0.999);
    expect(gate.pausedUntil).toBe(20_000 + Math.round(RATE_LIMIT_PAUSE.minDelayMs * 1.999));
  });
});

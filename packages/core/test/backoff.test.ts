import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_WAIT, nextCheckDelay, WAIT_JITTER } from '../src/policy.js';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoffDelay (retry waits)', () => {
  it('doubles its ceiling per attempt up to the maximum', () => {
    const bounds = { minDelayMs: 200, maxDelayMs: 5_000 };
    // random() = 1⁻ gives the ceiling, random() = 0 the floor.
    const ceiling = (attempt: number) => backoffDelay(attempt, bounds, () => 0.999_999_999);
    expect([1, 2, 3, 4, 5, 6, 7].map(ceiling)).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect([1, 2, 5, 9].map((attempt) => backoffDelay(attempt, bounds, () => 0))).toEqual([200, 200, 200, 200]);
  });

  it('always stays within [min, max]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        unit,
        (attempt, min, spread, random) => {
          const bounds = { minDelayMs: min, maxDelayMs: min + spread };
          const delay = backoffDelay(attempt, bounds, () => random);
          expect(delay).toBeGreaterThanOrEqual(bounds.minDelayMs);
          expect(delay).toBeLessThanOrEqual(bounds.maxDelayMs);
        },
      ),
    );
  });
});

describe('nextCheckDelay (waiter)', () => {
  it('waits the minimum at first, then a quarter of the elapsed time, then the maximum', () => {
    const noJitter = () => 0;
    expect(nextCheckDelay(0, DEFAULT_WAIT, noJitter)).toBe(5_000);
    expect(nextCheckDelay(19_000, DEFAULT_WAIT, noJitter)).toBe(5_000);
    expect(nextCheckDelay(40_000, DEFAULT_WAIT, noJitter)).toBe(10_000);
    expect(nextCheckDelay(200_000, DEFAULT_WAIT, noJitter)).toBe(50_000);
    expect(nextCheckDelay(3_600_000, DEFAULT_WAIT, noJitter)).toBe(60_000);
    // Full jitter pulls a delay a fifth of the way down to the minimum.
    expect(nextCheckDelay(200_000, DEFAULT_WAIT, () => 1)).toBe(50_000 - WAIT_JITTER * 45_000);
  });

  it('always stays within [min, max] and never exceeds a quarter of the elapsed time beyond the minimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        unit,
        (elapsed, min, spread, random) => {
          const policy = { timeoutMs: 1, minDelayMs: min, maxDelayMs: min + spread };
          const delay = nextCheckDelay(elapsed, policy, () => random);
          expect(delay).toBeGreaterThanOrEqual(policy.minDelayMs);
          expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
          expect(delay).toBeLessThanOrEqual(Math.max(policy.minDelayMs, Math.ceil(elapsed / 4)));
        },
      ),
    );
  });
});

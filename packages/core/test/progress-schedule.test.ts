import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WAIT,
  nextCheckDelay,
  PROGRESS_JUMP,
  PROGRESS_MARGIN,
  PROGRESS_WINDOW,
  recordProgress,
  WAIT_JITTER,
  type ProgressSample,
  type WaitPolicy,
} from '../src/policy.js';
import { seeded } from '@upstat/test-support';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const noJitter = () => 0;
const fullJitter = () => 0.999_999;

/** The time-based schedule as the waiting section of policy.ts describes it, written out again here. */
function timeBased(elapsedMs: number, policy: Pick<WaitPolicy, 'minDelayMs' | 'maxDelayMs'>, random: number): number {
  const target = Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, elapsedMs / 4));
  return Math.round(target - random * WAIT_JITTER * (target - policy.minDelayMs));
}

/** Samples of an upload whose fraction at `t` ms is `fraction(t)`, taken at the times given. */
const sampled = (fraction: (t: number) => number, times: readonly number[]): ProgressSample[] =>
  times.map((at) => ({ at, fraction: fraction(at) }));

interface Simulated {
  /** When each check was made, ms after the wait began. */
  checks: number[];
  /** From completion to the check that saw it. */
  noticeDelayMs: number;
}

/**
 * A whole wait on the pure schedule: the upload is done from `doneAtMs` on, and until then reports
 * `fraction(t)`; each check is instantaneous and records a sample when `withProgress`.
 */
function simulate(fraction: (t: number) => number, doneAtMs: number, options: { withProgress: boolean; random?: () => number; untilMs?: number }): Simulated {
  const checks: number[] = [];
  let samples: readonly ProgressSample[] = [];
  for (let now = 0; ; ) {
    checks.push(now);
    if (now >= doneAtMs) return { checks, noticeDelayMs: now - doneAtMs };
    if (options.untilMs !== undefined && now >= options.untilMs) return { checks, noticeDelayMs: Number.NaN };
    if (options.withProgress) samples = recordProgress(samples, now, fraction(now));
    now += nextCheckDelay(now, DEFAULT_WAIT, options.random ?? noJitter, samples);
  }
}

describe('recordProgress', () => {
  it(`appends a sample and keeps the last ${PROGRESS_WINDOW}, leaving the input as it was`, () => {
    const input = sampled((t) => t / 1e6, [1, 2, 3, 4]);
    const copy = structuredClone(input);
    const output = recordProgress(input, 5, 0.5);
    expect(output).toEqual([...copy.slice(1), { at: 5, fraction: 0.5 }]);
    expect(input).toEqual(copy);
    expect(recordProgress([], 1, 0)).toEqual([{ at: 1, fraction: 0 }]);
    // A check without usable progress clears the window: old samples must not pass for recent ones.
    expect(recordProgress([{ at: 1, fraction: 0.2 }], 2, undefined)).toEqual([]);
    expect(recordProgress([{ at: 1, fraction: 0.2 }], 2, 1.5)).toEqual([]);
  });
});

describe('nextCheckDelay without usable progress', () => {
  const cases: [string, (now: number) => ProgressSample[]][] = [
    ['no samples', () => []],
    ['one sample', (now) => [{ at: now, fraction: 0.4 }]],
    ['a stall (the last check saw no advance)', (now) => sampled(() => 0.4, [now - 10_000, now - 5_000, now])],
    ['a step back', (now) => [{ at: now - 10_000, fraction: 0.3 }, { at: now - 5_000, fraction: 0.6 }, { at: now, fraction: 0.5 }]],
    ['one advance right after a stall', (now) => [{ at: now - 10_000, fraction: 0.3 }, { at: now - 5_000, fraction: 0.3 }, { at: now, fraction: 0.5 }]],
    ['one advance right after a step back', (now) => [{ at: now - 10_000, fraction: 0.6 }, { at: now - 5_000, fraction: 0.3 }, { at: now, fraction: 0.5 }]],
    [
      `a rate ${PROGRESS_JUMP * 1.5}× the one before (a jump)`,
      (now) => [{ at: now - 20_000, fraction: 0.1 }, { at: now - 10_000, fraction: 0.2 }, { at: now, fraction: 0.2 + 0.1 * PROGRESS_JUMP * 1.5 }],
    ],
    [
      `a rate ${PROGRESS_JUMP * 1.5}× slower than the one before (a jump)`,
      (now) => [{ at: now - 20_000, fraction: 0.1 }, { at: now - 10_000, fraction: 0.4 }, { at: now, fraction: 0.4 + 0.3 / (PROGRESS_JUMP * 1.5) }],
    ],
    ['a sample with a fraction above 1', (now) => [{ at: now - 5_000, fraction: 0.5 }, { at: now, fraction: 1.5 }]],
    ['a sample with a time that is not finite', (now) => [{ at: Number.NaN, fraction: 0.1 }, { at: now, fraction: 0.5 }]],
    ['two samples at the same time', (now) => [{ at: now, fraction: 0.1 }, { at: now, fraction: 0.5 }]],
    ['an advance too small to give a finite time left', (now) => [{ at: now - 1, fraction: 0 }, { at: now, fraction: Number.MIN_VALUE }]],
  ];

  it.each(cases)('with %s, is exactly the time-based schedule', (_label, samplesAt) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        unit,
        (elapsed, min, spread, random) => {
          const policy = { timeoutMs: 1, minDelayMs: min, maxDelayMs: min + spread };
          const now = 1_767_225_600_000 + elapsed;
          let calls = 0;
          const draw = () => {
            calls += 1;
            return random;
          };
          expect(nextCheckDelay(elapsed, policy, draw, samplesAt(now))).toBe(timeBased(elapsed, policy, random));
          expect(calls).toBe(1);
        },
      ),
    );
  });

  it('gives the same whole schedule as a wait that sees no progress, when progress never moves', () => {
    const frozen = simulate(() => 0.25, 600_000, { withProgress: true });
    const blind = simulate(() => 0.25, 600_000, { withProgress: false });
    expect(frozen.checks).toEqual(blind.checks);
  });
});

describe('nextCheckDelay following progress', () => {
  it('aims just past the expected completion: the time left plus the margin, jittered down no further than the completion', () => {
    // A 60-second upload at a steady rate, seen at 20, 25, 30 and 35 s: 25 s to go.
    const samples = sampled((t) => t / 60_000, [20_000, 25_000, 30_000, 35_000]);
    const left = 25_000;
    expect(nextCheckDelay(35_000, DEFAULT_WAIT, noJitter, samples)).toBe(Math.round(left * (1 + PROGRESS_MARGIN)));
    for (const random of [0.3, 0.7, 0.999_999]) {
      const delay = nextCheckDelay(35_000, DEFAULT_WAIT, () => random, samples);
      expect(delay).toBeGreaterThanOrEqual(left);
      expect(delay).toBeLessThanOrEqual(left * (1 + PROGRESS_MARGIN));
    }
    // The time-based schedule would have checked after 8.75 s (a quarter of 35 s).
    expect(timeBased(35_000, DEFAULT_WAIT, 0)).toBeLessThan(left);
  });

  it('follows the rate from the first two samples of a wait', () => {
    // Two checks 5 s apart, 0.5 % done between them: 99.5 % to go at 0.1 % a second takes 995 s.
    const delay = nextCheckDelay(5_000, DEFAULT_WAIT, noJitter, [{ at: 0, fraction: 0 }, { at: 5_000, fraction: 0.005 }]);
    expect(delay).toBe(DEFAULT_WAIT.maxDelayMs);
    // Close to the end, the same rate aims at the completion.
    const near = nextCheckDelay(5_000, DEFAULT_WAIT, noJitter, [{ at: 0, fraction: 0.9 }, { at: 5_000, fraction: 0.95 }]);
    expect(near).toBe(Math.round(5_000 * (1 + PROGRESS_MARGIN)));
  });

  it('never goes below the minimum nor above the maximum', () => {
    // Done in 100 ms at this rate: still the minimum.
    expect(nextCheckDelay(10_000, DEFAULT_WAIT, noJitter, [{ at: 0, fraction: 0 }, { at: 10_000, fraction: 0.99 }])).toBe(DEFAULT_WAIT.minDelayMs);
    // Every byte accepted but not yet done: the minimum, once (the next check sees no advance).
    expect(nextCheckDelay(10_000, DEFAULT_WAIT, noJitter, [{ at: 0, fraction: 0.5 }, { at: 10_000, fraction: 1 }])).toBe(DEFAULT_WAIT.minDelayMs);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 600_000 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 2, maxLength: PROGRESS_WINDOW }),
        unit,
        (min, spread, steps, random) => {
          const policy = { timeoutMs: 1, minDelayMs: min, maxDelayMs: min + spread };
          let at = 0;
          const samples = steps.map(([gap, fraction]) => ({ at: (at += gap), fraction }));
          const delay = nextCheckDelay(at, policy, () => random, samples);
          expect(delay).toBeGreaterThanOrEqual(policy.minDelayMs);
          expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
        },
      ),
    );
  });

  it('at a steady rate, checks about once per maximum delay and notices a 10-minute upload within 5 % of it', () => {
    const uploadMs = 600_000;
    // At once, after the minimum (two samples give a rate), then no more than one per maximum delay.
    const fewest = 2 + Math.ceil((uploadMs - DEFAULT_WAIT.minDelayMs) / DEFAULT_WAIT.maxDelayMs);
    for (const random of [noJitter, () => 0.5, fullJitter]) {
      const { checks, noticeDelayMs } = simulate((t) => t / uploadMs, uploadMs, { withProgress: true, random });
      expect(checks).toHaveLength(fewest);
      expect(noticeDelayMs).toBeLessThanOrEqual(uploadMs * 0.05);
    }
    // Without progress the same upload costs nearly twice as many checks (a quarter of the time waited, up to 60 s).
    expect(simulate((t) => t / uploadMs, uploadMs, { withProgress: false }).checks.length).toBeGreaterThan(fewest + 8);
  });

  it('restarts from the samples after a step back (an upload started again)', () => {
    // Fell back to 10 %, then 20 % and 30 % five seconds apart: 70 % to go at 2 % a second is 35 s.
    const samples = [
      { at: 0, fraction: 0.6 },
      { at: 5_000, fraction: 0.1 },
      { at: 10_000, fraction: 0.2 },
      { at: 15_000, fraction: 0.3 },
    ];
    expect(nextCheckDelay(15_000, DEFAULT_WAIT, noJitter, samples)).toBe(Math.round(35_000 * (1 + PROGRESS_MARGIN)));
  });

  it('after a stall, follows the rate again once two checks in a row have seen it advance', () => {
    const stalled = [{ at: 0, fraction: 0.3 }, { at: 10_000, fraction: 0.3 }];
    const once = [...stalled, { at: 20_000, fraction: 0.4 }];
    expect(nextCheckDelay(20_000, DEFAULT_WAIT, noJitter, once)).toBe(timeBased(20_000, DEFAULT_WAIT, 0));
    // 50 % to go at 1 % a second (from the last stalled check on) is 50 s.
    const twice = [...once, { at: 30_000, fraction: 0.5 }];
    expect(nextCheckDelay(30_000, DEFAULT_WAIT, noJitter, twice)).toBe(Math.round(50_000 * (1 + PROGRESS_MARGIN)));
  });

  it('does not hammer when the estimate keeps receding: after a check that came too early, never sooner than the time-based schedule', () => {
    // Expected done at 12.5 s (10 % to go at 4 % a second); checked at 12.75 s, the rate down to 2.4 % a second.
    const samples = [
      { at: 0, fraction: 0.5 },
      { at: 10_000, fraction: 0.9 },
      { at: 12_750, fraction: 0.9 + 0.024 * 2.75 },
    ];
    for (const random of [0, 0.5, 0.999_999]) {
      expect(nextCheckDelay(60_000, DEFAULT_WAIT, () => random, samples)).toBe(timeBased(60_000, DEFAULT_WAIT, random));
    }
  });

  it('after one check too early, never two in a row sooner than the time-based schedule, while an upload slows down to its end', () => {
    // What is left shrinks as (1 − t/T)^1.8: the rate falls steadily, by less than the jump factor between
    // checks, so every estimate expects completion too early.
    const uploadMs = 600_000;
    const slowing = (t: number) => 1 - (1 - t / uploadMs) ** 1.8;
    const { checks } = simulate(slowing, uploadMs, { withProgress: true });
    const early = checks.slice(1).map((at, index) => {
      const since = checks[index] as number;
      return at - since < timeBased(since, DEFAULT_WAIT, 0);
    });
    expect(early.some((flag, index) => flag && early[index + 1] === true)).toBe(false);
    expect(checks.length).toBeLessThan(simulate(slowing, uploadMs, { withProgress: false }).checks.length);
  });

  describe('against the time-based schedule, on the uploads the benchmark simulates', () => {
    /** Piecewise constant rates `[length, rate]`, scaled so the upload ends at `totalMs`. */
    function piecewise(pieces: [number, number][], totalMs: number): (t: number) => number {
      const total = pieces.reduce((sum, [length, rate]) => sum + length * rate, 0);
      return (t) => {
        if (t >= totalMs) return 1;
        let done = 0;
        let start = 0;
        for (const [length, rate] of pieces) {
          done += Math.max(0, Math.min(t - start, length)) * rate;
          start += length;
        }
        return Math.min(done / total, 1);
      };
    }
    const uploadMs = 600_000;
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

    it.each([
      [
        'bursty (a new rate every 5 to 60 s, from a quarter to four times the mean)',
        (random: () => number) => {
          const pieces: [number, number][] = [];
          for (let start = 0; start < uploadMs; ) {
            const length = Math.min(5_000 + random() * 55_000, uploadMs - start);
            pieces.push([length, 4 ** (random() * 2 - 1)]);
            start += length;
          }
          return piecewise(pieces, uploadMs);
        },
      ],
      [
        'stalling for 1 to 3 minutes, then resuming',
        (random: () => number) => {
          const stallAt = 60_000 + random() * 300_000;
          const stallFor = 60_000 + random() * 120_000;
          return piecewise([[stallAt, 1], [stallFor, 0], [uploadMs - stallAt - stallFor, 1]], uploadMs);
        },
      ],
    ])('%s: no more checks, and completion noticed no later, than without progress (median of 100)', (_label, profileOf) => {
      const aware: Simulated[] = [];
      const blind: Simulated[] = [];
      for (let seed = 1; seed <= 100; seed++) {
        const profile = profileOf(seeded(seed));
        aware.push(simulate(profile, uploadMs, { withProgress: true, random: seeded(seed + 1_000) }));
        blind.push(simulate(profile, uploadMs, { withProgress: false, random: seeded(seed + 1_000) }));
      }
      expect(median(aware.map((run) => run.checks.length))).toBeLessThanOrEqual(median(blind.map((run) => run.checks.length)));
      expect(median(aware.map((run) => run.noticeDelayMs))).toBeLessThanOrEqual(median(blind.map((run) => run.noticeDelayMs)));
    });
  });
});

import { DEFAULT_WAIT } from '@upstat/core';
import { definition, nullspace, type NullspaceRef } from '@upstat/nullspace';
import { createUpstat } from 'upstat';
import { successExample } from './examples.js';
import { atMost, formatMs, spread, table, type Budget, type SectionResult, type Spread } from './report.js';

/** The upload the simulated Nullspace answers for: the definition's example. */
const EXAMPLE_REF: NullspaceRef = { provider: definition.id, ...definition.example };

/** When the simulated upload completes, after the wait starts. */
const COMPLETIONS_MS = [1_000, 10_000, 60_000, 600_000];
/** Virtual round trip of every status request: a check sees the state as of when it was sent. */
const ROUND_TRIP_MS = 100;
/** Simulations per jittered strategy and completion time, each with its own seed. */
const SEEDS = 200;

/** A small seeded PRNG (mulberry32): the same seed gives the same jitter, so the table is reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Outcome {
  requests: number;
  /** From completion to the response that reports it. */
  noticeDelayMs: number;
}

/** Virtual time: sleeps and round trips move it forward at once. */
class SimulatedClock {
  elapsed = 0;
  readonly start = Date.parse('2026-01-01T00:00:00Z');
  now = (): number => this.start + this.elapsed;
  sleep = (ms: number): Promise<void> => {
    this.elapsed += ms;
    return Promise.resolve();
  };
}

/** The Nullspace status body from the spec's example, with the state the simulated upload is in. */
function sessionBodies(): { uploading: string; completed: string } {
  const example = successExample(definition.id, definition.operation.path) as Record<string, unknown>;
  return {
    uploading: JSON.stringify({ ...example, status: 'uploading' }),
    completed: JSON.stringify({ ...example, status: 'completed', accepted_bytes: example.content_length }),
  };
}

/**
 * upstat's default waiter, end to end: the facade's `wait` with default options, its requests answered by a
 * simulated Nullspace whose upload completes at `completionMs`, on a virtual clock.
 */
async function upstatWait(completionMs: number, seed: number, bodies: { uploading: string; completed: string }): Promise<Outcome> {
  const clock = new SimulatedClock();
  let requests = 0;
  let noticedAt = Number.NaN;
  const fetch = (): Promise<Response> => {
    requests += 1;
    const done = clock.elapsed >= completionMs;
    clock.elapsed += ROUND_TRIP_MS;
    if (done && Number.isNaN(noticedAt)) noticedAt = clock.elapsed;
    return Promise.resolve(new Response(done ? bodies.completed : bodies.uploading, { headers: { 'content-type': 'application/json' } }));
  };
  const upstat = createUpstat({
    providers: [nullspace({ apiKey: 'bench-key', baseUrl: 'http://127.0.0.1:9' })],
    defaults: { fetch, clock, random: seeded(seed) },
  });
  // The definition's example upload, in its string form.
  const status = await upstat.wait(upstat.formatRef(EXAMPLE_REF));
  if (status.state !== 'succeeded') throw new Error(`the simulated upload ended as ${status.state}`);
  return { requests, noticeDelayMs: noticedAt - completionMs };
}

/** A polling loop with a delay schedule: check, and while not done, sleep `delay(attempt)` and check again. */
function simulatePolling(completionMs: number, delay: (attempt: number) => number): Outcome {
  let elapsed = 0;
  for (let attempt = 1; ; attempt++) {
    const done = elapsed >= completionMs;
    elapsed += ROUND_TRIP_MS;
    if (done) return { requests: attempt, noticeDelayMs: elapsed - completionMs };
    elapsed += delay(attempt);
  }
}

/** The AWS SDK waiter's schedule (@smithy/util-waiter `runPolling`): min 2 s, max 120 s, jittered exponential. */
function awsDelay(random: () => number, minDelayMs = 2_000, maxDelayMs = 120_000): (attempt: number) => number {
  const attemptCeiling = Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1;
  return (attempt) => {
    if (attempt > attemptCeiling) return maxDelayMs;
    const ceiling = minDelayMs * 2 ** (attempt - 1);
    return minDelayMs + random() * (ceiling - minDelayMs);
  };
}

type Strategy = 'upstat default waiter' | 'fixed 5 s polling' | 'AWS SDK waiter (2 s–120 s)';
const STRATEGIES: readonly Strategy[] = ['upstat default waiter', 'fixed 5 s polling', 'AWS SDK waiter (2 s–120 s)'];

interface Figures {
  requests: Spread;
  noticeDelayMs: Spread;
}

function summarise(outcomes: readonly Outcome[]): Figures {
  return { requests: spread(outcomes.map((outcome) => outcome.requests)), noticeDelayMs: spread(outcomes.map((outcome) => outcome.noticeDelayMs)) };
}

const label = (ms: number): string => formatMs(ms);
const requestsCell = (value: Spread): string => (value.min === value.max ? `${value.median}` : `${value.median} (${value.min}–${value.max})`);
const delayCell = (value: Spread): string =>
  value.min === value.max ? formatMs(value.median) : `${formatMs(value.median)} (${formatMs(value.min)}–${formatMs(value.max)})`;

export async function benchWaiter(): Promise<SectionResult> {
  const begin = performance.now();
  const bodies = sessionBodies();
  const seeds = Array.from({ length: SEEDS }, (_, index) => index + 1);
  const results: Record<string, Record<Strategy, Figures>> = {};
  for (const completionMs of COMPLETIONS_MS) {
    const upstat: Outcome[] = [];
    for (const seed of seeds) upstat.push(await upstatWait(completionMs, seed, bodies));
    results[label(completionMs)] = {
      'upstat default waiter': summarise(upstat),
      'fixed 5 s polling': summarise([simulatePolling(completionMs, () => 5_000)]),
      'AWS SDK waiter (2 s–120 s)': summarise(seeds.map((seed) => simulatePolling(completionMs, awsDelay(seeded(seed))))),
    };
  }

  const simulationMs = performance.now() - begin;
  const budgets: Budget[] = [];
  for (const completionMs of [60_000, 600_000]) {
    const figures = results[label(completionMs)];
    if (figures === undefined) continue;
    const polling = figures['fixed 5 s polling'].requests.median;
    // "Fewer": the worst seed must still send fewer requests than fixed polling.
    budgets.push(
      atMost(`default waiter sends fewer requests than 5 s polling (${polling}) at ${label(completionMs)}`, figures['upstat default waiter'].requests.max, polling - 1, (value) => `${value} requests`),
    );
  }
  for (const completionMs of COMPLETIONS_MS) {
    const figures = results[label(completionMs)];
    if (figures === undefined) continue;
    const limit = Math.max(completionMs / 4, DEFAULT_WAIT.minDelayMs) + ROUND_TRIP_MS;
    budgets.push(
      atMost(
        `default waiter notices completion at ${label(completionMs)} within max(25% of it, ${formatMs(DEFAULT_WAIT.minDelayMs)}) + one round trip (${formatMs(limit)})`,
        figures['upstat default waiter'].noticeDelayMs.max,
        limit,
        formatMs,
      ),
    );
  }

  const rows = COMPLETIONS_MS.flatMap((completionMs) =>
    STRATEGIES.map((strategy) => {
      const figures = results[label(completionMs)]?.[strategy];
      if (figures === undefined) throw new Error(`no figures for ${strategy} at ${label(completionMs)}`);
      const polling = results[label(completionMs)]?.['fixed 5 s polling'].requests.median ?? Number.NaN;
      return [label(completionMs), strategy, requestsCell(figures.requests), `${(figures.requests.median / polling).toFixed(2)}×`, delayCell(figures.noticeDelayMs)];
    }),
  );
  const markdown = [
    table(['upload completes after', 'strategy', 'requests, median (min–max)', 'requests vs 5 s polling', 'noticed after completion, median (min–max)'], rows),
    '',
    `Simulated on a virtual clock (the whole table took ${formatMs(simulationMs)} of real time). upstat's row is the real facade: \`wait(ref)\``,
    `with default options (min ${formatMs(DEFAULT_WAIT.minDelayMs)}, max ${formatMs(DEFAULT_WAIT.maxDelayMs)}, a quarter of the time waited so far),`,
    `its requests answered by a simulated Nullspace upload; every request takes a ${ROUND_TRIP_MS} ms round trip and sees the`,
    `state as of when it was sent. Jittered strategies ran with ${SEEDS} seeds each; fixed polling has no jitter.`,
    'The AWS row follows `@smithy/util-waiter`: first check at once, then a delay drawn from [min, min·2^(attempt−1)],',
    'capped at max.',
  ].join('\n');
  return { id: 'waiter', title: 'Waiter efficiency', markdown, data: { roundTripMs: ROUND_TRIP_MS, seeds: SEEDS, results }, budgets };
}

import { DEFAULT_WAIT, type ProviderPlugin } from '@upstat/core';
import { definition, nullspace, type NullspaceRef } from '@upstat/nullspace';
import { createUpstat } from 'upstat';
import { atMost, formatMs, spread, table, type Budget, type SectionResult, type Spread } from './report.js';
import { seeded, successExample } from '@upstat/test-support';
import { scaled } from './scale.js';

/** The upload the simulated Nullspace answers for: the definition's example. */
const EXAMPLE_REF: NullspaceRef = { provider: definition.id, ...definition.example };

/** When the simulated upload completes, after the wait starts. */
const COMPLETIONS_MS = [1_000, 10_000, 60_000, 600_000];
/** Virtual round trip of every status request: a check sees the state as of when it was sent. */
const ROUND_TRIP_MS = 100;
/** Simulations per jittered strategy and completion time, each with its own seed. */
const SEEDS = scaled(200, 40);


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

// ---------------------------------------------------------------------------------------------------------
// Uploads that report progress: Nullspace's `accepted_bytes` grows along a profile over ten minutes.

const UPLOAD_MS = 600_000;

/** The share of the upload accepted after `elapsedMs`; 1 from `UPLOAD_MS` on. */
type Profile = (elapsedMs: number) => number;

type Scenario = 'steady' | 'bursty' | 'stalls, then resumes';
const SCENARIOS: readonly Scenario[] = ['steady', 'bursty', 'stalls, then resumes'];

/** Piecewise constant rates: `(length, relative rate)` pieces, scaled so the whole upload ends at `UPLOAD_MS`. */
function piecewise(pieces: readonly (readonly [number, number])[]): Profile {
  const total = pieces.reduce((sum, [length, rate]) => sum + length * rate, 0);
  return (elapsedMs) => {
    if (elapsedMs >= UPLOAD_MS) return 1;
    let done = 0;
    let start = 0;
    for (const [length, rate] of pieces) {
      done += Math.max(0, Math.min(elapsedMs - start, length)) * rate;
      start += length;
    }
    return Math.min(done / total, 1);
  };
}

/**
 * The profile of one simulated upload. Steady: one rate. Bursty: a new rate every 5 to 60 s, drawn log-uniformly
 * from a quarter to four times the mean. Stalls, then resumes: one rate, with no progress at all for 1 to 3 minutes
 * that begin between 1 and 6 minutes in.
 */
function profileOf(scenario: Scenario, random: () => number): Profile {
  const between = (low: number, high: number) => low + random() * (high - low);
  if (scenario === 'steady') return piecewise([[UPLOAD_MS, 1]]);
  if (scenario === 'bursty') {
    const pieces: [number, number][] = [];
    for (let start = 0; start < UPLOAD_MS; ) {
      const length = Math.min(between(5_000, 60_000), UPLOAD_MS - start);
      pieces.push([length, 4 ** between(-1, 1)]);
      start += length;
    }
    return piecewise(pieces);
  }
  const stallAt = between(60_000, 360_000);
  const stallFor = between(60_000, 180_000);
  return piecewise([[stallAt, 1], [stallFor, 0], [UPLOAD_MS - stallAt - stallFor, 1]]);
}

type ProgressStrategy = 'upstat, progress-aware' | 'upstat default schedule (progress withheld)' | 'fixed 5 s polling';
const PROGRESS_STRATEGIES: readonly ProgressStrategy[] = ['upstat, progress-aware', 'upstat default schedule (progress withheld)', 'fixed 5 s polling'];

/**
 * The plug-in with progress left out of what its statuses report: the same requests, bodies and wait engine, without
 * the samples the progress-aware schedule follows.
 */
function withoutProgress<D extends ProviderPlugin['definition']>(plugin: ProviderPlugin<D>): ProviderPlugin<D> {
  const read = plugin.definition.read.bind(plugin.definition);
  return {
    definition: { ...plugin.definition, read: (body: Parameters<typeof read>[0]) => ({ ...read(body), progress: undefined }) },
    connect: (shared) => plugin.connect(shared),
  };
}

/**
 * One wait for one simulated upload, on a virtual clock: the facade's `wait` with default options, progress-aware,
 * or the same `wait` over a plug-in whose statuses leave progress out — the schedule without progress, on the same
 * requests, bodies and seed.
 */
async function progressWait(profile: Profile, seed: number, withProgress: boolean): Promise<Outcome> {
  const example = successExample(definition.id, definition.operation.path) as Record<string, unknown>;
  const contentLength = Number(example.content_length);
  const clock = new SimulatedClock();
  let requests = 0;
  let noticedAt = Number.NaN;
  const fetch = (): Promise<Response> => {
    requests += 1;
    const done = clock.elapsed >= UPLOAD_MS;
    const accepted = done ? contentLength : Math.floor(contentLength * profile(clock.elapsed));
    clock.elapsed += ROUND_TRIP_MS;
    if (done && Number.isNaN(noticedAt)) noticedAt = clock.elapsed;
    const body = { ...example, status: done ? 'completed' : 'uploading', accepted_bytes: accepted, content_length: contentLength };
    return Promise.resolve(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));
  };
  const plugin = nullspace({ apiKey: 'bench-key', baseUrl: 'http://127.0.0.1:9' });
  const upstat = createUpstat({
    providers: [withProgress ? plugin : withoutProgress(plugin)],
    defaults: { fetch, clock, random: seeded(seed) },
  });
  const status = await upstat.wait(upstat.formatRef(EXAMPLE_REF));
  if (status.state !== 'succeeded') throw new Error(`the simulated upload ended as ${status.state}`);
  return { requests, noticeDelayMs: noticedAt - UPLOAD_MS };
}

async function benchProgress(): Promise<{ markdown: string; budgets: Budget[]; data: unknown }> {
  const seeds = Array.from({ length: SEEDS }, (_, index) => index + 1);
  const results = {} as Record<Scenario, Record<ProgressStrategy, Figures>>;
  for (const scenario of SCENARIOS) {
    const aware: Outcome[] = [];
    const withheld: Outcome[] = [];
    for (const seed of seeds) {
      // The upload's profile has its own seed, apart from the schedule's jitter.
      const profile = profileOf(scenario, seeded(1_000_003 * seed));
      aware.push(await progressWait(profile, seed, true));
      withheld.push(await progressWait(profile, seed, false));
    }
    results[scenario] = {
      'upstat, progress-aware': summarise(aware),
      'upstat default schedule (progress withheld)': summarise(withheld),
      'fixed 5 s polling': summarise([simulatePolling(UPLOAD_MS, () => 5_000)]),
    };
  }

  const budgets: Budget[] = [];
  const steady = results.steady;
  const polling = steady['fixed 5 s polling'].requests.median;
  // A check at once, one after the minimum delay (a rate needs two samples), then at most one per maxDelayMs.
  const floor = 2 + Math.ceil((UPLOAD_MS - DEFAULT_WAIT.minDelayMs) / DEFAULT_WAIT.maxDelayMs);
  budgets.push(
    atMost(
      `progress-aware waiter at a steady rate sends at most a tenth of 5 s polling's requests (${polling}), or the fewest a schedule bounded by maxDelayMs can (${floor}), median`,
      steady['upstat, progress-aware'].requests.median,
      Math.max(polling / 10, floor),
      (value) => `${value} requests`,
    ),
    atMost(
      `progress-aware waiter at a steady rate notices completion within 5% of the upload (${formatMs(UPLOAD_MS * 0.05)}), median`,
      steady['upstat, progress-aware'].noticeDelayMs.median,
      UPLOAD_MS * 0.05,
      formatMs,
    ),
  );
  for (const scenario of SCENARIOS.filter((name) => name !== 'steady')) {
    const figures = results[scenario];
    const withheld = figures['upstat default schedule (progress withheld)'];
    budgets.push(
      atMost(
        `progress-aware waiter, ${scenario}: no more requests than the default schedule (${withheld.requests.median}), median`,
        figures['upstat, progress-aware'].requests.median,
        withheld.requests.median,
        (value) => `${value} requests`,
      ),
      atMost(
        `progress-aware waiter, ${scenario}: notices completion no later than the default schedule (${formatMs(withheld.noticeDelayMs.median)}), median`,
        figures['upstat, progress-aware'].noticeDelayMs.median,
        withheld.noticeDelayMs.median,
        formatMs,
      ),
    );
  }

  const rows = SCENARIOS.flatMap((scenario) =>
    PROGRESS_STRATEGIES.map((strategy) => {
      const figures = results[scenario][strategy];
      const pollingMedian = results[scenario]['fixed 5 s polling'].requests.median;
      return [scenario, strategy, requestsCell(figures.requests), `${(figures.requests.median / pollingMedian).toFixed(2)}×`, delayCell(figures.noticeDelayMs)];
    }),
  );
  const markdown = [
    '### Uploads that report progress',
    '',
    table(['10-minute upload', 'strategy', 'requests, median (min–max)', 'requests vs 5 s polling', 'noticed after completion, median (min–max)'], rows),
    '',
    `Each upload completes after ${formatMs(UPLOAD_MS)}; a simulated Nullspace reports its \`accepted_bytes\` of \`content_length\` as of`,
    'when each request was sent (same virtual clock and round trip as above). Steady: one rate. Bursty: a new rate every',
    '5 to 60 s, log-uniform from a quarter to four times the mean. Stalls, then resumes: no progress at all for 1 to',
    `3 minutes, beginning 1 to 6 minutes in. ${SEEDS} uploads per scenario, each with its own profile and jitter seed;`,
    "both upstat rows see the same uploads with the same seeds. The progress-aware row is the facade's `wait(ref)` with",
    "default options; the default-schedule row runs the same `wait` over a plug-in whose statuses leave progress out (the",
    'same requests and bodies, none of the samples the progress-aware schedule follows).',
  ].join('\n');
  return { markdown, budgets, data: { uploadMs: UPLOAD_MS, results } };
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

  const progress = await benchProgress();
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
    `Simulated on a virtual clock (the whole section took ${formatMs(simulationMs)} of real time). upstat's row is the real facade: \`wait(ref)\``,
    `with default options (min ${formatMs(DEFAULT_WAIT.minDelayMs)}, max ${formatMs(DEFAULT_WAIT.maxDelayMs)}, a quarter of the time waited so far),`,
    `its requests answered by a simulated Nullspace upload; every request takes a ${ROUND_TRIP_MS} ms round trip and sees the`,
    `state as of when it was sent. Jittered strategies ran with ${SEEDS} seeds each; fixed polling has no jitter.`,
    'The AWS row follows `@smithy/util-waiter`: first check at once, then a delay drawn from [min, min·2^(attempt−1)],',
    'capped at max.',
    '',
    progress.markdown,
  ].join('\n');
  budgets.push(...progress.budgets);
  return {
    id: 'waiter',
    title: 'Waiter efficiency',
    markdown,
    data: { roundTripMs: ROUND_TRIP_MS, seeds: SEEDS, results, progress: progress.data },
    budgets,
  };
}

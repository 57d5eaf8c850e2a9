// A wait through a flaky network: 200 waits on uploads that finish 5–15 s after the start, against a local server on
// loopback that fails 30% of its requests at random (connection resets, 503s, requests it never answers past the 500 ms
// attempt limit, 429s asking for 1 s), next to the same uploads, the same schedule and the same jitter without faults,
// in the same run. What the faults cost: requests per wait, and how long after its upload finished each wait noticed.
// The schedule's bounds are shortened (250 ms to 2 s) so that the run takes seconds, not the minutes of the test in
// tests/waits/test/chaos.test.ts; the provider's budget (100 per second, 16 in flight) is the same for both.
import { performance } from 'node:perf_hooks';
import { definition, nullspace } from '@upstat/nullspace';
import { scriptedServer, seeded, successExample, type Answer } from '@upstat/test-support';
import { createUpstat } from 'upstat';
import { atMost, formatMs, median, ratio, table, type SectionResult } from './report.js';
import { scaled } from './scale.js';

const WAITS = scaled(200, 50);
const FAILURE_SHARE = 0.3;
const BUDGET = { requestsPerSecond: 100, concurrency: 16 };
const SCHEDULE = { minDelayMs: 250, maxDelayMs: 2_000, timeoutMs: 5 * 60_000, requestTimeoutMs: 500 };

interface Run {
  requests: number;
  failuresServed: number;
  /** Each wait's delay from its upload finishing to its wait resolving; undefined for a wait that did not succeed. */
  noticeMs: (number | undefined)[];
  seconds: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

function sessionBody(upload: string, status: string, fraction = 0.5): Record<string, unknown> {
  const example = successExample(definition.id, definition.operation.path) as Record<string, unknown>;
  const total = Number(example.content_length);
  return { ...example, upload_id: upload, status, accepted_bytes: Math.round(total * (status === 'completed' ? 1 : fraction)) };
}

async function run(faults: boolean): Promise<Run> {
  // The same uploads and the same schedule jitter in both runs; the faults have a generator of their own.
  const finishes = seeded(7);
  const finishAt = Array.from({ length: WAITS }, () => 5_000 + finishes() * 10_000);
  const fault = seeded(11);
  let failuresServed = 0;
  const started = performance.now();
  const server = await scriptedServer((upload): Answer => {
    const elapsed = performance.now() - started;
    const roll = fault();
    if (faults && roll < FAILURE_SHARE) {
      failuresServed += 1;
      const kind = Math.floor((roll / FAILURE_SHARE) * 4);
      return kind === 0 ? 'reset' : kind === 1 ? { http: 503 } : kind === 2 ? 'hang' : { http: 429, retryAfter: '1' };
    }
    const finish = finishAt[Number(upload.slice(1))] ?? 0;
    return elapsed >= finish ? { status: 'completed' } : { status: 'uploading', fraction: elapsed / finish };
  }, sessionBody);
  try {
    const upstat = createUpstat({
      providers: [nullspace({ apiKey: 'bench-key', baseUrl: server.url })],
      budget: { nullspace: BUDGET },
      defaults: { random: seeded(3) },
    });
    const noticeMs: (number | undefined)[] = new Array<number | undefined>(WAITS).fill(undefined);
    await upstat.waitAll(
      finishAt.map((_, index) => `nullspace:sb_bench/u${index}`),
      {
        ...SCHEDULE,
        onResult: (result, index) => {
          if (result.ok && result.status.state === 'succeeded') noticeMs[index] = performance.now() - started - (finishAt[index] ?? 0);
        },
      },
    );
    return { requests: server.log.length, failuresServed, noticeMs, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.close();
  }
}

export async function benchChaos(): Promise<SectionResult> {
  const calm = await run(false);
  const flaky = await run(true);
  const succeeded = (r: Run) => r.noticeMs.filter((value): value is number => value !== undefined);
  const rows = [
    ['no faults', calm],
    [`${FAILURE_SHARE * 100}% of requests fail`, flaky],
  ] as const;
  const figures = rows.map(([label, r]) => {
    const notice = succeeded(r);
    return { label, requestsPerWait: r.requests / WAITS, failuresServed: r.failuresServed, succeeded: notice.length, noticeMedianMs: median(notice), noticeP95Ms: percentile(notice, 95), seconds: r.seconds };
  });
  const [base, faulty] = figures as [(typeof figures)[number], (typeof figures)[number]];
  const markdown = [
    table(
      ['run', 'waits succeeded', 'requests per wait', 'failed answers served', 'finished → noticed: median', 'p95', 'run'],
      figures.map((row) => [
        row.label,
        `${row.succeeded} of ${WAITS}`,
        row.requestsPerWait.toFixed(1),
        String(row.failuresServed),
        formatMs(row.noticeMedianMs),
        formatMs(row.noticeP95Ms),
        `${row.seconds.toFixed(1)} s`,
      ]),
    ),
    '',
    `With faults against without: ${ratio(faulty.requestsPerWait / base.requestsPerWait)} the requests per wait, ` +
      `${ratio(faulty.noticeMedianMs / base.noticeMedianMs)} the median delay before a finished upload is noticed.`,
    '',
    `${WAITS} waits (\`waitAll\`) on uploads finishing 5–15 s after the start, against a local server: the same uploads, schedule`,
    `(minDelayMs ${SCHEDULE.minDelayMs} ms, maxDelayMs ${SCHEDULE.maxDelayMs} ms) and jitter in both runs; in the second, ${FAILURE_SHARE * 100}% of`,
    'requests fail at random, a quarter each: connection reset, 503, no answer (the 500 ms attempt limit ends it), 429 with',
    `Retry-After: 1 (which pauses every wait on the provider). Budget ${BUDGET.requestsPerSecond} per second, ${BUDGET.concurrency} in flight.`,
  ].join('\n');
  return {
    id: 'chaos',
    title: 'A wait through a flaky network',
    markdown,
    data: { waits: WAITS, failureShare: FAILURE_SHARE, budget: BUDGET, schedule: SCHEDULE, runs: figures },
    budgets: [atMost(`chaos: every wait succeeded with ${FAILURE_SHARE * 100}% of requests failing`, WAITS - faulty.succeeded, 0, (value) => `${value} did not`)],
  };
}

// Thousands of waits in one process (the facade's watcher: `watch`, `waitAll`), against a local server in its own
// process (src/watcher-server.ts), each run in a fresh client process (src/watcher-child.ts):
// - memory per wait at 1,000 and 10,000 waits, next to as many polling loops written by hand over `status` (one
//   promise chain, closure and timer per wait) in the same run;
// - requests per second reached against the provider's budget, and the time from an upload finishing (server side)
//   to its wait resolving, at 1,000 and 10,000 waits, with the budget the bottleneck (minDelayMs 200 ms asks for
//   5,000 requests per second per 1,000 waits).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { atMost, formatBytes, formatMs, median, ratio, table, type Budget, type SectionResult } from './report.js';
import type { ChildConfig, ChildResult } from './watcher-child.js';
import { startServerProcess } from './requests.js';
import { busiestWindow } from '@upstat/test-support';
import { scaled } from './scale.js';

const COUNTS = [1_000, 10_000] as const;
/** The budget of each run: the rate is what binds (the waits ask for far more), the concurrency keeps the server's queue short. */
const BUDGETS: Record<number, { requestsPerSecond: number; concurrency: number }> = {
  1_000: { requestsPerSecond: 500, concurrency: 16 },
  10_000: { requestsPerSecond: 2_000, concurrency: 32 },
};
/** Alternating runs of each memory measurement: at 1,000 waits one run's growth moves by about ±10 %, at 10,000 by a few. */
const MEMORY_RUNS: Record<number, number> = { 1_000: scaled(5, 1), 10_000: 1 };
const MIN_DELAY_MS = 200;
const MAX_DELAY_MS = 1_000;
/**
 * How late an upload may be noticed, at the 95th percentile, in rounds: with the rate the bottleneck every wait is
 * checked once per round (waits ÷ requests per second), so completion is noticed within one round plus the wait's
 * own delay (at most maxDelayMs) in the worst case; half a round more is left for the machine.
 */
const NOTICE_ROUNDS_P95 = 1.5;
/**
 * The sustained rate may read at most this far over the budget: the token bucket holds it to exactly the budget on
 * the client's clock, but the server times arrivals, which lag the starts by a loopback hop that varies (the first
 * arrival late and the last one early shortens the measured span). A 1 % allowance is 50 ms over a 5 s run.
 */
const RATE_TOLERANCE = 1.01;

interface Server {
  url: string;
  child: ChildProcess;
}

function startServer(): Promise<Server> {
  return startServerProcess('watcher-server.js', []);
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

interface Stats {
  arrivals: number[];
  finishAt: Record<string, number>;
}

async function stats(server: Server): Promise<Stats> {
  const response = await fetch(`${server.url}/stats`);
  return (await response.json()) as Stats;
}

function runChild(config: ChildConfig): Promise<ChildResult> {
  const script = fileURLToPath(new URL('./watcher-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output) as ChildResult);
      else reject(new Error(`watcher child (${config.mode} ${config.api} ${config.count}) exited with ${String(code)}`));
    });
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

async function withServer<T>(run: (server: Server) => Promise<T>): Promise<T> {
  const server = await startServer();
  try {
    return await run(server);
  } finally {
    await stopServer(server);
  }
}

interface MemoryRow {
  count: number;
  watchBytes: number;
  loopBytes: number;
}

interface LatencyRow {
  count: number;
  requestsPerSecond: number;
  concurrency: number;
  requests: number;
  /** Requests per second once the first window's starts are spent (the sliding window lets that many start together): (requests − starts) ÷ (last − first arrival). */
  sustainedRps: number;
  /** The most requests in any one second. */
  busiestSecond: number;
  /** Waits ÷ requests per second: how often each wait can be checked at the budget. */
  roundMs: number;
  noticeMedianMs: number;
  noticeP95Ms: number;
  failures: number;
  seconds: number;
}

async function memoryRow(count: number): Promise<MemoryRow> {
  const budget = BUDGETS[count] as ChildConfig['budget'];
  const measure = (api: 'watch' | 'loop') =>
    withServer(async (server) => {
      const result = await runChild({ mode: 'memory', api, count, url: server.url, budget, minDelayMs: MIN_DELAY_MS, maxDelayMs: MAX_DELAY_MS });
      if (result.mode !== 'memory') throw new Error('expected a memory result');
      return result.heapPerWaitBytes;
    });
  // A small heap's growth moves by about a tenth from run to run: the medians of a few alternating runs, where one
  // run's figure alone could land on either side of the budget.
  const loops: number[] = [];
  const watches: number[] = [];
  for (let run = 0; run < (MEMORY_RUNS[count] ?? 1); run++) {
    loops.push(await measure('loop'));
    watches.push(await measure('watch'));
  }
  return { count, watchBytes: median(watches), loopBytes: median(loops) };
}

async function latencyRow(count: number): Promise<LatencyRow> {
  const budget = BUDGETS[count] as ChildConfig['budget'];
  return withServer(async (server) => {
    const result = await runChild({ mode: 'latency', api: 'watch', count, url: server.url, budget, minDelayMs: MIN_DELAY_MS, maxDelayMs: MAX_DELAY_MS });
    if (result.mode !== 'latency') throw new Error('expected a latency result');
    const seen = await stats(server);
    const notice = result.resolvedAt.flatMap((at, index) => {
      const finished = seen.finishAt[`l${index}`];
      return at === null || finished === undefined ? [] : [at - finished];
    });
    const first = Math.min(...seen.arrivals);
    const last = Math.max(...seen.arrivals);
    const burst = Math.max(1, budget.requestsPerSecond);
    return {
      count,
      ...budget,
      requests: seen.arrivals.length,
      sustainedRps: (seen.arrivals.length - burst) / Math.max(0.001, (last - first) / 1000),
      busiestSecond: busiestWindow(seen.arrivals, 1_000),
      roundMs: (count / budget.requestsPerSecond) * 1000,
      noticeMedianMs: median(notice),
      noticeP95Ms: percentile(notice, 95),
      // Waits that failed, and any that resolved without the server having seen their upload finish.
      failures: count - notice.length,
      seconds: result.seconds,
    };
  });
}

export async function benchWatcher(): Promise<SectionResult> {
  const memory: MemoryRow[] = [];
  const latency: LatencyRow[] = [];
  for (const count of COUNTS) {
    memory.push(await memoryRow(count));
    latency.push(await latencyRow(count));
  }
  const budgets: Budget[] = [];
  for (const row of memory) {
    budgets.push(atMost(`watcher: heap per wait ≤ a polling loop's, ${row.count.toLocaleString('en')} waits`, row.watchBytes / row.loopBytes, 1, ratio));
  }
  for (const row of latency) {
    const waits = row.count.toLocaleString('en');
    budgets.push(
      atMost(
        `watcher: sustained requests per second ≤ the budget (+1 % for arrival timing), ${waits} waits`,
        row.sustainedRps / row.requestsPerSecond,
        RATE_TOLERANCE,
        (value) => ratio(value, 3),
      ),
      atMost(
        `watcher: upload finished → wait resolved, p95 ≤ ${NOTICE_ROUNDS_P95} rounds (waits ÷ rate), ${waits} waits`,
        row.noticeP95Ms / row.roundMs,
        NOTICE_ROUNDS_P95,
        ratio,
      ),
      atMost(`watcher: every wait resolved, ${waits} waits`, row.failures, 0, (value) => `${value} failed`),
    );
  }
  const markdown = [
    table(
      ['waits', 'heap per wait: watch() and wait()', 'a polling loop over status()', 'ratio'],
      memory.map((row) => [row.count.toLocaleString('en'), formatBytes(row.watchBytes), formatBytes(row.loopBytes), ratio(row.watchBytes / row.loopBytes)]),
    ),
    '',
    table(
      ['waits', 'budget', 'requests', 'sustained rate (× budget)', 'busiest second', 'round', 'finished → resolved: median', 'p95', 'p95 in rounds', 'run'],
      latency.map((row) => [
        row.count.toLocaleString('en'),
        `${row.requestsPerSecond}/s, ${row.concurrency} in flight`,
        row.requests.toLocaleString('en'),
        `${row.sustainedRps.toFixed(0)}/s (${ratio(row.sustainedRps / row.requestsPerSecond, 3)})`,
        String(row.busiestSecond),
        formatMs(row.roundMs),
        formatMs(row.noticeMedianMs),
        formatMs(row.noticeP95Ms),
        ratio(row.noticeP95Ms / row.roundMs),
        `${row.seconds.toFixed(1)} s`,
      ]),
    ),
    '',
    `Each run is a fresh client process against a fresh server process on loopback. Memory: heap growth after GC once every wait`,
    `has been checked once and sleeps (uploads that never finish), over a warmed-up process, per wait (the median of ${MEMORY_RUNS[1_000] ?? 1}`,
    `alternating runs at 1,000 waits); the baseline is as many`,
    `polling loops written by hand over \`status()\` (a promise chain, closure and timer each, keeping the last status for`,
    `the error a deadline ends them with, as a wait does; their requests under the same budget), measured after a few`,
    `collections (Node's fetch frees each request's abort bookkeeping through finalizers that one collection leaves).`,
    `Rate and notice: uploads finish 1–3 s after their first check; waits use minDelayMs ${MIN_DELAY_MS} ms and`,
    `maxDelayMs ${MAX_DELAY_MS} ms, so the provider budget is the bottleneck and each wait is checked about once per round`,
    `(waits ÷ rate). The sustained rate leaves out the first window's starts, which the sliding window lets start together (one second's worth);`,
    `the busiest second includes it (at most twice the rate). Notice times compare the server's and the client's \`Date.now()\`.`,
  ].join('\n');
  return { id: 'watcher', title: 'Thousands of waits in one process (watcher)', markdown, data: { memory, latency }, budgets };
}

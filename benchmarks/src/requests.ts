import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { seeded, successExample } from '@upstat/test-support';
import { atMost, formatSpread, median, pooledMedianInterval, ratio, spread, table, type Budget, type SectionResult, type Spread } from './report.js';
import { STATUS_PATH, VARIANTS, type Job, type JobResult, type Variant, type WorkerSetup } from './request-variants.js';
import { scaled } from './scale.js';

/** Requests per variant in each run; a run interleaves the variants in small blocks. */
const SEQUENTIAL_REQUESTS = scaled(3_000, 600);
const CONCURRENT_REQUESTS = scaled(8_000, 1_536);
const IN_FLIGHT = 64;
/** The issue's budgets: time per request against bare openapi-fetch, sequentially and in flight alike. */
const BUDGETS: readonly { variant: Variant; limit: number }[] = [
  { variant: 'provider client', limit: 1.05 },
  { variant: 'facade', limit: 1.1 },
];
/**
 * Runs per mode. Many short runs rather than a few long ones: part of the spread is between runs (each run's fresh
 * workers draw their own JIT state), so the median over more runs moves less. After `least` runs, `step` more at
 * a time, up to `most`, while any budget's 95% interval (from resampling the runs) still holds its limit: the
 * provider client's sequential figure sits about two of its run-to-run spreads under its limit (about 1.03× against
 * 1.05×), close enough that a fixed count of runs missed the budget on noise about once in ten or twenty
 * invocations. Measuring longer only when the figure is too close to call keeps the budget and the usual duration.
 */
const RUNS = scaled({ least: 15, step: 5, most: 45 }, { least: 3, step: 0, most: 3 });
/**
 * Requests in one block. The machine's speed drifts in phases of seconds to minutes (on the reference VM the same
 * variant ran at 3,000 and then at 1,700 requests/s a minute later), so variants compared a block apart must run
 * milliseconds apart, not seconds: 10 sequential requests (~3 ms), or two waves of the in-flight requests.
 */
const BLOCK_REQUESTS = { sequential: 10, concurrent: 2 * IN_FLIGHT };

/**
 * Where the spread between two invocations came from (measured on the 2-core reference machine): the scheduler
 * moving the server and the variant under test between the cores (one core is slower: the same block took up to
 * 40% longer there), and each worker's JIT draw, fixed for a whole invocation when a worker lives through all the
 * runs. So, with two or more cores and `taskset` (util-linux), the server gets the first core and this process
 * (the variant workers, which run one at a time) the second; and every run starts fresh workers, so the median
 * over the runs is over several JIT draws rather than one.
 */
function pinning(): { server: string[]; note: string; release: () => void } {
  const cores = availableParallelism();
  if (cores < 2) return { server: [], note: 'not pinned (one core)', release: () => undefined };
  const self = spawnSync('taskset', ['-a', '-c', '-p', '1', String(process.pid)], { stdio: 'ignore' });
  if (self.error !== undefined || self.status !== 0) return { server: [], note: 'not pinned (`taskset` unavailable)', release: () => undefined };
  return {
    server: ['taskset', '-c', '0'],
    note: 'server pinned to core 0, the variants to core 1',
    // The later sections (and the processes they start) get every core back.
    release: () => {
      spawnSync('taskset', ['-a', '-c', '-p', `0-${cores - 1}`, String(process.pid)], { stdio: 'ignore' });
    },
  };
}

/**
 * Starts one of the benchmarks' server scripts (built beside this file) in its own process, behind `prefix`
 * (e.g. `taskset`), and resolves once it prints the port it listens on. Shared by the request and watcher sections.
 */
export async function startServerProcess(script: string, args: string[], prefix: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const [command, ...rest] = [...prefix, process.execPath, path, ...args];
  const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`${script} exited (${String(code)}) before listening`));
    });
    child.stdout.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().trim());
    });
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** A variant's worker thread, running one job at a time. */
interface VariantWorker {
  run(job: Job): Promise<number>;
  stop(): Promise<number>;
}

function startWorker(setup: WorkerSetup): VariantWorker {
  const worker = new Worker(fileURLToPath(new URL('./request-worker.js', import.meta.url)), { workerData: setup });
  return {
    run: (job) =>
      new Promise<number>((resolve, reject) => {
        const onError = (error: Error) => {
          reject(error);
        };
        worker.once('error', onError);
        worker.once('message', (result: JobResult) => {
          worker.off('error', onError);
          if ('error' in result) reject(new Error(`${setup.variant}: ${result.error}`));
          else resolve(result.seconds);
        });
        worker.postMessage(job);
      }),
    stop: () => worker.terminate(),
  };
}

interface ModeResult {
  requestsPerSecond: Record<Variant, Spread>;
  /** Time per request relative to bare openapi-fetch (and to raw fetch): >1 is slower. Per-run ratios. */
  vsBare: Record<Variant, Spread>;
  vsRaw: Record<Variant, Spread>;
  /** The median over every block of every run against its neighbouring bare openapi-fetch block: the budgets' figure. */
  pooledVsBare: Record<Variant, number>;
  /** The 95% interval of `pooledVsBare` for the budgeted variants, from resampling the runs: the one the last run's decision used. */
  intervals: Partial<Record<Variant, { low: number; high: number }>>;
  blocks: number;
}

/**
 * Each run sends `total` requests per variant in blocks of `blockRequests`, interleaved (A B C D, B C D A, …), so
 * that the variants being compared always ran moments apart. A run's throughput is its total requests over its
 * total time; its ratios are the median over its blocks of the ratio between neighbouring blocks, so that a pause
 * of the machine (a major GC, the other core's work) that lands on one block does not decide the run. The budgets
 * take the median over the blocks of all runs together: with hundreds of blocks per run, that figure moves far less
 * between invocations than a median of the runs' medians.
 *
 * Tried and not used: all variants in one worker, taking turns call by call, each call timed. It moved little
 * between invocations (client 1.014–1.016×), but it measured low. In a shared heap, a collection or a call's
 * deferred work (timers, finalizers, socket callbacks) lands on whichever call runs next, and the median over the
 * calls drops the pauses. The same isolate in blocks of 200 calls put the client at 1.06–1.11×. Separate workers in
 * blocks of 300 after 50 untimed calls put it at 1.03×, which agrees with this method.
 *
 * What the blocks' size means with 64 in flight: a block of two waves includes their ramp-up and ramp-down, time
 * that the variants share. Under sustained load the ratios are higher: separate workers in blocks of 512 or 4,096
 * requests put the client at 1.04–1.10× and the facade at 1.07–1.11× (December 2026, the Intel Xeon kind of the
 * reference VM), where this method reads 1.02–1.035× and 1.05–1.07×. The same blocks compared the client and the
 * facade with their builds from before the request hook, User-Agent and request id were added (commit ef16367):
 * 0.98× and 1.00×.
 */
async function measureMode(baseUrl: string, total: number, inFlight: number, blockRequests: number): Promise<ModeResult> {
  const each = <T>(make: (variant: Variant) => T) => Object.fromEntries(VARIANTS.map((variant) => [variant, make(variant)])) as Record<Variant, T>;
  const runs: { requestsPerSecond: Record<Variant, number>; vsRaw: Record<Variant, number> }[] = [];
  const blockCount = Math.ceil(total / blockRequests);
  // Per variant, one list of block ratios per run.
  const ratiosByRun = each((): number[][] => []);
  // Seeded, so that the same blocks always give the same interval.
  const random = seeded(1);
  let intervals: ModeResult['intervals'] = {};
  let target = RUNS.least;
  for (let run = 0; run < target; run++) {
    const workers = each((variant) => startWorker({ variant, baseUrl }));
    try {
      for (const variant of VARIANTS) await workers[variant].run({ total: Math.ceil(total / 4), inFlight }); // warm-up: JIT, sockets
      const blocks: Record<Variant, number>[] = [];
      for (let index = 0; index < blockCount; index++) {
        const seconds = each(() => 0);
        for (let offset = 0; offset < VARIANTS.length; offset++) {
          const variant = VARIANTS[(index + offset) % VARIANTS.length] as Variant;
          seconds[variant] = await workers[variant].run({ total: blockRequests, inFlight });
        }
        blocks.push(seconds);
      }
      const totalSeconds = (variant: Variant) => blocks.reduce((sum, seconds) => sum + seconds[variant], 0);
      for (const variant of VARIANTS) ratiosByRun[variant].push(blocks.map((seconds) => seconds[variant] / seconds['bare openapi-fetch']));
      runs.push({
        requestsPerSecond: each((variant) => (blockRequests * blockCount) / totalSeconds(variant)),
        vsRaw: each((variant) => median(blocks.map((seconds) => seconds[variant] / seconds['raw fetch']))),
      });
    } finally {
      await Promise.all(VARIANTS.map((variant) => workers[variant].stop()));
    }
    if (run + 1 === target) {
      intervals = Object.fromEntries(BUDGETS.map(({ variant }) => [variant, pooledMedianInterval(ratiosByRun[variant], random)]));
      const undecided = BUDGETS.some(({ variant, limit }) => {
        const interval = intervals[variant];
        return interval !== undefined && interval.low <= limit && limit <= interval.high;
      });
      if (undecided && target < RUNS.most) target = Math.min(target + RUNS.step, RUNS.most);
    }
  }
  return {
    requestsPerSecond: each((variant) => spread(runs.map((figures) => figures.requestsPerSecond[variant]))),
    vsBare: each((variant) => spread(ratiosByRun[variant].map((ratios) => median(ratios)))),
    vsRaw: each((variant) => spread(runs.map((figures) => figures.vsRaw[variant]))),
    pooledVsBare: each((variant) => median(ratiosByRun[variant].flat())),
    intervals,
    blocks: blockCount,
  };
}

export async function benchRequests(): Promise<SectionResult> {
  const pinned = pinning();
  const server = await startServerProcess('status-server.js', [JSON.stringify(successExample('pandadoc', STATUS_PATH))], pinned.server);
  try {
    const sequential = await measureMode(server.url, SEQUENTIAL_REQUESTS, 1, BLOCK_REQUESTS.sequential);
    const concurrent = await measureMode(server.url, CONCURRENT_REQUESTS, IN_FLIGHT, BLOCK_REQUESTS.concurrent);

    const rows = (mode: ModeResult) =>
      VARIANTS.map((variant) => [
        variant,
        formatSpread(mode.requestsPerSecond[variant], 0),
        `${formatSpread(mode.vsBare[variant])}×`,
        `${formatSpread(mode.vsRaw[variant])}×`,
      ]);
    const header = ['variant', 'requests/s, median (min–max)', 'time per request vs bare openapi-fetch', 'vs raw fetch'];
    const modes = [['sequential', sequential], [`${IN_FLIGHT} in flight`, concurrent]] as const;
    const budgets: Budget[] = modes.flatMap(([label, mode]) =>
      BUDGETS.map(({ variant, limit }) =>
        atMost(`${variant} ≤ ${ratio(limit)} bare openapi-fetch (${label})`, mode.pooledVsBare[variant], limit, (value) => ratio(value, 3)),
      ),
    );
    // "provider client 1.022× (1.015–1.029)" for each budgeted variant of a mode.
    const figures = (mode: ModeResult) =>
      BUDGETS.map(({ variant }) => {
        const interval = mode.intervals[variant];
        return `${variant} ${ratio(mode.pooledVsBare[variant], 3)}${interval === undefined ? '' : ` (${interval.low.toFixed(3)}–${interval.high.toFixed(3)})`}`;
      }).join(', ');
    const markdown = [
      `### Sequential (one request at a time, ${SEQUENTIAL_REQUESTS} per run)`,
      '',
      table(header, rows(sequential)),
      '',
      `### ${IN_FLIGHT} in flight (${CONCURRENT_REQUESTS} per run)`,
      '',
      table(header, rows(concurrent)),
      '',
      `One \`GET\` of PandaDoc's section upload status, answered by a local \`node:http\` server (its own process) with the`,
      `spec's example body. Each variant reads the parsed JSON body: raw \`fetch\` + \`response.json()\`; bare openapi-fetch`,
      '(`createClient<paths>` on the same generated types, no middleware); the provider client (Authorization, path',
      'guards, per-attempt timeout, retry loop, typed errors); the facade (`status(ref)`: the client plus the status',
      'model). Each variant runs in its own worker thread (its own JIT state, heap and connections), one at a time,',
      `started afresh for each run; ${pinned.note}.`,
      `${sequential.vsBare.facade.runs} runs sequentially and ${concurrent.vsBare.facade.runs} with ${IN_FLIGHT} in flight (at least ${RUNS.least}; then ${RUNS.step} more at a time, up to ${RUNS.most}, while`,
      "a budget's 95% interval still held its limit), each after a warm-up and each sending every variant's requests in",
      `interleaved blocks in rotating order (${BLOCK_REQUESTS.sequential} requests a block sequentially, ${BLOCK_REQUESTS.concurrent} with ${IN_FLIGHT} in flight: the machine's speed`,
      "drifts over seconds, so compared blocks run milliseconds apart). A run's ratio is the median over its blocks of each",
      "block's time against the neighbouring baseline block; the table gives the median (min–max) over the runs, and the",
      'budgets the median over the blocks of all runs together, with its 95% interval from resampling the runs:',
      `${figures(sequential)} sequentially; ${figures(concurrent)} with ${IN_FLIGHT} in flight.`,
      `Bare openapi-fetch costs ${ratio(sequential.vsRaw['bare openapi-fetch'].median)} raw fetch here, sequentially (about 1.24× on the reference machine).`,
    ].join('\n');
    return { id: 'requests', title: 'Request overhead', markdown, data: { sequential, concurrent, inFlight: IN_FLIGHT, runs: RUNS, blockRequests: BLOCK_REQUESTS, pinning: pinned.note }, budgets };
  } finally {
    server.child.kill('SIGTERM');
    pinned.release();
  }
}

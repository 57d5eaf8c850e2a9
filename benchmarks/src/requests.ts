import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { successExample } from '@upstat/test-support';
import { atMost, formatSpread, median, ratio, spread, table, type Budget, type SectionResult, type Spread } from './report.js';
import { STATUS_PATH, VARIANTS, type Job, type JobResult, type Variant, type WorkerSetup } from './request-variants.js';

/**
 * Sequentially, one worker hosts every variant and alternates them call by call (see `measureAlternating`):
 * `CYCLES` rounds of one call each, after `WARM_CYCLES` untimed ones, in each of `ALTERNATING_RUNS` fresh workers.
 */
const ALTERNATING = { runs: 5, warmCycles: 1_000, cycles: 2_000 };
/** With requests in flight, each variant has a worker of its own, and the variants take turns in blocks (see `measureBlocks`). */
const CONCURRENT_REQUESTS = 8_000;
const IN_FLIGHT = 64;
// Many short runs rather than a few long ones: part of the spread is between runs (each run's fresh workers
// draw their own JIT state), so the median over more runs moves less.
const BLOCK_RUNS = 15;
/**
 * Requests in one block: two waves of the in-flight requests. The machine's speed drifts in phases of seconds to
 * minutes (on the reference VM the same variant ran at 3,000 and then at 1,700 requests/s a minute later), so
 * variants compared a block apart must run milliseconds apart, not seconds.
 */
const BLOCK_REQUESTS = 2 * IN_FLIGHT;

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

/** A record with one entry per variant. */
const each = <T>(make: (variant: Variant) => T) => Object.fromEntries(VARIANTS.map((variant) => [variant, make(variant)])) as Record<Variant, T>;

/** A worker thread hosting one or more variants, running one job at a time. */
interface VariantWorker {
  run(job: Job): Promise<Exclude<JobResult, { error: string }>>;
  stop(): Promise<number>;
}

function startWorker(setup: WorkerSetup): VariantWorker {
  const worker = new Worker(fileURLToPath(new URL('./request-worker.js', import.meta.url)), { workerData: setup });
  return {
    run: (job) =>
      new Promise((resolve, reject) => {
        const onError = (error: Error) => {
          reject(error);
        };
        worker.once('error', onError);
        worker.once('message', (result: JobResult) => {
          worker.off('error', onError);
          if ('error' in result) reject(new Error(`${setup.variants.join(', ')}: ${result.error}`));
          else resolve(result);
        });
        worker.postMessage(job);
      }),
    stop: () => worker.terminate(),
  };
}

async function blockSeconds(worker: VariantWorker, job: Job & { kind: 'block' }): Promise<number> {
  const result = await worker.run(job);
  if (!('seconds' in result)) throw new Error('a block job answered without its time');
  return result.seconds;
}

async function callSeconds(worker: VariantWorker, cycles: number): Promise<Record<Variant, number[]>> {
  const result = await worker.run({ kind: 'alternate', cycles });
  if (!('callSeconds' in result)) throw new Error('an alternating job answered without its times');
  return each((variant) => {
    const seconds = result.callSeconds[variant];
    if (seconds === undefined) throw new Error(`an alternating job left out ${variant}`);
    return seconds;
  });
}

interface ModeResult {
  requestsPerSecond: Record<Variant, Spread>;
  /** Time per request relative to bare openapi-fetch (and to raw fetch): >1 is slower. Per-run ratios. */
  vsBare: Record<Variant, Spread>;
  vsRaw: Record<Variant, Spread>;
  /** The median over every compared pair (call or block) of every run against bare openapi-fetch: the budgets' figure. */
  pooledVsBare: Record<Variant, number>;
  /** Compared pairs per run. */
  pairs: number;
}

/**
 * One run's figures from the paired timings (call by call or block by block, the variants side by side): a run's
 * throughput is its requests over its total time; its ratios are the median over the pairs, so that a pause of the
 * machine (a major GC, the other core's work) that lands on one of them does not decide the run.
 */
function summarize(runs: { seconds: Record<Variant, number[]>; requestsEach: number }[]): ModeResult {
  const ratios = (seconds: Record<Variant, number[]>, variant: Variant, baseline: Variant) =>
    seconds[variant].map((value, index) => value / (seconds[baseline][index] as number));
  const perRun = (figure: (run: { seconds: Record<Variant, number[]>; requestsEach: number }, variant: Variant) => number) =>
    each((variant) => spread(runs.map((run) => figure(run, variant))));
  return {
    requestsPerSecond: perRun((run, variant) => (run.requestsEach * run.seconds[variant].length) / run.seconds[variant].reduce((sum, value) => sum + value, 0)),
    vsBare: perRun((run, variant) => median(ratios(run.seconds, variant, 'bare openapi-fetch'))),
    vsRaw: perRun((run, variant) => median(ratios(run.seconds, variant, 'raw fetch'))),
    pooledVsBare: each((variant) => median(runs.flatMap((run) => ratios(run.seconds, variant, 'bare openapi-fetch')))),
    pairs: runs[0]?.seconds['bare openapi-fetch'].length ?? 0,
  };
}

/**
 * One request at a time. All variants live in one worker and take turns call by call (A B C D, B C D A, …), each
 * call timed on its own, so the calls compared ran a fraction of a millisecond apart, with warm caches. Variants in
 * workers of their own, taking turns in blocks, measured every block just after a switch between isolates: a
 * sequential request then took 3 to 4 times as long as in a steady loop, the switch's cost diluted and shook the
 * ratio: five full runs of one build put the provider client anywhere from 1.02× to 1.05×. In one isolate the variants
 * share the heap, so a garbage collection pauses whichever call is running: the median over the calls leaves
 * those pauses out, for every variant alike. The 64-in-flight figures (blocks, separate heaps) include them.
 */
async function measureAlternating(baseUrl: string): Promise<ModeResult> {
  const runs: { seconds: Record<Variant, number[]>; requestsEach: number }[] = [];
  for (let run = 0; run < ALTERNATING.runs; run++) {
    const worker = startWorker({ variants: VARIANTS, baseUrl });
    try {
      await callSeconds(worker, ALTERNATING.warmCycles); // warm-up: JIT, sockets
      runs.push({ seconds: await callSeconds(worker, ALTERNATING.cycles), requestsEach: 1 });
    } finally {
      await worker.stop();
    }
  }
  return summarize(runs);
}

/**
 * `IN_FLIGHT` requests outstanding. Each variant has a worker of its own (its own heap, JIT state and connection
 * pool, so one variant's garbage is not collected on another's time), and each run sends `total` requests per
 * variant in blocks of `BLOCK_REQUESTS`, interleaved in rotating order (A B C D, B C D A, …), so that the blocks
 * compared ran milliseconds apart. The budgets take the median over the blocks of all runs together: with dozens
 * of blocks per run, that figure moves far less between invocations than a median of the runs' medians.
 */
async function measureBlocks(baseUrl: string, total: number): Promise<ModeResult> {
  const runs: { seconds: Record<Variant, number[]>; requestsEach: number }[] = [];
  const blockCount = Math.ceil(total / BLOCK_REQUESTS);
  for (let run = 0; run < BLOCK_RUNS; run++) {
    const workers = each((variant) => startWorker({ variants: [variant], baseUrl }));
    try {
      for (const variant of VARIANTS) await blockSeconds(workers[variant], { kind: 'block', variant, total: Math.ceil(total / 4), inFlight: IN_FLIGHT }); // warm-up: JIT, sockets
      const seconds = each((): number[] => []);
      for (let index = 0; index < blockCount; index++) {
        for (let offset = 0; offset < VARIANTS.length; offset++) {
          const variant = VARIANTS[(index + offset) % VARIANTS.length] as Variant;
          seconds[variant].push(await blockSeconds(workers[variant], { kind: 'block', variant, total: BLOCK_REQUESTS, inFlight: IN_FLIGHT }));
        }
      }
      runs.push({ seconds, requestsEach: BLOCK_REQUESTS });
    } finally {
      await Promise.all(VARIANTS.map((variant) => workers[variant].stop()));
    }
  }
  return summarize(runs);
}

export async function benchRequests(): Promise<SectionResult> {
  const pinned = pinning();
  const server = await startServerProcess('status-server.js', [JSON.stringify(successExample('pandadoc', STATUS_PATH))], pinned.server);
  try {
    const sequential = await measureAlternating(server.url);
    const concurrent = await measureBlocks(server.url, CONCURRENT_REQUESTS);

    const rows = (mode: ModeResult) =>
      VARIANTS.map((variant) => [
        variant,
        formatSpread(mode.requestsPerSecond[variant], 0),
        `${formatSpread(mode.vsBare[variant])}×`,
        `${formatSpread(mode.vsRaw[variant])}×`,
      ]);
    const header = ['variant', 'requests/s, median (min–max)', 'time per request vs bare openapi-fetch', 'vs raw fetch'];
    const budgets: Budget[] = [];
    for (const [label, mode] of [['sequential', sequential], [`${IN_FLIGHT} in flight`, concurrent]] as const) {
      budgets.push(atMost(`provider client ≤ 1.05× bare openapi-fetch (${label})`, mode.pooledVsBare['provider client'], 1.05, (value) => ratio(value, 3)));
      budgets.push(atMost(`facade ≤ 1.10× bare openapi-fetch (${label})`, mode.pooledVsBare.facade, 1.1, (value) => ratio(value, 3)));
    }
    const markdown = [
      `### Sequential (one request at a time, ${ALTERNATING.cycles} per variant and run)`,
      '',
      table(header, rows(sequential)),
      '',
      `### ${IN_FLIGHT} in flight (${CONCURRENT_REQUESTS} per variant and run)`,
      '',
      table(header, rows(concurrent)),
      '',
      `One \`GET\` of PandaDoc's section upload status, answered by a local \`node:http\` server (its own process) with the`,
      `spec's example body. Each variant reads the parsed JSON body: raw \`fetch\` + \`response.json()\`; bare openapi-fetch`,
      '(`createClient<paths>` on the same generated types, no middleware); the provider client (Authorization, path',
      'guards, per-attempt timeout, retry loop, typed errors); the facade (`status(ref)`: the client plus the status',
      `model). The variants run in worker threads started afresh for each run; ${pinned.note}.`,
      '',
      `- **Sequential:** one worker hosts all four variants and they take turns call by call, in rotating order, each call`,
      `  timed on its own (${ALTERNATING.runs} runs of ${ALTERNATING.cycles} rounds after ${ALTERNATING.warmCycles} untimed ones). A run's ratio is the median over its rounds;`,
      '  the variants share one heap, so a garbage collection pauses whichever call is running, and the median leaves those',
      '  pauses out for every variant alike. Variants in separate workers taking turns in blocks measured each block just after',
      '  a switch between isolates, which made a request 3 to 4 times slower than in a steady loop and moved the ratios by',
      '  several percent between invocations.',
      `- **${IN_FLIGHT} in flight:** each variant has a worker of its own (its own heap, JIT state and connections); ${BLOCK_RUNS} runs, each`,
      `  after a warm-up, send every variant's requests in interleaved blocks of ${BLOCK_REQUESTS} in rotating order (the machine's speed`,
      "  drifts over seconds, so compared blocks run milliseconds apart). A run's ratio is the median over its blocks.",
      '',
      'The tables give the median (min–max) over the runs; the budgets take the median over the rounds or blocks of all runs',
      `together (${ratio(sequential.pooledVsBare['provider client'], 3)} and ${ratio(sequential.pooledVsBare.facade, 3)} sequentially, ${ratio(concurrent.pooledVsBare['provider client'], 3)} and ${ratio(concurrent.pooledVsBare.facade, 3)} with ${IN_FLIGHT} in flight).`,
      `Bare openapi-fetch costs ${ratio(sequential.vsRaw['bare openapi-fetch'].median)} raw fetch here, sequentially (about 1.24× on the reference machine).`,
    ].join('\n');
    return { id: 'requests', title: 'Request overhead', markdown, data: { sequential, concurrent, inFlight: IN_FLIGHT, alternating: ALTERNATING, blockRuns: BLOCK_RUNS, blockRequests: BLOCK_REQUESTS, pinning: pinned.note }, budgets };
  } finally {
    server.child.kill('SIGTERM');
    pinned.release();
  }
}

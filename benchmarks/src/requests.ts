import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { successExample } from './examples.js';
import { atMost, formatSpread, median, ratio, spread, table, type Budget, type SectionResult, type Spread } from './report.js';
import { STATUS_PATH, VARIANTS, type Job, type JobResult, type Variant, type WorkerSetup } from './request-variants.js';

/** Requests per variant in each run, and runs; a run interleaves the variants in blocks. */
const SEQUENTIAL_REQUESTS = 4_800;
const CONCURRENT_REQUESTS = 12_800;
const IN_FLIGHT = 64;
const RUNS = 9;
const BLOCKS = 32;

async function startServer(body: string): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./status-server.js', import.meta.url));
  const child = spawn(process.execPath, [script, body], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`the status server exited (${String(code)}) before listening`));
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
}

/**
 * Each run sends `total` requests per variant in `BLOCKS` interleaved blocks (A B C D, B C D A, …), so that
 * the variants being compared always ran moments apart. A run's throughput is its total requests over its total
 * time; its ratios are the median over its blocks of the ratio between neighbouring blocks, so that a pause of the
 * machine (a major GC, the other core's work) that lands on one block does not decide the run.
 */
async function measureMode(workers: Record<Variant, VariantWorker>, total: number, inFlight: number): Promise<ModeResult> {
  for (const variant of VARIANTS) await workers[variant].run({ total, inFlight }); // warm-up: JIT, sockets
  const each = <T>(make: (variant: Variant) => T) => Object.fromEntries(VARIANTS.map((variant) => [variant, make(variant)])) as Record<Variant, T>;
  const runs: { requestsPerSecond: Record<Variant, number>; vsBare: Record<Variant, number>; vsRaw: Record<Variant, number> }[] = [];
  const block = Math.ceil(total / BLOCKS);
  for (let run = 0; run < RUNS; run++) {
    const blocks: Record<Variant, number>[] = [];
    for (let index = 0; index < BLOCKS; index++) {
      const seconds = each(() => 0);
      for (let offset = 0; offset < VARIANTS.length; offset++) {
        const variant = VARIANTS[(index + offset) % VARIANTS.length] as Variant;
        seconds[variant] = await workers[variant].run({ total: block, inFlight });
      }
      blocks.push(seconds);
    }
    const totalSeconds = (variant: Variant) => blocks.reduce((sum, seconds) => sum + seconds[variant], 0);
    runs.push({
      requestsPerSecond: each((variant) => (block * BLOCKS) / totalSeconds(variant)),
      vsBare: each((variant) => median(blocks.map((seconds) => seconds[variant] / seconds['bare openapi-fetch']))),
      vsRaw: each((variant) => median(blocks.map((seconds) => seconds[variant] / seconds['raw fetch']))),
    });
  }
  return {
    requestsPerSecond: each((variant) => spread(runs.map((figures) => figures.requestsPerSecond[variant]))),
    vsBare: each((variant) => spread(runs.map((figures) => figures.vsBare[variant]))),
    vsRaw: each((variant) => spread(runs.map((figures) => figures.vsRaw[variant]))),
  };
}

export async function benchRequests(): Promise<SectionResult> {
  const server = await startServer(JSON.stringify(successExample('pandadoc', STATUS_PATH)));
  const workers = Object.fromEntries(VARIANTS.map((variant) => [variant, startWorker({ variant, baseUrl: server.url })])) as Record<Variant, VariantWorker>;
  try {
    const sequential = await measureMode(workers, SEQUENTIAL_REQUESTS, 1);
    const concurrent = await measureMode(workers, CONCURRENT_REQUESTS, IN_FLIGHT);

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
      budgets.push(atMost(`provider client ≤ 1.05× bare openapi-fetch (${label})`, mode.vsBare['provider client'].median, 1.05, (value) => ratio(value, 3)));
      budgets.push(atMost(`facade ≤ 1.10× bare openapi-fetch (${label})`, mode.vsBare.facade.median, 1.1, (value) => ratio(value, 3)));
    }
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
      'model). Each variant runs in its own worker thread (its own JIT state, heap and connections), one at a time.',
      `After a warm-up, ${RUNS} runs, each sending every variant's requests in ${BLOCKS} interleaved blocks in rotating`,
      `order; a run's ratio is the median over its blocks of each block's time against the`,
      `neighbouring baseline block, and the table gives the median (min–max) over the runs. Bare openapi-fetch costs ${ratio(sequential.vsRaw['bare openapi-fetch'].median)} raw fetch here, sequentially (about 1.24× on the reference machine).`,
    ].join('\n');
    return { id: 'requests', title: 'Request overhead', markdown, data: { sequential, concurrent, inFlight: IN_FLIGHT, runs: RUNS, blocks: BLOCKS }, budgets };
  } finally {
    await Promise.all(VARIANTS.map((variant) => workers[variant].stop()));
    server.child.kill('SIGTERM');
  }
}

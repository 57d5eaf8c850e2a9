// One run of the watcher benchmark, in a fresh process (run with --expose-gc) so its heap is its own.
// argv[2]: JSON `ChildConfig`. Prints one line of JSON (`ChildResult`).
// - memory: `count` waits on uploads that never finish, through `watch` (the watcher) or `wait` (one loop per wait,
//   the baseline; its requests limited to the same concurrency by a semaphore around fetch, so that both hold the
//   same number of connections); once every wait has had its first check and sleeps, the heap growth over the
//   warmed-up process, per wait.
// - latency: `count` waits through `watch` on uploads finishing 1–3 s after their first check; when each resolved.
import { sendai } from '@upstat/sendai';
import { createUpstat } from 'upstat';

export interface ChildConfig {
  mode: 'memory' | 'latency';
  api: 'watch' | 'wait';
  count: number;
  url: string;
  budget: { requestsPerSecond: number; concurrency: number };
  minDelayMs: number;
  maxDelayMs: number;
}

export type ChildResult =
  | { mode: 'memory'; heapPerWaitBytes: number; seconds: number }
  | { mode: 'latency'; resolvedAt: (number | null)[]; failures: number; seconds: number };

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** A fetch that lets `limit` requests run at once (the baseline's stand-in for the watcher's concurrency budget). */
function limitedFetch(limit: number): (request: Request) => Promise<Response> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (request) => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await fetch(request);
    } finally {
      running -= 1;
      queue.shift()?.();
    }
  };
}

const upstat = createUpstat({
  providers: [
    sendai({
      apiKey: 'bench-key',
      baseUrl: config.url,
      ...(config.api === 'wait' ? { fetch: limitedFetch(config.budget.concurrency) } : {}),
    }),
  ],
  budget: { sendai: config.budget },
});
const ref = (upload: string) => `sendai:team_1/proj_1/${upload}`;
const started = performance.now();

async function memory(): Promise<ChildResult> {
  const options = (onCheckpoint: () => void) => ({ minDelayMs: 600_000, maxDelayMs: 600_000, timeoutMs: 3_600_000, onCheckpoint });
  // Every wait is kept here until the process exits, so that none can be collected before the measurement.
  const waits: Promise<unknown>[] = [];
  const run = (prefix: string, count: number) =>
    new Promise<void>((resolve) => {
      let checked = 0;
      const onCheckpoint = () => {
        checked += 1;
        if (checked === count) resolve();
      };
      for (let index = 0; index < count; index++) {
        const wait = config.api === 'watch' ? upstat.watch(ref(`${prefix}${index}`), options(onCheckpoint)) : upstat.wait(ref(`${prefix}${index}`), options(onCheckpoint));
        wait.catch(() => undefined);
        waits.push(wait);
      }
    });
  // Warm-up: the code paths, the connections and the watcher itself exist before the first measurement.
  await run('mwarm', 64);
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc?.();
  const before = process.memoryUsage().heapUsed;
  await run('m', config.count);
  // Every wait has been checked once and sleeps for minutes: nothing is in flight.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc?.();
  const after = process.memoryUsage().heapUsed;
  if (waits.length !== 64 + config.count) throw new Error('lost a wait');
  return { mode: 'memory', heapPerWaitBytes: (after - before) / config.count, seconds: (performance.now() - started) / 1000 };
}

async function latency(): Promise<ChildResult> {
  const resolvedAt: (number | null)[] = new Array<number | null>(config.count).fill(null);
  let failures = 0;
  await Promise.all(
    Array.from({ length: config.count }, (_, index) =>
      upstat.watch(ref(`l${index}`), { minDelayMs: config.minDelayMs, maxDelayMs: config.maxDelayMs, timeoutMs: 300_000 }).then(
        () => {
          resolvedAt[index] = Date.now();
        },
        () => {
          failures += 1;
        },
      ),
    ),
  );
  return { mode: 'latency', resolvedAt, failures, seconds: (performance.now() - started) / 1000 };
}

const result = config.mode === 'memory' ? await memory() : await latency();
console.log(JSON.stringify(result));
process.exit(0);

// One run of the watcher benchmark, in a fresh process (run with --expose-gc) so its heap is its own.
// argv[2]: JSON `ChildConfig`. Prints one line of JSON (`ChildResult`).
// - memory: `count` waits on uploads that never finish, through `watch` (the watcher, which `wait` is too) or a
//   polling loop per upload written by hand over `status` (the baseline: one promise chain, closure and timer per
//   wait, keeping its last status for its timeout error as a wait does; its requests go through the same budget);
//   once every wait has had its first check and sleeps, the heap growth over the warmed-up process, per wait.
// - latency: `count` waits through `watch` on uploads finishing 1–3 s after their first check; when each resolved.
import { sendai } from '@upstat/sendai';
import { createUpstat } from 'upstat';

export interface ChildConfig {
  mode: 'memory' | 'latency';
  api: 'watch' | 'loop';
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

const upstat = createUpstat({ providers: [sendai({ apiKey: 'bench-key', baseUrl: config.url })], budget: { sendai: config.budget } });
const ref = (upload: string) => `sendai:team_1/proj_1/${upload}`;
const started = performance.now();

/**
 * The baseline: a polling loop as one writes it without `watch`, checking every 10 minutes until an hour has passed,
 * and keeping the last status for the error it ends with then — as a wait does for its `WaitTimeoutError`.
 */
async function poll(text: string, onCheck: () => void): Promise<unknown> {
  const deadline = Date.now() + 3_600_000;
  let last: unknown;
  while (Date.now() < deadline) {
    const status = await upstat.status(text);
    last = status;
    onCheck();
    if (status.terminal) return status;
    await new Promise((resolve) => setTimeout(resolve, 600_000));
  }
  throw Object.assign(new Error(`${text} did not finish within an hour`), { lastStatus: last });
}

/**
 * Collects until what is left is what the waits hold: Node's fetch releases each request's abort bookkeeping through
 * weak references and finalizers, which one collection leaves for the next (about 0.5 kB a request after one).
 */
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc?.();
  }
}

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
        const wait = config.api === 'watch' ? upstat.watch(ref(`${prefix}${index}`), options(onCheckpoint)) : poll(ref(`${prefix}${index}`), onCheckpoint);
        wait.catch(() => undefined);
        waits.push(wait);
      }
    });
  // Warm-up: the code paths, the connections and the watcher itself exist before the first measurement.
  await run('mwarm', 64);
  await settle();
  const before = process.memoryUsage().heapUsed;
  await run('m', config.count);
  // Every wait has been checked once and sleeps for minutes: nothing is in flight.
  await settle();
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

// The variants of the request benchmark in a worker thread of their own: its own JIT state, heap and connection
// pool. It runs the jobs the main thread sends, one at a time, and answers with their timings.
import { parentPort, workerData } from 'node:worker_threads';
import { alternateCalls, makeCall, timeCalls, type Job, type JobResult, type Variant, type WorkerSetup } from './request-variants.js';

const port = parentPort;
if (port === null) throw new Error('request-worker runs as a worker thread of the request benchmark');
const setup = workerData as WorkerSetup;
const calls: Partial<Record<Variant, () => Promise<unknown>>> = Object.fromEntries(setup.variants.map((variant) => [variant, makeCall(variant, setup.baseUrl)]));

async function run(job: Job): Promise<JobResult> {
  if (job.kind === 'alternate') return { callSeconds: await alternateCalls(calls, job.cycles) };
  const call = calls[job.variant];
  if (call === undefined) throw new Error(`this worker does not host ${job.variant}`);
  return { seconds: await timeCalls(call, job.total, job.inFlight) };
}

port.on('message', (job: Job) => {
  run(job).then(
    (result) => {
      port.postMessage(result);
    },
    (error: unknown) => {
      port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies JobResult);
    },
  );
});

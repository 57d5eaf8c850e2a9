// One variant of the request benchmark in its own worker thread: its own JIT state, heap and connection pool,
// so the variants do not slow each other down through shared code paths or each other's garbage. It runs the
// jobs the main thread sends, one at a time, and answers with the seconds each took.
import { parentPort, workerData } from 'node:worker_threads';
import { makeCall, timeCalls, type Job, type JobResult, type WorkerSetup } from './request-variants.js';

const port = parentPort;
if (port === null) throw new Error('request-worker runs as a worker thread of the request benchmark');
const setup = workerData as WorkerSetup;
const call = makeCall(setup.variant, setup.baseUrl);
port.on('message', (job: Job) => {
  timeCalls(call, job).then(
    (seconds) => {
      port.postMessage({ seconds } satisfies JobResult);
    },
    (error: unknown) => {
      port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies JobResult);
    },
  );
});

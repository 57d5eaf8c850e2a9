/**
 * Why this file exists: a wait must outlast the network it meets in production. 200 waits on uploads that finish
 * after 20–60 s, against a real server on loopback that fails about a third of its requests at random — connection
 * resets, 503s, requests it never answers (past the attempt's time limit), 429s asking for 1–3 s — must every one end
 * `succeeded`, none of them early, and the server must never see more than the provider's budget allows. It takes
 * about as long as its slowest upload (a minute or two); the schedule's bounds are shortened so that it is not longer.
 */
import { performance } from 'node:perf_hooks';
import { nullspace } from '@upstat/nullspace';
import { busiestWindow, seeded } from '@upstat/test-support';
import { afterAll, expect, it } from 'vitest';
import { createUpstat } from 'upstat';
import { refOf } from '../src/drivers.js';
import { nullspaceServer, type Answer, type ScriptedServer } from '../src/server.js';

const WAITS = 200;
const FAILURE_SHARE = 0.3;
const BUDGET = { requestsPerSecond: 40, concurrency: 16 };
const random = seeded(24);
const started = performance.now();
/** When each upload finishes, in ms after the start. */
const finishAt = new Map<string, number>(Array.from({ length: WAITS }, (_, index) => [`chaos-${index}`, 20_000 + random() * 40_000] as const));
const failures = { reset: 0, unavailable: 0, hang: 0, rateLimited: 0 };

let server: ScriptedServer | undefined;
afterAll(async () => {
  await server?.close();
});

function chaos(upload: string): Answer {
  const roll = random();
  if (roll < FAILURE_SHARE) {
    const kind = Math.floor((roll / FAILURE_SHARE) * 4);
    if (kind === 0) {
      failures.reset += 1;
      return 'reset';
    }
    if (kind === 1) {
      failures.unavailable += 1;
      return { http: 503 };
    }
    if (kind === 2) {
      failures.hang += 1;
      return 'hang';
    }
    failures.rateLimited += 1;
    return { http: 429, retryAfter: String(1 + Math.floor(random() * 3)) };
  }
  const finish = finishAt.get(upload) ?? 0;
  const elapsed = performance.now() - started;
  return elapsed >= finish ? { status: 'completed' } : { status: 'uploading', fraction: elapsed / finish };
}

it(`${WAITS} waits through a server failing ${FAILURE_SHARE * 100}% of requests: every one succeeds, none early, within the budget`, async () => {
  server = await nullspaceServer(chaos);
  const { log } = server;
  const upstat = createUpstat({
    providers: [nullspace({ apiKey: 'chaos-key', baseUrl: server.url })],
    budget: { nullspace: BUDGET },
  });
  const uploads = [...finishAt.keys()];
  const resolvedAt = new Map<string, number>();
  let retries = 0;
  const results = await upstat.waitAll(
    uploads.map((upload) => refOf(upload)),
    {
      minDelayMs: 1_000,
      maxDelayMs: 5_000,
      timeoutMs: 10 * 60_000,
      requestTimeoutMs: 1_000,
      onRetry: () => {
        retries += 1;
      },
      onResult: (_result, index) => {
        resolvedAt.set(uploads[index] as string, performance.now() - started);
      },
    },
  );

  const failed = results.flatMap((result, index) => (result.ok && result.status.state === 'succeeded' ? [] : [`${uploads[index] ?? ''}: ${result.ok ? result.status.state : result.error.message}`]));
  expect(failed).toEqual([]);
  // None early: each resolved only once its upload had finished.
  for (const upload of uploads) expect(resolvedAt.get(upload)).toBeGreaterThanOrEqual(finishAt.get(upload) ?? 0);
  // The faults were there, of every kind, and the waits went through them.
  const total = log.length;
  expect(failures.reset + failures.unavailable + failures.hang + failures.rateLimited).toBeGreaterThan(total * 0.2);
  for (const count of Object.values(failures)) expect(count).toBeGreaterThan(10);
  expect(retries).toBeGreaterThan(total * 0.2);
  // Within the budget as the server counts it: no more than the budget in any rolling second, allowing the arrival
  // times 250 ms of lag behind the starts the client counted (a request may leave, or its handler run, late on a
  // loaded machine).
  expect(busiestWindow(log.map((entry) => entry.at), 750)).toBeLessThanOrEqual(BUDGET.requestsPerSecond);
});

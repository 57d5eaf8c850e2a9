/**
 * Why this file exists: a provider that goes away for a while must not lose the waits on it. 100 waits on uploads
 * that finish after 15–25 s; 5 s in, the server's port closes for 10 s (connections refused and dropped), then it comes
 * back on the same port. Every wait must end `succeeded`, each having met the outage (a failed check), none early.
 */
import { performance } from 'node:perf_hooks';
import { nullspace } from '@upstat/nullspace';
import { seeded } from '@upstat/test-support';
import { afterAll, expect, it } from 'vitest';
import { ConnectionError, createUpstat, type UpstatError } from 'upstat';
import { refOf } from '../src/drivers.js';
import { nullspaceServer, type ScriptedServer } from '../src/server.js';

const WAITS = 100;
const OUTAGE = { fromMs: 5_000, forMs: 10_000 };
const random = seeded(10);
const started = performance.now();
const finishAt = new Map<string, number>(Array.from({ length: WAITS }, (_, index) => [`outage-${index}`, 15_000 + random() * 10_000] as const));

let server: ScriptedServer | undefined;
afterAll(async () => {
  await server?.close();
});

it(`${WAITS} waits through a ${OUTAGE.forMs / 1000} s outage (port closed): every one succeeds after it`, async () => {
  server = await nullspaceServer((upload) => {
    const finish = finishAt.get(upload) ?? 0;
    const elapsed = performance.now() - started;
    return elapsed >= finish ? { status: 'completed' } : { status: 'uploading', fraction: elapsed / finish };
  });
  const down = server;
  const outage = new Promise<void>((resolve) => {
    setTimeout(() => {
      void down.down(OUTAGE.forMs).then(resolve);
    }, OUTAGE.fromMs);
  });
  const upstat = createUpstat({ providers: [nullspace({ apiKey: 'outage-key', baseUrl: server.url })], budget: { nullspace: { requestsPerSecond: 50, concurrency: 8 } } });
  const uploads = [...finishAt.keys()];
  const failedChecks = new Map<string, UpstatError[]>();
  const resolvedAt = new Map<string, number>();
  const results = await upstat.waitAll(
    uploads.map((upload) => refOf(upload)),
    {
      minDelayMs: 1_000,
      maxDelayMs: 3_000,
      timeoutMs: 2 * 60_000,
      onRetry: (error, index) => {
        const upload = uploads[index] as string;
        failedChecks.set(upload, [...(failedChecks.get(upload) ?? []), error]);
      },
      onResult: (_result, index) => {
        resolvedAt.set(uploads[index] as string, performance.now() - started);
      },
    },
  );
  await outage;

  const failed = results.flatMap((result, index) => (result.ok && result.status.state === 'succeeded' ? [] : [`${uploads[index] ?? ''}: ${result.ok ? result.status.state : result.error.message}`]));
  expect(failed).toEqual([]);
  for (const upload of uploads) {
    // Every wait met the outage: a check that could not connect (checks are at most 3 s apart, the outage lasts 10 s).
    expect((failedChecks.get(upload) ?? []).some((error) => error instanceof ConnectionError), upload).toBe(true);
    // And ended only once its upload had finished, after the outage.
    expect(resolvedAt.get(upload)).toBeGreaterThanOrEqual(Math.max(finishAt.get(upload) ?? 0, OUTAGE.fromMs + OUTAGE.forMs));
  }
  // The server was back: every upload was asked again after the outage.
  const back = OUTAGE.fromMs + OUTAGE.forMs;
  for (const upload of uploads) expect(server.log.some((entry) => entry.upload === upload && entry.at - started >= back)).toBe(true);
});

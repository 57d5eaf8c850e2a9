import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullspace } from '@upstat/nullspace';
import { createUpstat, ConfigurationError, InvalidArgumentError, NotFoundError, UploadFailedError, WaitTimeoutError } from 'upstat';
import { MAX_REQUEST_PATH_LENGTH, PROGRESS_WINDOW } from '@upstat/core';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWaitQueue, type WaitOutcome, type WaitQueue, type WaitQueueOptions } from '../src/index.js';
import { parseJobData } from '../src/job.js';
import { REDIS_MISSING as MISSING, busiestWindow, hasOpenssl, hasRedis, selfSignedCertificate, skipRedis, startRedis, type RedisServer } from '@upstat/test-support';
import { startUploadServer, type UploadPlan, type UploadServer } from './uploads.js';

if (skipRedis) console.warn(`queue.test.ts skipped: ${MISSING}`);
if (!hasOpenssl && process.env.CI === undefined) console.warn('queue.test.ts: the TLS test is skipped: openssl not found (.ci/run installs it)');

const SECRET = 'nullspace-secret-key-4f7a';
let redis: RedisServer;
const cleanups: (() => Promise<void> | void)[] = [];
let run = 0;

beforeAll(async () => {
  // Without redis-server (in CI) the first test below fails, naming what is missing.
  if (hasRedis) redis = await startRedis();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  if (hasRedis) await redis.stop();
});

const PROVIDER = 'nullspace';
const ref = (uploadId: string) => `${PROVIDER}:sb_test/${uploadId}`;

/** A queue on its own key prefix against `server`, closed after the file. */
function queueFor(server: UploadServer, extra: Partial<Omit<WaitQueueOptions, 'upstat'>> = {}): WaitQueue {
  run += 1;
  const upstat = createUpstat({ providers: [nullspace({ apiKey: SECRET, baseUrl: server.url })] });
  const queue = createWaitQueue({ upstat, connection: redis.url, prefix: `t${run}`, wait: { minDelayMs: 20, maxDelayMs: 50, timeoutMs: 20_000 }, ...extra });
  cleanups.push(() => queue.close());
  return queue;
}

/** Starts a worker and resolves with the outcomes once `count` have arrived. */
async function collect(queue: WaitQueue, count: number, options: { concurrency?: number } = {}) {
  const outcomes: WaitOutcome[] = [];
  const errors: Error[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const worker = await queue.startWorker({
    concurrency: options.concurrency ?? 4,
    onOutcome: (outcome) => {
      outcomes.push(outcome);
      if (outcomes.length >= count) done();
    },
    onError: (error) => errors.push(error),
  });
  return { outcomes, errors, finished, worker };
}

describe.skipIf(skipRedis)('createWaitQueue against a real redis-server and a local status server', () => {
  it('needs redis-server (in CI this must not be skipped)', () => {
    expect(hasRedis, MISSING).toBe(true);
  });

  it('delivers each wait once: succeeded, failed, not found and timed out, with the checks it took', async () => {
    const plans = new Map<string, UploadPlan>([
      ['upl_ok', { checks: 3, final: 'completed' }],
      ['upl_failed', { checks: 2, final: 'failed' }],
      ['upl_slow', { checks: 1_000_000, final: 'completed' }],
    ]);
    const server = await startUploadServer(plans);
    cleanups.push(() => server.close());
    const queue = queueFor(server);
    // The worker runs before the waits are added: a deadline counts from `add`, so a worker that starts late (a loaded
    // machine took over 400 ms) would meet upl_slow's deadline before its first check, which is a timeout with no
    // status to report. Running first, it checks within milliseconds of `add`, far inside upl_slow's 1.5 s.
    const { outcomes, errors, finished, worker } = await collect(queue, 4);
    await queue.add(ref('upl_ok'));
    await queue.add(ref('upl_failed'));
    await queue.add(ref('upl_missing'));
    await queue.add(ref('upl_slow'), { timeoutMs: 1_500 });
    await finished;
    await worker.close();
    const byRef = new Map(outcomes.map((outcome) => [outcome.ref, outcome]));
    expect(outcomes).toHaveLength(4);
    expect(errors).toEqual([]);

    const ok = byRef.get(ref('upl_ok'));
    expect(ok?.ok).toBe(true);
    expect(ok?.checks).toBe(3);
    if (ok?.ok) expect(ok.status).toMatchObject({ state: 'succeeded', provider: 'nullspace', raw: { state: 'completed' } });
    expect(server.counts.get('upl_ok')).toBe(3);

    const failed = byRef.get(ref('upl_failed'));
    expect(failed?.ok).toBe(false);
    if (failed?.ok === false) {
      expect(failed.error).toBeInstanceOf(UploadFailedError);
      expect(failed.error).toMatchObject({ state: 'failed' });
    }
    const missing = byRef.get(ref('upl_missing'));
    if (missing?.ok !== false) throw new Error('upl_missing should fail');
    expect(missing.error).toBeInstanceOf(NotFoundError);
    expect(server.counts.get('upl_missing')).toBe(1);

    const slow = byRef.get(ref('upl_slow'));
    if (slow?.ok !== false) throw new Error('upl_slow should time out');
    if (!(slow.error instanceof WaitTimeoutError)) throw new Error(`upl_slow should end with WaitTimeoutError, got ${slow.error.name}`);
    expect(slow.error).toMatchObject({ lastStatus: { state: 'in_progress' } });
    // `checks` counts the checks that were answered, as core's wait does. The job normally meets its deadline between
    // checks and sends nothing more; when it runs a moment early, its last request is cut off by the deadline: the
    // server counted that one, and it is the timeout's cause.
    const cutOff = (server.counts.get('upl_slow') ?? 0) - slow.error.checks;
    expect(cutOff === 0 || (cutOff === 1 && slow.error.cause !== undefined), `server counted ${String(server.counts.get('upl_slow'))}`).toBe(true);
    expect(slow.error.checks).toBeGreaterThan(0);
    // No credential anywhere in what is delivered.
    expect(JSON.stringify(outcomes.map((outcome) => (outcome.ok ? outcome.status : outcome.error)))).not.toContain(SECRET);
  });

  it('carries the wait’s checkpoint in its job between checks: checks, deadline, progress samples, last status', async () => {
    const server = await startUploadServer(new Map([['upl_progress', { checks: 1_000, final: 'completed' }]]));
    cleanups.push(() => server.close());
    const queue = queueFor(server, { wait: { minDelayMs: 100, maxDelayMs: 100, timeoutMs: 20_000 } });
    const { jobId } = await queue.add(ref('upl_progress'));
    const { worker } = await collect(queue, 1);
    const inspector = new Queue(PROVIDER, { connection: { url: redis.url }, prefix: `t${run}` });
    cleanups.push(() => inspector.close());
    const checkpoint = async () => parseJobData((await inspector.getJob(jobId))?.data);
    for (let tries = 0; (await checkpoint()).checks < 3; tries += 1) {
      if (tries > 200) throw new Error('the wait made no progress');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await worker.close();
    const data = await checkpoint();
    const seen = server.counts.get('upl_progress') ?? 0;
    expect(data.checks).toBe(seen);
    expect(data.deadline - data.startedAt).toBe(20_000);
    // The server reports count/1000 of the bytes at each request: the last samples are the last requests'.
    expect(data.progress.map((sample) => sample.fraction)).toEqual(
      Array.from({ length: Math.min(seen, PROGRESS_WINDOW) }, (_, index) => (seen - Math.min(seen, PROGRESS_WINDOW) + index + 1) / 1000),
    );
    expect(data.lastStatus).toMatchObject({ state: 'in_progress', progress: { fraction: seen / 1000 } });
  });

  it('an onOutcome that throws fails the job: tried again (check and delivery), then reported as final to onError', async () => {
    const server = await startUploadServer(new Map([['upl_handler', { checks: 1, final: 'completed' }]]));
    cleanups.push(() => server.close());
    const queue = queueFor(server, { delivery: { attempts: 2, backoffMs: 50 } });
    await queue.add(ref('upl_handler'));
    const delivered: WaitOutcome[] = [];
    const reported: { error: Error; final: boolean | undefined; ref: string | undefined }[] = [];
    const worker = await queue.startWorker({
      onOutcome: (outcome) => {
        delivered.push(outcome);
        throw new Error('database unavailable');
      },
      onError: (error, context) => reported.push({ error, final: context.final, ref: context.ref }),
    });
    for (let tries = 0; !reported.some((entry) => entry.final === true); tries += 1) {
      if (tries > 400) throw new Error('the failure was never reported as final');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await worker.close();
    expect(delivered.map((outcome) => outcome.ok)).toEqual([true, true]);
    expect(server.counts.get('upl_handler')).toBe(2);
    expect(reported.map((entry) => [entry.error.message, entry.final, entry.ref])).toEqual([
      ['database unavailable', false, ref('upl_handler')],
      ['database unavailable', true, ref('upl_handler')],
    ]);
  });

  it('accept and stopOn decide what is ok, as in upstat.wait (connected with ioredis options)', async () => {
    const server = await startUploadServer(new Map([['upl_a', { checks: 1, final: 'failed' }]]));
    cleanups.push(() => server.close());
    const queue = queueFor(server, { connection: { host: '127.0.0.1', port: redis.port, db: 1 } });
    await queue.add(ref('upl_a'), { accept: ['succeeded', 'failed'] });
    const { outcomes, finished, worker } = await collect(queue, 1);
    await finished;
    await worker.close();
    expect(outcomes[0]).toMatchObject({ ok: true, status: { state: 'failed' } });
  });

  it('adding a ref that is already being waited for is a no-op: one wait, one outcome, one request per check', async () => {
    const server = await startUploadServer(new Map([['upl_twice', { checks: 4, final: 'completed' }]]));
    cleanups.push(() => server.close());
    const queue = queueFor(server);
    const first = await queue.add(ref('upl_twice'));
    const second = await queue.add(ref('upl_twice'));
    expect(second.jobId).toBe(first.jobId);
    const { outcomes, finished, worker } = await collect(queue, 1);
    await finished;
    // Long enough for a second wait, had there been one, to finish too (4 checks at most 50 ms apart).
    await new Promise((resolve) => setTimeout(resolve, 600));
    await worker.close();
    expect(outcomes).toHaveLength(1);
    expect(server.counts.get('upl_twice')).toBe(4);
  });

  it('makes a check that failed with 503 again as a delayed job, as core’s wait engine says; maxFailures ends it sooner', async () => {
    const server = await startUploadServer(
      new Map([
        ['upl_flaky', { checks: 4, final: 'completed' }],
        ['upl_down', { checks: 4, final: 'completed' }],
      ]),
      {
        // upl_flaky's first two requests fail, upl_down's every one; the client makes one attempt per job.
        override: (id, count) => (id === 'upl_down' || count <= 2 ? { status: 503, body: { error: { code: 'unavailable', message: 'try again' } } } : undefined),
      },
    );
    cleanups.push(() => server.close());
    const queue = queueFor(server);
    await queue.add(ref('upl_flaky'));
    await queue.add(ref('upl_down'), { maxFailures: 3 });
    const { outcomes, finished, worker } = await collect(queue, 2);
    await finished;
    await worker.close();
    // Requests 1 and 2 fail and are made again; request 3 sees the upload in progress, request 4 completed.
    expect(outcomes.find((outcome) => outcome.ref === ref('upl_flaky'))).toMatchObject({ ok: true, checks: 4 });
    expect(server.counts.get('upl_flaky')).toBe(4);
    const down = outcomes.find((outcome) => outcome.ref === ref('upl_down'));
    expect(down).toMatchObject({ ok: false, checks: 3, error: { name: 'WaitTimeoutError', reason: 'failures' } });
    // The last error came back from Redis as the class it was, so the message can say what failed.
    expect(down?.ok === false && down.error.message).toContain('the last 3 checks failed (HTTP 503)');
    expect(server.counts.get('upl_down')).toBe(3);
  });

  it('a 429 with Retry-After pauses every wait on that provider, not only the one that got it', async () => {
    const ids = ['upl_r1', 'upl_r2', 'upl_r3', 'upl_r4'];
    const server = await startUploadServer(new Map(ids.map((id) => [id, { checks: 1, final: 'completed' } as const])), {
      override: (id, count) =>
        id === 'upl_r1' && count === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limit_exceeded', message: 'slow down' } } } : undefined,
    });
    cleanups.push(() => server.close());
    const queue = queueFor(server);
    // upl_r1 first, so its 429 comes before any other upload is checked (one check at a time).
    await queue.add(ref('upl_r1'));
    for (const id of ids.slice(1)) await queue.add(ref(id));
    const { outcomes, finished, worker } = await collect(queue, ids.length, { concurrency: 1 });
    await finished;
    await worker.close();
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const [limited, ...rest] = server.log;
    expect(limited?.uploadId).toBe('upl_r1');
    // Every later request, to any upload, waited out the 1 s the server asked for (a lower bound: never flaky).
    for (const entry of rest) expect(entry.at - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(server.counts.get('upl_r1')).toBe(2);
  });

  it('after a pause the provider\'s waits go in deadline order (to the minute), not in the order they were added', async () => {
    const minutes = new Map([['upl_m40', 40], ['upl_m10', 10], ['upl_m30', 30], ['upl_m20', 20], ['upl_m50', 50], ['upl_m15', 15]]);
    const ids = ['upl_trigger', ...minutes.keys()];
    const server = await startUploadServer(new Map(ids.map((id) => [id, { checks: 1, final: 'completed' } as const])), {
      override: (id, count) =>
        id === 'upl_trigger' && count === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limit_exceeded', message: 'slow down' } } } : undefined,
      delayMs: 200,
    });
    cleanups.push(() => server.close());
    const queue = queueFor(server);
    // One check at a time: the others are added while the trigger's check is out (and then paused by its 429), in an
    // order that is not their deadlines'.
    await queue.add(ref('upl_trigger'), { timeoutMs: 60 * 60_000 });
    const { finished, worker } = await collect(queue, ids.length, { concurrency: 1 });
    while (server.total() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const [id, timeout] of minutes) await queue.add(ref(id), { timeoutMs: timeout * 60_000 });
    await finished;
    await worker.close();
    const byDeadline = [...minutes].sort(([, a], [, b]) => a - b).map(([id]) => id);
    expect(server.log.map((entry) => entry.uploadId)).toEqual(['upl_trigger', ...byDeadline, 'upl_trigger']);
  });

  it('close() just after the check that paused the provider for an hour (429, Retry-After: 3600): settles at once, and does not blame Redis', async () => {
    const server = await startUploadServer(new Map([['upl_h1', { checks: 1, final: 'completed' } as const]]), {
      override: () => ({ status: 429, headers: { 'retry-after': '3600' }, body: { error: { code: 'rate_limit_exceeded', message: 'come back in an hour' } } }),
    });
    cleanups.push(() => server.close());
    // The Retry-After is past the deadline, so the wait ends with this check, which also pauses the provider. An
    // application that stops once its waits are done closes the queue then, while BullMQ may be between fetches; if a
    // fetch finds the pause after close() began, BullMQ sleeps it out (in slices of its maximumRateLimitDelay) before
    // its close can end. close() must not wait for that, or reject with the error meant for a Redis that is down.
    for (let round = 0; round < 8; round++) {
      const queue = queueFor(server, { wait: { minDelayMs: 20, maxDelayMs: 50, timeoutMs: 5_000 } });
      const ended = new Promise<WaitOutcome>((resolve) => {
        void queue.startWorker({ concurrency: 4, onOutcome: resolve });
      });
      await queue.add(ref(`upl_h${round}`));
      expect(await ended).toMatchObject({ ok: false, error: { name: 'WaitTimeoutError', reason: 'retry-after' } });
      await new Promise((resolve) => setTimeout(resolve, round * 5));
      expect(await queue.close().then(() => 'closed', (error: unknown) => error)).toBe('closed');
    }
  });

  it('keeps to the request budget across workers: at most requestsPerSecond in any rolling second, as the server counts them, and requests in flight', async () => {
    const ids = Array.from({ length: 24 }, (_, index) => `upl_b${index}`);
    const server = await startUploadServer(new Map(ids.map((id) => [id, { checks: 1, final: 'completed' } as const])), { delayMs: 40 });
    cleanups.push(() => server.close());
    const budget = { nullspace: { requestsPerSecond: 4, concurrency: 2 } };
    // The budget is what is tested: the deadline is far enough that no wait ends unchecked on a loaded machine (24
    // checks at 4 per second take 6 s; one CI run took 21 s, when 20 s ended two waits before their check).
    const wait = { minDelayMs: 20, maxDelayMs: 50, timeoutMs: 120_000 };
    const queue = queueFor(server, { budget, wait });
    // A second instance on the same prefix: another process's worker, sharing the provider's queue and budget.
    const other = createWaitQueue({ upstat: createUpstat({ providers: [nullspace({ apiKey: SECRET, baseUrl: server.url })] }), connection: redis.url, prefix: `t${run}`, budget, wait });
    cleanups.push(() => other.close());
    await queue.addAll(ids.map(ref));
    const outcomes: WaitOutcome[] = [];
    const second = await other.startWorker({ concurrency: 8, onOutcome: (outcome) => void outcomes.push(outcome) });
    const { finished, worker, outcomes: first } = await collect(queue, ids.length, { concurrency: 8 });
    while (first.length + outcomes.length < ids.length) await new Promise((resolve) => setTimeout(resolve, 20));
    void finished;
    await Promise.all([worker.close(), second.close()]);
    expect([...first, ...outcomes].filter((outcome) => !outcome.ok)).toEqual([]);
    expect(server.total()).toBe(ids.length);
    // Never more than 2 at once, although each worker could run 8.
    expect(server.maxInFlight()).toBeLessThanOrEqual(2);
    // 4 in any rolling second (the arrival times allowed 250 ms of lag behind the starts Redis counted), so 24
    // requests span at least 5 s.
    const times = server.log.map((entry) => entry.at);
    expect(busiestWindow(times, 750)).toBeLessThanOrEqual(4);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(4_900);
  });

  it.skipIf(!hasOpenssl && process.env.CI === undefined)('connects over TLS with ioredis options { host, port, tls: { ca } }', async () => {
    if (!hasOpenssl) throw new Error('openssl not found: install Debian\'s openssl (.ci/run does)');
    const dir = mkdtempSync(join(tmpdir(), 'upstat-tls-'));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const tls = selfSignedCertificate(dir);
    const secured = await startRedis([], { tls });
    cleanups.push(() => secured.stop());
    const server = await startUploadServer(new Map([['upl_tls', { checks: 1, final: 'completed' }]]));
    cleanups.push(() => server.close());
    const queue = queueFor(server, { connection: { host: '127.0.0.1', port: secured.port, tls: { ca: readFileSync(tls.cert) } } });
    await queue.add(ref('upl_tls'));
    const { outcomes, finished, worker } = await collect(queue, 1);
    await finished;
    await worker.close();
    expect(outcomes[0]?.ok).toBe(true);
  });

  it('connects with a password in the URL, as to an existing Redis', async () => {
    const password = 'redis-pass-9c2e1b';
    const secured = await startRedis(['--requirepass', password]);
    cleanups.push(() => secured.stop());
    const server = await startUploadServer(new Map([['upl_pw', { checks: 1, final: 'completed' }]]));
    cleanups.push(() => server.close());
    const upstat = createUpstat({ providers: [nullspace({ apiKey: SECRET, baseUrl: server.url })] });
    const queue = createWaitQueue({ upstat, connection: `redis://:${password}@127.0.0.1:${secured.port}/2`, wait: { minDelayMs: 20 } });
    cleanups.push(() => queue.close());
    await queue.add(ref('upl_pw'));
    const { outcomes, finished, worker } = await collect(queue, 1);
    await finished;
    await worker.close();
    expect(outcomes[0]?.ok).toBe(true);
  });
});

describe('bad input is refused before anything is written, and never echoes a credential', () => {
  const upstat = createUpstat({ providers: [nullspace({ apiKey: SECRET, baseUrl: 'http://127.0.0.1:9' })] });

  it('refuses a connection that is not a Redis URL or options, without printing its password', () => {
    const attempt = (connection: unknown) => () => createWaitQueue({ upstat, connection: connection as string });
    expect(attempt('http://user:hunter2-secret@host:6379')).toThrow(ConfigurationError);
    expect(attempt('http://user:hunter2-secret@host:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(attempt('not a url :hunter2-secret@')).toThrow(ConfigurationError);
    expect(attempt('redis://:hunter2-secret@host:6379/zero')).toThrow(/database number/);
    expect(attempt(42)).toThrow(/got number/);
    for (const bad of ['http://user:hunter2-secret@host:6379', 'not a url://u:hunter2-secret@x', 'redis://:hunter2-secret@host:6379/zero']) {
      expect(attempt(bad)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') as unknown }) as Error);
    }
  });

  it('refuses budgets for unknown providers and impossible numbers, naming each', () => {
    const attempt = (budget: unknown) => () => createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1', budget: budget as never });
    expect(attempt({ acme: { requestsPerSecond: 1 } })).toThrow(/"acme", which is not one of the facade's providers \(nullspace\)/);
    expect(attempt({ nullspace: { requestsPerSecond: 0, concurrency: 1.5 } })).toThrow(
      /requestsPerSecond must be a number > 0, got 0; budget\.nullspace\.concurrency must be a whole number ≥ 1, got 1\.5/,
    );
  });

  it('refuses bad wait policies, prefixes and refs', async () => {
    expect(() => createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1', wait: { minDelayMs: -1 } })).toThrow(ConfigurationError);
    expect(() => createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1', prefix: 'a:b' })).toThrow(/prefix/);
    expect(() => createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1', requestTimeoutMs: -1 })).toThrow(/requestTimeoutMs must be > 0, got -1/);
    expect(() => createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1', wait: { maxFailures: 0 } })).toThrow(/maxFailures must be a whole number/);
    expect(() => createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1', ...({ retry: { maxAttempts: 2 } } as object) })).toThrow(/retry is gone/);
    expect(() => createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1', delivery: { attempts: 0 } })).toThrow(/delivery\.attempts/);
    const queue = createWaitQueue({ upstat, connection: 'redis://127.0.0.1:1' });
    await expect(queue.add('pandadoc:doc/upl')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(queue.add(42 as unknown as string)).rejects.toThrow(/ref must be a ref string such as nullspace:/);
    // An identifier no server would take in a request path (packages/core/src/path-params.ts) is refused at add, not
    // stored as a wait whose every check fails.
    const tooLong = `nullspace:sb/${'u'.repeat(MAX_REQUEST_PATH_LENGTH)}`;
    await expect(queue.add(tooLong)).rejects.toThrow(new RegExp(`uploadId is too long \\(${MAX_REQUEST_PATH_LENGTH} characters percent-encoded\\)`));
    await expect(queue.addAll(['nullspace:sb/upl', tooLong])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(queue.add('nullspace:sb/upl', { stopOn: ['nearly'] as never })).rejects.toThrow(/stopOn must be a list of states/);
    await expect(queue.add('nullspace:sb/upl', { timeoutMs: 0 })).rejects.toBeInstanceOf(ConfigurationError);
    await expect(queue.startWorker({} as never)).rejects.toThrow(/onOutcome must be a function/);
    await queue.close();
  });
});

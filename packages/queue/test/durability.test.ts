/**
 * Redis' durability is checked, not assumed, against real redis-server processes: a worker refuses a Redis without
 * an append-only file unless the queue accepts volatile storage; a Redis killed and restarted from its AOF loses no
 * wait; one restarted without persistence comes back empty, which every running worker reports (`RedisResetError`,
 * with the count of waits it knew) before writing the queue's limits again.
 */
import { nullspace } from '@upstat/nullspace';
import { Queue } from 'bullmq';
import { createUpstat, ConfigurationError } from 'upstat';
import { afterAll, describe, expect, it } from 'vitest';
import { createWaitQueue, RedisResetError, type WaitOutcome, type WaitQueueOptions } from '../src/index.js';
import { REDIS_MISSING as MISSING, skipRedis, startRedis, type RedisServer } from '@upstat/test-support';
import { startUploadServer, type UploadPlan, type UploadServer } from './uploads.js';

if (skipRedis) console.warn(`durability.test.ts skipped: ${MISSING}`);

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function redisServer(extra: string[] = []): Promise<RedisServer> {
  const redis = await startRedis(extra);
  cleanups.push(() => redis.stop());
  return redis;
}

async function uploads(plans: Map<string, UploadPlan>): Promise<UploadServer> {
  const server = await startUploadServer(plans);
  cleanups.push(() => server.close());
  return server;
}

function queueOn(redis: RedisServer, server: UploadServer, extra: Partial<Omit<WaitQueueOptions, 'upstat'>> = {}) {
  const upstat = createUpstat({ providers: [nullspace({ apiKey: 'durability-key-77c1', baseUrl: server.url })] });
  const queue = createWaitQueue({ upstat, connection: redis.url, wait: { minDelayMs: 50, maxDelayMs: 100, timeoutMs: 120_000 }, ...extra });
  cleanups.push(() => queue.close().catch(() => undefined));
  return queue;
}

const ids = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}_${String(index)}`);
const refOf = (id: string) => `nullspace:sb_durable/${id}`;

describe.skipIf(skipRedis)('Redis durability', () => {
  it('refuses a Redis without an append-only file, saying what to set, unless storage is volatile', async () => {
    const redis = await redisServer(['--appendonly', 'no']);
    const server = await uploads(new Map());
    const durable = queueOn(redis, server);
    const refused = await durable.startWorker({ onOutcome: () => undefined }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect((refused as Error).message).toBe(
      "startWorker: Redis has appendonly no: a restart would lose every wait. Set `appendonly yes` (with `appendfsync everysec`) and `maxmemory-policy noeviction` in redis.conf, or pass storage: 'volatile' to createWaitQueue to accept losing waits.",
    );
    const volatile = queueOn(redis, server, { storage: 'volatile' });
    const worker = await volatile.startWorker({ onOutcome: () => undefined });
    await worker.close();
    expect(() => queueOn(redis, server, { storage: 'memory' as never })).toThrow(/storage must be 'durable' or 'volatile', got "memory"/);
  });

  it('loses no wait when Redis is killed mid-run and comes back from its AOF', async () => {
    const redis = await redisServer();
    const waits = ids(40, 'aof');
    const server = await uploads(new Map(waits.map((id) => [id, { checks: 6, final: 'completed' }])));
    const queue = queueOn(redis, server);
    await queue.addAll(waits.map(refOf));
    const outcomes = new Map<string, WaitOutcome>();
    const errors: Error[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await queue.startWorker({
      concurrency: 8,
      onOutcome: (outcome) => {
        outcomes.set(outcome.ref, outcome);
        if (outcomes.size === waits.length) done();
      },
      onError: (error) => errors.push(error),
    });
    // Once every wait has had a check (none can have finished: each takes six), the server is killed.
    while (server.counts.size < waits.length) await new Promise((resolve) => setTimeout(resolve, 20));
    // AOF is written every second (appendfsync everysec): what the last second wrote may be lost, not what was added.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await redis.restart({ signal: 'SIGKILL', downMs: 1_000 });
    await finished;
    expect([...outcomes.keys()].sort()).toEqual(waits.map(refOf).sort());
    expect([...outcomes.values()].every((outcome) => outcome.ok)).toBe(true);
    expect(errors.filter((error) => error instanceof RedisResetError)).toEqual([]);
  });

  it('reports a Redis that comes back empty, with the waits it held, and writes the limits again', async () => {
    const redis = await redisServer(['--appendonly', 'no']);
    const waits = ids(25, 'lost');
    // Uploads that never finish within the test: the waits sit in Redis between checks.
    const server = await uploads(new Map(waits.map((id) => [id, { checks: 1_000_000, final: 'completed' }])));
    const queue = queueOn(redis, server, { storage: 'volatile', budget: { nullspace: { concurrency: 2 } } });
    await queue.addAll(waits.map(refOf));
    const errors: Error[] = [];
    let reported: (error: RedisResetError) => void = () => undefined;
    const reset = new Promise<RedisResetError>((resolve) => (reported = resolve));
    await queue.startWorker({
      concurrency: 4,
      onOutcome: () => undefined,
      onError: (error) => {
        errors.push(error);
        if (error instanceof RedisResetError) reported(error);
      },
    });
    const inspector = new Queue('nullspace', { connection: { url: redis.url }, prefix: 'upstat' });
    cleanups.push(() => inspector.close());
    expect(await inspector.getGlobalConcurrency()).toBe(2);
    while (server.counts.size < waits.length) await new Promise((resolve) => setTimeout(resolve, 20));

    await redis.restart({ signal: 'SIGKILL' });
    const error = await reset;
    expect(error).toMatchObject({ name: 'RedisResetError', kind: 'connection', code: 'REDIS_RESET', waitsKnownBefore: waits.length });
    expect(error.message).toBe(
      `Redis came back without the waits of nullspace (${String(waits.length)} known before): it restarted without persistence, was flushed or failed over to an empty copy. They are lost: add them again. The queue's limits are written again.`,
    );
    // The limit on checks in flight is back in the empty Redis.
    for (let tries = 0; (await inspector.getGlobalConcurrency()) !== 2 && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await inspector.getGlobalConcurrency()).toBe(2);
    expect(errors.filter((candidate) => candidate instanceof RedisResetError)).toHaveLength(1);
  });
});

/**
 * A wait on a provider that no running worker serves is not left in Redis forever: once its deadline passes, a worker
 * of another provider ends it with `WaitTimeoutError` (`reason: 'unserved'`), delivered to `onOutcome` like any
 * outcome, and the job is gone. Against a real redis-server: the facade knows Nullspace and Send.ai, the only worker
 * runs Nullspace.
 */
import { nullspace } from '@upstat/nullspace';
import { sendai } from '@upstat/sendai';
import { Queue } from 'bullmq';
import { createUpstat, WaitTimeoutError } from 'upstat';
import { afterAll, describe, expect, it } from 'vitest';
import { createWaitQueue, type WaitOutcome } from '../src/index.js';
import { REDIS_MISSING as MISSING, skipRedis, startRedis, type RedisServer } from '@upstat/test-support';

if (skipRedis) console.warn(`unserved.test.ts skipped: ${MISSING}`);

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(skipRedis)('waits on a provider no worker serves', () => {
  it('end at their deadline with WaitTimeoutError (reason unserved), delivered by a worker of another provider', async () => {
    const redis: RedisServer = await startRedis();
    cleanups.push(() => redis.stop());
    // Nothing listens here: no request may be made for either provider.
    const nowhere = 'http://127.0.0.1:9';
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'unserved-key-1', baseUrl: nowhere }), sendai({ apiKey: 'unserved-key-2', baseUrl: nowhere })] });
    const queue = createWaitQueue({ upstat, connection: redis.url, wait: { timeoutMs: 1_000 } });
    cleanups.push(() => queue.close());
    const ref = 'sendai:team_1/proj_1/upl_unserved';
    await queue.add(ref);
    let delivered: (outcome: WaitOutcome) => void = () => undefined;
    const outcome = new Promise<WaitOutcome>((resolve) => (delivered = resolve));
    const errors: Error[] = [];
    await queue.startWorker({ providers: ['nullspace'], onOutcome: (received) => {
        delivered(received);
      },
      onError: (error) => errors.push(error) });
    const ended = await outcome;
    expect(ended).toMatchObject({ ref, ok: false, checks: 0 });
    if (ended.ok) throw new Error('unreachable');
    expect(ended.error).toBeInstanceOf(WaitTimeoutError);
    expect(ended.error).toMatchObject({ reason: 'unserved', provider: 'sendai', checks: 0 });
    expect(ended.error.message).toBe(
      `upload ${ref} was not checked: no running worker serves sendai (startWorker({ providers }) in some process must include it), and the wait's deadline passed.`,
    );
    // The job is gone: adding the ref again starts a new wait.
    const inspector = new Queue('sendai', { connection: { url: redis.url }, prefix: 'upstat' });
    cleanups.push(() => inspector.close());
    expect(await inspector.getJobCounts('delayed', 'waiting', 'prioritized', 'active')).toEqual({ delayed: 0, waiting: 0, prioritized: 0, active: 0 });
    expect(errors).toEqual([]);
  }, 30_000);
});

/**
 * A producer never hangs with Redis: `add`, `addAll` and `close` reject with a `ConnectionError` once Redis has not
 * answered for `redisTimeoutMs`, whether it was never there or went away after the first wait was added, and the
 * producer process then exits by itself (nothing left reconnecting). Each producer is a process of its own
 * (test/fixtures/producer.mjs, on the published build) so that a connection left open shows as a process that does
 * not end.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, REDIS_MISSING as MISSING, skipRedis, startRedis, type RedisServer } from '@upstat/test-support';

if (skipRedis) console.warn(`producer.test.ts skipped: ${MISSING}`);

const PRODUCER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'producer.mjs');
/** How long a producer may take in all before it counts as hanging: several times its 1 s Redis timeout per call. */
const HANG_MS = 30_000;

interface Said {
  call: string;
  ok: boolean;
  name?: string;
  kind?: string;
  code?: string;
  message?: string;
}

const servers: RedisServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

/** Runs the producer; `onPaused` runs once it has added its first wait (with PAUSE=1), before it goes on. */
function produce(env: Record<string, string>, onPaused?: () => Promise<void>): Promise<{ lines: Said[]; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [PRODUCER], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (onPaused !== undefined && stdout.includes('"paused"')) {
      const go = onPaused;
      onPaused = undefined;
      void go().then(() => child.stdin.write('go\n'));
    }
  });
  return new Promise((resolve, reject) => {
    const hang = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the producer did not exit within ${HANG_MS} ms; it said:\n${stdout}${stderr}`));
    }, HANG_MS);
    child.once('exit', (code) => {
      clearTimeout(hang);
      const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Said);
      resolve({ lines, code, stderr });
    });
  });
}

const timedOut = (call: string) => ({
  call,
  ok: false,
  name: 'ConnectionError',
  kind: 'connection',
  code: 'ETIMEDOUT',
  message: `${call}: Redis did not answer within 1 s (is it running and reachable?).`,
});

describe.skipIf(skipRedis)('producer calls while Redis does not answer', () => {
  it('rejects add, addAll and close with a ConnectionError when Redis was never there, and the process exits', async () => {
    const run = await produce({ REDIS_URL: `redis://127.0.0.1:${String(await freePort())}` });
    expect(run.lines.slice(0, 2)).toEqual([timedOut('add'), timedOut('addAll')]);
    // With no connection ever made there may be nothing to wait for: close either returns or times out, never hangs.
    expect([[{ call: 'close', ok: true }], [timedOut('close')]]).toContainEqual(run.lines.slice(2));
    expect(run.code).toBe(0);
  });

  it('rejects them once Redis goes away after the first wait was added, and the process exits', async () => {
    const redis = await startRedis();
    servers.push(redis);
    const run = await produce({ REDIS_URL: redis.url, PAUSE: '1' }, () => redis.stop());
    expect(run.lines).toEqual([{ call: 'add', ok: true }, timedOut('add'), timedOut('addAll'), timedOut('close')]);
    expect(run.code).toBe(0);
  });
});

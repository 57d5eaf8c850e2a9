/**
 * Why this file exists: the queue's promise is that waits survive a worker's crash, which takes a real Redis and a
 * worker process killed mid-wait. It starts one redis-server of its own on a loopback port, once for the file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nullspace } from '@upstat/nullspace';
import { Queue } from 'bullmq';
import { createUpstat } from 'upstat';
import { afterAll, expect, it } from 'vitest';
import { createWaitQueue } from '../src/index.js';
import { REDIS_MISSING as MISSING, hasRedis, seeded, skipRedis, startRedis, type RedisServer } from '@upstat/test-support';
import { startUploadServer, type UploadPlan, type UploadServer } from './uploads.js';

if (skipRedis) console.warn(`acceptance.test.ts skipped: ${MISSING}`);

const UPLOADS = 1_000;
/** Checks each worker process runs at once: also the most a SIGKILL can leave half done. */
const CONCURRENCY = 4;
/** Short locks, so the killed worker's jobs come back within seconds. */
const LOCK_MS = 5_000;
const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'worker.mjs');
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');

interface Recorded {
  ref: string;
  ok: boolean;
  checks: number;
  state?: string;
  kind?: string;
  pid: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function startWorker(env: Record<string, string>, out: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER], { env: { ...process.env, ...env, OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) resolve(child);
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`worker exited before it was ready (${code ?? signal}): ${stderr}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function read(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Recorded);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it.skipIf(skipRedis)(
  `${UPLOADS} uploads, three worker processes, one killed with SIGKILL mid-run and another started: every outcome delivered`,
  async () => {
    if (!hasRedis) throw new Error(MISSING);
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build @upstat/queue first (turbo's test task does)`);

    // The uploads, the same on every run: each finishes after 1 to 6 checks; about a fifth fail, a few do not exist.
    const random = seeded(13);
    const plans = new Map<string, UploadPlan>();
    const expected = new Map<string, { requests: number; outcome: 'succeeded' | 'failed' | 'not_found' }>();
    for (let index = 0; index < UPLOADS; index += 1) {
      const id = `upl_${index}`;
      const checks = 1 + Math.floor(random() * 6);
      const roll = random();
      if (roll < 0.05) {
        expected.set(id, { requests: 1, outcome: 'not_found' });
        continue;
      }
      const final = roll < 0.25 ? 'failed' : 'completed';
      plans.set(id, { checks, final });
      expected.set(id, { requests: checks, outcome: final === 'failed' ? 'failed' : 'succeeded' });
    }
    const singleProcessRequests = [...expected.values()].reduce((sum, entry) => sum + entry.requests, 0);

    const redis: RedisServer = await startRedis();
    cleanups.push(() => redis.stop());
    // Each answer takes a little while, so the kill lands on checks in flight.
    const server: UploadServer = await startUploadServer(plans, { delayMs: 20 });
    cleanups.push(() => server.close());
    const dir = mkdtempSync(join(tmpdir(), 'upstat-queue-'));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    // The producer: this process adds the waits and runs no worker.
    const prefix = 'acceptance';
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'producer-key-7a1e', baseUrl: server.url })] });
    const producer = createWaitQueue({ upstat, connection: redis.url, prefix, wait: { minDelayMs: 50, maxDelayMs: 100, timeoutMs: 120_000 } });
    cleanups.push(() => producer.close());
    await producer.addAll([...expected.keys()].map((id) => `nullspace:sb_test/${id}`));

    const env = { REDIS_URL: redis.url, SERVER_URL: server.url, PREFIX: prefix, CONCURRENCY: String(CONCURRENCY), LOCK_MS: String(LOCK_MS) };
    const files = [0, 1, 2, 3].map((index) => join(dir, `outcomes-${index}.jsonl`));
    const workers = await Promise.all([0, 1, 2].map((index) => startWorker(env, files[index] as string)));
    const delivered = () => new Set(files.flatMap(read).map((entry) => entry.ref)).size;

    // Mid-run: a third of the outcomes are in. Kill one worker outright and start another.
    await until(() => delivered() >= UPLOADS / 3, 'a third of the outcomes');
    const killed = workers[0] as ChildProcess;
    const killedAt = new Promise((resolve) => killed.once('exit', resolve));
    killed.kill('SIGKILL');
    await killedAt;
    const deliveredBeforeKill = read(files[0] as string).length;
    workers.push(await startWorker(env, files[3] as string));

    await until(() => delivered() >= UPLOADS, 'every outcome');
    // Then until nothing is left in the queue (a job the killed worker held may still re-run and deliver again).
    const inspector = new Queue('nullspace', { connection: { url: redis.url }, prefix });
    cleanups.push(() => inspector.close());
    await until(async () => {
      const counts = await inspector.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'failed');
      return Object.values(counts).every((count) => count === 0);
    }, 'an empty queue');
    await Promise.all(workers.map(stop));

    const all = files.flatMap(read);
    const byRef = new Map<string, Recorded[]>();
    for (const entry of all) byRef.set(entry.ref, [...(byRef.get(entry.ref) ?? []), entry]);

    // None lost, each as the server decided it.
    expect(byRef.size).toBe(UPLOADS);
    for (const [id, { outcome }] of expected) {
      const entries = byRef.get(`nullspace:sb_test/${id}`) ?? [];
      expect(entries.length, id).toBeGreaterThan(0);
      for (const entry of entries) {
        if (outcome === 'succeeded') expect(entry, id).toMatchObject({ ok: true, state: 'succeeded' });
        else if (outcome === 'failed') expect(entry, id).toMatchObject({ ok: false, kind: 'upload_failed', state: 'failed' });
        else expect(entry, id).toMatchObject({ ok: false, kind: 'not_found' });
      }
    }
    // The kill happened mid-run: the killed worker had delivered some, the one started after it delivered some.
    expect(deliveredBeforeKill).toBeGreaterThan(0);
    expect(read(files[3] as string).length).toBeGreaterThan(0);

    // Duplicates only as documented: a job the killed worker held (at most its concurrency) may be delivered again.
    const duplicated = [...byRef.values()].filter((entries) => entries.length > 1);
    expect(duplicated.length).toBeLessThanOrEqual(CONCURRENCY);
    for (const entries of duplicated) expect(entries.some((entry) => entry.pid === killed.pid)).toBe(true);

    // Requests: what one process waiting for each upload makes, plus at most one repeated check per job the kill
    // interrupted. No upload was checked fewer times than it needed.
    for (const [id, { requests }] of expected) expect(server.counts.get(id) ?? 0, id).toBeGreaterThanOrEqual(requests);
    expect(server.total()).toBeGreaterThanOrEqual(singleProcessRequests);
    expect(server.total()).toBeLessThanOrEqual(singleProcessRequests + CONCURRENCY);
  },
);

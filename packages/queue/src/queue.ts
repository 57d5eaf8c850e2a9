import {
  ConfigurationError,
  ConnectionError,
  InvalidArgumentError,
  RateLimitError,
  UpstatError,
  WaitTimeoutError,
  deadlineRank,
  durationProblem,
  formatDuration,
  rateLimitPause,
  rateWindow,
  reviveError,
  stepWait,
  waitRules,
  type AnyDefinition,
  type CanonicalState,
  type RequestBudget,
  type StatusOf,
  type WaitEvent,
  type WaitPolicyOptions,
  type WaitRules,
  type WaitState,
  type WaitStep,
} from '@upstat/core';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { waitDriver, type Upstat, type WaitDriverHooks } from 'upstat';
import { checkBudgets, SLIDING_WINDOW_SCRIPT, UNLIMITED, windowKey } from './budget.js';
import { checkConnection, type RedisConnection } from './connection.js';
import { checkPersistence, ensureMarker, markerKey, markServed, RedisResetError, servedKey, STORAGES, type RedisCommands, type Storage } from './durability.js';
import { jobIdFor, parseJobData, type WaitJobData } from './job.js';

export interface WaitQueueOptions<D extends AnyDefinition = AnyDefinition> {
  /** The facade whose providers are checked: `createUpstat({ providers })`. Every process builds its own. */
  upstat: Upstat<D>;
  /** Where Redis is: `redis://[user:password@]host:port[/db]`, `rediss://…` for TLS, or ioredis options. */
  connection: RedisConnection;
  /**
   * Per provider id: at most `requestsPerSecond` status requests (BullMQ's limiter, counted in Redis across
   * every worker process) and `concurrency` in flight at once (the queue's global concurrency).
   */
  budget?: Readonly<Partial<Record<D['id'], RequestBudget>>> | undefined;
  /** Defaults for every wait added (`timeoutMs`, `minDelayMs`, `maxDelayMs`, `maxFailures`), as in `upstat.wait`. */
  wait?: WaitPolicyOptions | undefined;
  /** Time limit for each status request. Default: the clients' (10 s). */
  requestTimeoutMs?: number | undefined;
  /**
   * How long `add`, `addAll` and `close` wait for Redis before rejecting with a `ConnectionError` (code
   * `ETIMEDOUT`), so that a web request that enqueues a wait does not hang with Redis. Default 5 s.
   */
  redisTimeoutMs?: number | undefined;
  /**
   * `durable` (default): `startWorker` refuses a Redis without an append-only file (`appendonly yes`), which a
   * restart would leave empty. `volatile`: accept that. Either way a Redis that comes back empty is reported to
   * `onError` as a `RedisResetError`, and the limits the queue keeps in Redis are written again.
   */
  storage?: Storage | undefined;
  /** Prefix of every Redis key (`<prefix>:<provider>:…`). Default `upstat`. Processes that share waits share it. */
  prefix?: string | undefined;
  /**
   * When `onOutcome` throws (or the job fails otherwise): how many times in all a wait's last check and delivery
   * are tried (default 5), the first retry after `backoffMs` (default 1 s), doubling. Fixed when a wait is added.
   */
  delivery?: { attempts?: number | undefined; backoffMs?: number | undefined } | undefined;
  /** Called for errors that are not a wait's outcome (Redis connection errors, …). Default: printed to stderr. */
  onError?: ((error: Error, context: WorkerErrorContext) => void) | undefined;
}

/** What `add` takes for one wait: its schedule and which states end it, as `upstat.wait`. */
export interface AddWaitOptions extends WaitPolicyOptions {
  /** Terminal states delivered as `ok: true`; any other terminal state is an `UploadFailedError`. Default `['succeeded']`. */
  accept?: readonly CanonicalState[] | undefined;
  /** Non-terminal states that end the wait, delivered as `ok: true`, e.g. `['action_required']`. */
  stopOn?: readonly CanonicalState[] | undefined;
}

/**
 * How a wait ended, delivered to `onOutcome` at least once. `error` is `UploadFailedError` (a terminal state not
 * accepted), `WaitTimeoutError` (the deadline passed, or the wait gave up before it — a `Retry-After` past the
 * deadline, `maxFailures` failed checks in a row —; `lastStatus` and `lastError` say what it saw) or the error of a
 * check that cannot get better (`NotFoundError`, `AuthenticationError`, …). `checks` counts failed checks too.
 */
export type WaitOutcome<S = StatusOf<AnyDefinition>> =
  | { ref: string; ok: true; status: S; checks: number }
  | { ref: string; ok: false; error: UpstatError; checks: number };

/** What went wrong outside a wait's own outcome: Redis, a job BullMQ gave up on, your `onOutcome` throwing. */
export interface WorkerErrorContext {
  /** The provider queue it happened on. */
  provider: string;
  /** The wait's ref, when the error belongs to one. */
  ref?: string | undefined;
  /** True when BullMQ has given up on the job (after your `onOutcome` failed on every attempt): it stays in the failed set. */
  final?: boolean | undefined;
}

export interface StartWorkerOptions<S = StatusOf<AnyDefinition>> {
  /**
   * Called with each wait's outcome, in the process whose check ended it. At least once: after a worker dies
   * between delivering and recording the delivery, another delivers again — make it idempotent by `ref`. A
   * throw (or rejection) fails the job: it is tried again (the check too) up to `deliveryAttempts` times.
   */
  onOutcome: (outcome: WaitOutcome<S>) => void | Promise<void>;
  /** Called for errors that are not an outcome. Default: `onError` of `createWaitQueue`, else printed to stderr. */
  onError?: ((error: Error, context: WorkerErrorContext) => void) | undefined;
  /** Checks this process runs at once, per provider. Default 8. */
  concurrency?: number | undefined;
  /** Only these providers' queues (default: all of the facade's). */
  providers?: readonly string[] | undefined;
  /**
   * How long a worker holds a job it is checking before others may take it over: a worker that dies mid-check
   * loses its jobs for at most about three times this long (the lock, then two scans for stalled jobs). Default 30 s.
   */
  lockDurationMs?: number | undefined;
}

export interface WaitWorker {
  /** Stops taking jobs, lets the checks in flight finish, and disconnects. */
  close(): Promise<void>;
}

export interface WaitQueue<D extends AnyDefinition = AnyDefinition> {
  /**
   * Starts a durable wait: its first check runs at once on a worker. Adding a ref that is already being waited
   * for is a no-op (the job id is the ref). Invalid refs and options reject before anything is written.
   */
  add(ref: string, options?: AddWaitOptions): Promise<{ ref: string; jobId: string }>;
  /** `add` for many refs, written in one round trip per provider. */
  addAll(refs: readonly string[], options?: AddWaitOptions): Promise<{ ref: string; jobId: string }[]>;
  /** Runs the waits' checks in this process until `close`. Any number of processes may run workers. */
  startWorker(options: StartWorkerOptions<StatusOf<D>>): Promise<WaitWorker>;
  /** Closes the workers this instance started and its Redis connections. */
  close(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_LOCK_MS = 30_000;
/** By default a job whose processing fails (Redis down, `onOutcome` throwing) is tried this many times in all. */
const DELIVERY_ATTEMPTS = 5;
/** How often a job may be taken back from a worker that died before BullMQ gives up on it. */
const MAX_STALLED = 5;
const JOB_NAME = 'wait';
const FAILED_KEPT_SECONDS = 7 * 24 * 3600;
const DEFAULT_REDIS_TIMEOUT_MS = 5_000;
/**
 * A provider's due waits go to its workers in core's order (`deadlineRank`: earliest deadline first, to the minute,
 * first come within a minute), as in the in-process watcher. BullMQ orders a queue's due jobs by a priority from 1
 * (first) to 2,097,152, first come within one: a wait's is its deadline's rank counted round that range (minutes: it
 * wraps every four years, when for a few hours the waits due after the wrap go first).
 */
const PRIORITIES = 2_097_152;
function deadlinePriority(deadline: number): number {
  return 1 + (deadlineRank(deadline) % PRIORITIES);
}
/** The longest BullMQ sleeps at once while a provider is paused (see the worker options). */
const PAUSE_SLICE_MS = 1_000;
/**
 * How often a running worker says it serves its providers, counts their waits (the figure a `RedisResetError` gives
 * as known before) and looks for waits on providers nobody serves.
 */
const WATCH_EVERY_MS = 5_000;
/** The job states of waits not yet ended. */
const COUNTED = ['waiting', 'delayed', 'active', 'prioritized'] as const;
/** Waits a sweep looks at per unserved provider (the rest at the next sweep). */
const SWEEP_BATCH = 1_000;


/**
 * Durable waits: each wait is one BullMQ job on its provider's queue (`<prefix>:<provider>`), carrying the
 * wait's checkpoint. A worker makes one check, then moves the job back to the delayed set until the next check
 * the schedule (core's `nextCheckDelay`) asks for: between checks no process holds anything.
 */
export function createWaitQueue<D extends AnyDefinition>(options: WaitQueueOptions<D>): WaitQueue<D> {
  type Status = StatusOf<D>;
  const { upstat } = options;
  if (typeof (upstat as unknown as Partial<Upstat> | undefined)?.parseRef !== 'function') {
    throw new ConfigurationError('createWaitQueue: upstat must be a facade from createUpstat({ providers }).', { provider: 'upstat' });
  }
  const connection = checkConnection(options.connection);
  const providers: readonly string[] = upstat.providers;
  const budgets = checkBudgets(options.budget, providers);
  /** Each budgeted provider's sliding window (core's `rateWindow`), worked out once rather than for every check. */
  const windows = new Map(
    Object.entries(budgets).flatMap(([provider, budget]) =>
      budget.requestsPerSecond !== undefined && Number.isFinite(budget.requestsPerSecond) ? [[provider, rateWindow(budget.requestsPerSecond)] as const] : [],
    ),
  );
  if ((options as { retry?: unknown }).retry !== undefined) {
    throw new ConfigurationError(
      'createWaitQueue: retry is gone: a wait checks again after a failure that may pass (connection, timeout, 5xx, 429) ' +
        'until its deadline; give wait.maxFailures to end it sooner.',
      { provider: 'upstat' },
    );
  }
  waitRules({}, options.wait, 'createWaitQueue');
  for (const field of ['requestTimeoutMs', 'redisTimeoutMs'] as const) {
    const value = options[field];
    const problem = value === undefined ? undefined : durationProblem(field, value, 'positive');
    if (problem !== undefined) throw new ConfigurationError(`createWaitQueue: ${problem}.`, { provider: 'upstat' });
  }
  const redisTimeoutMs = options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const storage = options.storage ?? 'durable';
  if (!STORAGES.includes(storage)) {
    throw new ConfigurationError(`createWaitQueue: storage must be ${STORAGES.map((name) => `'${name}'`).join(' or ')}, got ${JSON.stringify(storage)}.`, { provider: 'upstat' });
  }
  const driver = waitDriver(upstat) as WaitDriverHooks<Status>;
  const deliveryAttempts = options.delivery?.attempts ?? DELIVERY_ATTEMPTS;
  const deliveryBackoffMs = options.delivery?.backoffMs ?? 1_000;
  if (!Number.isInteger(deliveryAttempts) || deliveryAttempts < 1 || deliveryAttempts > 100) {
    throw new ConfigurationError(`createWaitQueue: delivery.attempts must be a whole number from 1 to 100, got ${String(deliveryAttempts)}.`, { provider: 'upstat' });
  }
  const backoffProblem = durationProblem('delivery.backoffMs', deliveryBackoffMs, 'zero');
  if (backoffProblem !== undefined) throw new ConfigurationError(`createWaitQueue: ${backoffProblem}.`, { provider: 'upstat' });
  const prefix = options.prefix ?? 'upstat';
  if (typeof prefix !== 'string' || prefix === '' || prefix.includes(':')) {
    throw new ConfigurationError(`createWaitQueue: prefix must be a non-empty string without ":", got ${JSON.stringify(prefix)}.`, { provider: 'upstat' });
  }

  const printError = (error: Error, context: WorkerErrorContext) => {
    console.error(`@upstat/queue [${context.provider}]${context.ref === undefined ? '' : ` ${context.ref}`}: ${error.message}`);
  };
  const queueError = options.onError ?? printError;
  const queues = new Map<string, Queue<WaitJobData>>();
  const workers = new Set<WaitWorker>();
  /** Every BullMQ worker started, to drop its connection when Redis does not answer a `close`. */
  const bullWorkers = new Set<Worker<WaitJobData>>();
  let closed = false;

  /**
   * `work`, or a `ConnectionError` once Redis has not answered for `redisTimeoutMs`. What `work` was sending may
   * still reach Redis once it is back (ioredis queues commands while it reconnects): adding a ref again is a no-op,
   * so a producer may simply retry.
   */
  async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new ConnectionError(`${what}: Redis did not answer within ${formatDuration(redisTimeoutMs)} (is it running and reachable?).`, {
            provider: 'upstat',
            code: 'ETIMEDOUT',
          }),
        );
      }, redisTimeoutMs);
    });
    // Settles later, if ever; its outcome no longer has anyone waiting for it.
    work.catch(() => undefined);
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function queueFor(provider: string): Queue<WaitJobData> {
    const existing = queues.get(provider);
    if (existing !== undefined) return existing;
    const queue = new Queue<WaitJobData>(provider, { connection, prefix });
    // An 'error' event nobody listens to would end the process.
    queue.on('error', (error) => {
      queueError(error, { provider });
    });
    queues.set(provider, queue);
    return queue;
  }

  /** The ref's canonical string form and provider; `InvalidArgumentError` for one the facade cannot parse. */
  function refOf(input: unknown): { ref: string; provider: string } {
    if (typeof input !== 'string') {
      throw new InvalidArgumentError(`add: ref must be a ref string such as ${Object.values(upstat.refFormats).join(' or ')}, got ${input === null ? 'null' : typeof input}.`, {
        provider: 'upstat',
        argument: 'ref',
      });
    }
    const parsed = upstat.parseRef(input);
    return { ref: upstat.formatRef(parsed), provider: parsed.provider };
  }

  function dataFor(ref: string, add: AddWaitOptions, now: number): WaitJobData {
    const { policy, accept, stopOn } = waitRules(add, options.wait, 'add');
    return {
      version: 1,
      ref,
      startedAt: now,
      deadline: now + policy.timeoutMs,
      minDelayMs: policy.minDelayMs,
      maxDelayMs: policy.maxDelayMs,
      ...(Number.isFinite(policy.maxFailures) ? { maxFailures: policy.maxFailures } : {}),
      checks: 0,
      failures: 0,
      progress: [],
      accept: [...accept],
      stopOn: [...stopOn],
    };
  }

  const jobOptions = (ref: string, deadline: number) => ({
    jobId: jobIdFor(ref),
    priority: deadlinePriority(deadline),
    attempts: deliveryAttempts,
    backoff: { type: 'exponential', delay: deliveryBackoffMs },
    removeOnComplete: true,
    // Kept a week for inspection (BullMQ's failed set); `onError` reports each such job when it happens.
    removeOnFail: { age: FAILED_KEPT_SECONDS },
  });

  async function addAll(refs: readonly string[], add: AddWaitOptions = {}): Promise<{ ref: string; jobId: string }[]> {
    if (closed) throw new ConfigurationError('add: this wait queue is closed.', { provider: 'upstat' });
    const list: unknown = refs;
    if (!Array.isArray(list)) {
      throw new InvalidArgumentError(`addAll: refs must be an array, got ${list === null ? 'null' : typeof list}.`, { provider: 'upstat', argument: 'refs' });
    }
    const now = Date.now();
    // Everything is checked before anything is written.
    const entries = (list as unknown[]).map((input) => {
      const { ref, provider } = refOf(input);
      return { ref, provider, data: dataFor(ref, add, now) };
    });
    const byProvider = new Map<string, typeof entries>();
    for (const entry of entries) byProvider.set(entry.provider, [...(byProvider.get(entry.provider) ?? []), entry]);
    const written = Promise.all(
      [...byProvider].map(([provider, group]) => queueFor(provider).addBulk(group.map(({ ref, data }) => ({ name: JOB_NAME, data, opts: jobOptions(ref, data.deadline) })))),
    );
    await bounded(list.length === 1 ? 'add' : 'addAll', written);
    return entries.map(({ ref }) => ({ ref, jobId: jobIdFor(ref) }));
  }

  async function add(ref: string, add: AddWaitOptions = {}): Promise<{ ref: string; jobId: string }> {
    const [result] = await addAll([ref], add);
    return result as { ref: string; jobId: string };
  }

  async function startWorker(start: StartWorkerOptions<Status>): Promise<WaitWorker> {
    if (closed) throw new ConfigurationError('startWorker: this wait queue is closed.', { provider: 'upstat' });
    if (typeof (start as Partial<StartWorkerOptions<Status>> | undefined)?.onOutcome !== 'function') {
      throw new InvalidArgumentError('startWorker: onOutcome must be a function that records each outcome (idempotent by ref).', {
        provider: 'upstat',
        argument: 'onOutcome',
      });
    }
    const concurrency = start.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError(`startWorker: concurrency must be a whole number ≥ 1, got ${String(concurrency)}.`, { provider: 'upstat', argument: 'concurrency' });
    }
    const lockDurationMs = start.lockDurationMs ?? DEFAULT_LOCK_MS;
    if (typeof lockDurationMs !== 'number' || !Number.isFinite(lockDurationMs) || lockDurationMs < 100) {
      throw new InvalidArgumentError(`startWorker: lockDurationMs must be a number of milliseconds ≥ 100, got ${String(lockDurationMs)}.`, {
        provider: 'upstat',
        argument: 'lockDurationMs',
      });
    }
    const chosen = start.providers ?? providers;
    const unknown = chosen.filter((provider) => !providers.includes(provider));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(`startWorker: providers ${unknown.join(', ')} are not the facade's (${providers.join(', ')}).`, {
        provider: 'upstat',
        argument: 'providers',
      });
    }
    const onError = start.onError ?? queueError;
    const report = (error: unknown, context: WorkerErrorContext) => {
      onError(error instanceof Error ? error : new Error(String(error), { cause: error }), context);
    };

    const started: Worker<WaitJobData>[] = [];
    const watches: (() => void)[] = [];
    for (const [index, provider] of chosen.entries()) {
      const queue = queueFor(provider);
      const budget = budgets[provider];
      const client = (await queue.getBackend().client) as unknown as RedisCommands & RedisEvents;
      if (index === 0) await checkPersistence(client, storage);
      // The queue-wide limit on checks in flight lives in Redis: the latest worker started sets it, and every running
      // worker sets it again when Redis comes back empty.
      const applyLimits = async () => {
        if (budget?.concurrency === undefined) await queue.removeGlobalConcurrency();
        else await queue.setGlobalConcurrency(budget.concurrency);
      };
      await ensureMarker(client, markerKey(prefix, provider));
      await applyLimits();
      await markServed(client, prefix, provider);
      watches.push(watchProvider(queue, client, provider, applyLimits, report));
      const worker: Worker<WaitJobData> = new Worker<WaitJobData>(
        provider,
        (job, token) => process(job, token, queue, client, start.onOutcome),
        {
          connection,
          prefix,
          concurrency,
          limiter: UNLIMITED,
          // BullMQ sleeps out a provider's pause (a 429's Retry-After can be an hour) in slices of this length, and a
          // close() that begins just before a slice starts waits for the whole slice: its default of 30 s would outlast
          // redisTimeoutMs and make close() blame Redis. One second costs a worker one Redis call per second of pause.
          maximumRateLimitDelay: PAUSE_SLICE_MS,
          lockDuration: lockDurationMs,
          stalledInterval: lockDurationMs,
          maxStalledCount: MAX_STALLED,
        },
      );
      worker.on('error', (error) => {
        report(error, { provider });
      });
      worker.on('stalled', (jobId) => {
        // Not an outcome, but worth knowing: some worker died (or stalled) holding this wait's check.
        report(new Error(`a worker stopped holding wait job ${jobId} (died or blocked); it runs again from its last checkpoint`), {
          provider,
          ref: decodeURIComponent(jobId),
        });
      });
      worker.on('failed', (job, error) => {
        const final = job === undefined || error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
        const ref = typeof job?.data.ref === 'string' ? job.data.ref : undefined;
        report(error, { provider, ref, final });
      });
      started.push(worker);
      bullWorkers.add(worker);
    }
    await Promise.all(started.map((worker) => worker.waitUntilReady()));
    const unserved = providers.filter((provider) => !chosen.includes(provider));
    if (unserved.length > 0) {
      const sweeper = setInterval(() => {
        void sweep(unserved, start.onOutcome, report);
      }, WATCH_EVERY_MS);
      sweeper.unref();
      watches.push(() => {
        clearInterval(sweeper);
      });
    }
    const handle: WaitWorker = {
      close: async () => {
        workers.delete(handle);
        for (const stop of watches) stop();
        await Promise.all(started.map((worker) => worker.close()));
        for (const worker of started) bullWorkers.delete(worker);
      },
    };
    workers.add(handle);
    return handle;
  }

  /**
   * What a running worker keeps up for one provider, every few seconds: the key saying it serves the provider, and the
   * count of its waits. And it notices a Redis that comes back without the provider's data: after each reconnection
   * the marker written at start must still be there. If not, the waits are gone: reported with the count from
   * before, and the marker and the limits written again. Returns what stops it.
   */
  function watchProvider(
    queue: Queue<WaitJobData>,
    client: RedisCommands & RedisEvents,
    provider: string,
    applyLimits: () => Promise<void>,
    report: (error: unknown, context: WorkerErrorContext) => void,
  ): () => void {
    const key = markerKey(prefix, provider);
    let known = 0;
    const recount = () => {
      queue.getJobCountByTypes(...COUNTED).then(
        (waits) => {
          if (client.status === 'ready') known = waits;
        },
        () => undefined,
      );
    };
    const tick = setInterval(() => {
      if (client.status !== 'ready') return;
      markServed(client, prefix, provider).catch((error: unknown) => {
        report(error, { provider });
      });
      recount();
    }, WATCH_EVERY_MS);
    tick.unref();
    const onReady = () => {
      // Taken now: counts answered after the reconnection would see the empty Redis.
      const before = known;
      void (async () => {
        if (await ensureMarker(client, key)) return;
        report(
          new RedisResetError(
            `Redis came back without the waits of ${provider} (${String(before)} known before): it restarted without persistence, was flushed or failed over to an empty copy. ` +
              'They are lost: add them again. The queue\'s limits are written again.',
            { queue: provider, waitsKnownBefore: before },
          ),
          { provider },
        );
        await applyLimits();
      })().catch((error: unknown) => {
        report(error, { provider });
      });
    };
    client.on('ready', onReady);
    recount();
    return () => {
      clearInterval(tick);
      client.off('ready', onReady);
    };
  }

  /**
   * Ends, with `WaitTimeoutError` (`reason: 'unserved'`), the waits past their deadline on the facade's providers that
   * no running worker serves (their served key has lapsed): without it they would sit in Redis unchecked forever. Any
   * worker of another provider does it; two that sweep at once may both deliver (at least once, as always).
   */
  async function sweep(
    unserved: readonly string[],
    onOutcome: StartWorkerOptions<Status>['onOutcome'],
    report: (error: unknown, context: WorkerErrorContext) => void,
  ): Promise<void> {
    for (const provider of unserved) {
      try {
        const queue = queueFor(provider);
        const client = (await queue.getBackend().client) as unknown as RedisCommands;
        if ((await client.exists(servedKey(prefix, provider))) === 1) continue;
        const now = Date.now();
        for (const job of await queue.getJobs(['delayed', 'waiting', 'prioritized'], 0, SWEEP_BATCH - 1)) {
          let data: WaitJobData;
          try {
            data = parseJobData(job.data);
          } catch {
            continue;
          }
          if (data.deadline > now) continue;
          const state = stateOf<Status>(data);
          const error = new WaitTimeoutError<Status>(
            `upload ${data.ref} was not checked: no running worker serves ${provider} (startWorker({ providers }) in some process must include it), and the wait's deadline passed.`,
            { provider, lastStatus: state.last, lastError: state.lastError, elapsedMs: now - data.startedAt, checks: data.checks, reason: 'unserved' },
          );
          await deliver(onOutcome, { ref: data.ref, ok: false, error, checks: data.checks });
          await job.remove();
        }
      } catch (error) {
        report(error, { provider });
      }
    }
  }

  /**
   * 0 when the provider's budget lets a request start now (and counts it), else the milliseconds until one may plus
   * a share of one window (random), so that the jobs turned away together do not all come back at once.
   */
  async function startsInWindow(client: RedisCommands, provider: string): Promise<number> {
    const window = windows.get(provider);
    if (window === undefined) return 0;
    const notYet = Number(await client.eval(SLIDING_WINDOW_SCRIPT, 1, windowKey(prefix, provider), window.starts, window.windowMs));
    return notYet === 0 ? 0 : notYet + Math.floor(Math.random() * window.windowMs);
  }

  async function deliver(onOutcome: StartWorkerOptions<Status>['onOutcome'], outcome: WaitOutcome<Status>): Promise<void> {
    await onOutcome(outcome);
  }

  /**
   * One step of one wait, as core's wait engine says (`stepWait`): the job is due, so a check is made if the engine
   * lets it; then the job either delivers the outcome and completes, or goes back to the delayed set until the time
   * the engine gave, carrying the new state.
   */
  async function process(
    job: Job<WaitJobData>,
    token: string | undefined,
    queue: Queue<WaitJobData>,
    client: RedisCommands,
    onOutcome: StartWorkerOptions<Status>['onOutcome'],
  ): Promise<void> {
    let data: WaitJobData;
    let subject: ReturnType<WaitDriverHooks['subject']>;
    try {
      data = parseJobData(job.data);
      subject = driver.subject(data.ref);
    } catch (error) {
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    const rules: WaitRules = {
      policy: { timeoutMs: data.deadline - data.startedAt, minDelayMs: data.minDelayMs, maxDelayMs: data.maxDelayMs, maxFailures: data.maxFailures ?? Number.POSITIVE_INFINITY },
      accept: data.accept,
      stopOn: data.stopOn,
    };
    const feed = (state: WaitState<Status>, event: WaitEvent<Status>) => stepWait(rules, state, event, Date.now(), subject);
    let step: WaitStep<Status> = feed(stateOf(data), { type: data.expire === true ? 'deadline' : 'due' });
    if (step.action.type === 'check') {
      const notYet = await startsInWindow(client, queue.name);
      if (notYet > 0) {
        // The provider's rolling window is full: the job comes back when a start frees up. Not a check: nothing about
        // the wait changes.
        await job.moveToDelayed(Date.now() + notYet, token);
        throw new DelayedError();
      }
      let event: WaitEvent<Status>;
      try {
        event = { type: 'checked', status: await driver.check(data.ref, { requestTimeoutMs: options.requestTimeoutMs, deadline: step.state.deadline }) };
      } catch (error) {
        event = { type: 'failed', error };
      }
      step = feed(step.state, event);
      const failure = event.type === 'failed' ? event.error : undefined;
      if (failure instanceof RateLimitError) {
        // The vendor limits the account, not this upload: pause the provider's whole queue (every worker, every
        // process) for what core says a 429 asks.
        await queue.rateLimit(rateLimitPause(failure.retryAfterMs, step.state.rateLimited));
      }
    }
    const { action, state } = step;
    if (action.type === 'settle') {
      const { outcome } = action;
      await deliver(
        onOutcome,
        outcome.ok
          ? { ref: data.ref, ok: true, status: outcome.status, checks: state.checks }
          : { ref: data.ref, ok: false, error: asUpstatError(outcome.error), checks: state.checks },
      );
      return;
    }
    if (action.type === 'check') throw new Error('unreachable: the engine asked for a second check in one step');
    Object.assign(data, dataOf(state), { expire: action.expire });
    await job.updateData(data);
    await job.moveToDelayed(action.until, token);
    // Tells BullMQ the job was moved, not finished.
    throw new DelayedError();
  }

  async function close(): Promise<void> {
    closed = true;
    const all = [...queues.values()];
    const closing = (async () => {
      await Promise.all([...workers].map((worker) => worker.close()));
      await Promise.all(all.map((queue) => queue.close()));
    })();
    try {
      await bounded('close', closing);
    } catch (error) {
      // Redis did not answer: drop the connections rather than keep the process alive for them. Checks in flight
      // are not waited for; their jobs run again from their last checkpoint (at least once).
      for (const owner of [...bullWorkers, ...all]) dropConnections(owner);
      throw error;
    } finally {
      queues.clear();
      workers.clear();
      bullWorkers.clear();
    }
  }

  return { add, addAll, startWorker, close };
}

/** The ioredis client's connection state and events, as far as the reset watch needs them. */
interface RedisEvents {
  readonly status: string;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * Ends the Redis connections of a BullMQ queue or worker at once, connected or not. BullMQ's own `disconnect()` and
 * `close()` first wait for the connection to be ready, which never happens while Redis is down, and ioredis keeps
 * reconnecting (and the process alive) meanwhile. The ioredis clients are there from the start, on the object's
 * backend (bullmq 6, pinned in package.json): ioredis' `disconnect()` stops its reconnecting.
 */
function dropConnections(owner: Queue | Worker): void {
  interface Connection {
    _client?: { disconnect?: () => void };
  }
  const backend = owner.getBackend() as unknown as { connection?: Connection; blockingConnection?: Connection };
  for (const connection of [backend.connection, backend.blockingConnection]) connection?._client?.disconnect?.();
}

/** The engine's state of the wait a job carries. */
function stateOf<S>(data: WaitJobData): WaitState<S> {
  return {
    startedAt: data.startedAt,
    deadline: data.deadline,
    checks: data.checks,
    failures: data.failures,
    rateLimited: data.rateLimited ?? 0,
    progress: data.progress,
    last: data.lastStatus as S | undefined,
    lastError: data.lastError === undefined ? undefined : reviveError(data.lastError),
    lastState: (data.lastStatus as { state?: string } | undefined)?.state,
    lastProgress: (data.lastStatus as { progress?: { fraction?: number } } | undefined)?.progress?.fraction,
  };
}

/** The fields of a job's data that carry the engine's state. */
function dataOf<S>(state: WaitState<S>): Partial<WaitJobData> {
  let lastError: Record<string, unknown> | undefined;
  if (state.lastError instanceof UpstatError) {
    // Without the body: a job stays small, and the summary is what the wait's error needs.
    lastError = { ...state.lastError.toJSON(), body: undefined, rawText: undefined };
  }
  return {
    checks: state.checks,
    failures: state.failures,
    rateLimited: state.rateLimited,
    progress: [...state.progress],
    lastStatus: state.last,
    lastError,
  };
}

/** Outcomes carry an `UpstatError`; anything else that ended a wait (a bug) is wrapped, not lost. */
function asUpstatError(error: Error): UpstatError {
  return error instanceof UpstatError ? error : new UpstatError(error.message, { provider: 'upstat', cause: error });
}

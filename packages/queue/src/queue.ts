import {
  ConfigurationError,
  InvalidArgumentError,
  RateLimitError,
  UpstatError,
  durationProblem,
  rateLimitPause,
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
import { checkBudgets, limiterFor } from './budget.js';
import { checkConnection, type RedisConnection } from './connection.js';
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
  if ((options as { retry?: unknown }).retry !== undefined) {
    throw new ConfigurationError(
      'createWaitQueue: retry is gone: a wait checks again after a failure that may pass (connection, timeout, 5xx, 429) ' +
        'until its deadline; give wait.maxFailures to end it sooner.',
      { provider: 'upstat' },
    );
  }
  waitRules({}, options.wait, 'createWaitQueue');
  if (options.requestTimeoutMs !== undefined) {
    const problem = durationProblem('requestTimeoutMs', options.requestTimeoutMs, 'positive');
    if (problem !== undefined) throw new ConfigurationError(`createWaitQueue: ${problem}.`, { provider: 'upstat' });
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
  let closed = false;

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

  const jobOptions = (ref: string) => ({
    jobId: jobIdFor(ref),
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
    for (const [provider, group] of byProvider) {
      await queueFor(provider).addBulk(group.map(({ ref, data }) => ({ name: JOB_NAME, data, opts: jobOptions(ref) })));
    }
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
    for (const provider of chosen) {
      const queue = queueFor(provider);
      const budget = budgets[provider];
      // The queue-wide limit on checks in flight lives in Redis: the latest worker started sets it.
      if (budget?.concurrency === undefined) await queue.removeGlobalConcurrency();
      else await queue.setGlobalConcurrency(budget.concurrency);
      const worker: Worker<WaitJobData> = new Worker<WaitJobData>(
        provider,
        (job, token) => process(job, token, queue, start.onOutcome),
        {
          connection,
          prefix,
          concurrency,
          limiter: limiterFor(budget),
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
    }
    await Promise.all(started.map((worker) => worker.waitUntilReady()));
    const handle: WaitWorker = {
      close: async () => {
        workers.delete(handle);
        await Promise.all(started.map((worker) => worker.close()));
      },
    };
    workers.add(handle);
    return handle;
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
    await Promise.all([...workers].map((worker) => worker.close()));
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    queues.clear();
  }

  return { add, addAll, startWorker, close };
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

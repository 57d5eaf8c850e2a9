import {
  AbortError,
  capText,
  systemClock,
  checkCheckpoint,
  ConfigurationError,
  durationProblem,
  InvalidArgumentError,
  readStatus,
  waitRules,
  resolveRequestBudget,
  UnexpectedResponseError,
  type AnyDefinition,
  type BodyOf,
  type CallOptions,
  type CanonicalState,
  type ProviderPlugin,
  type ProviderStatus,
  type RefOf,
  type RequestBudget,
  type ResolvedRequestBudget,
  type ResponseInfo,
  type RequestHook,
  type SharedClientOptions,
  type StatusFetcher,
  type StatusOf,
  type UpstatError,
  type WaitCheckpoint,
  type WaitOutcome,
  type WaitRules,
  type WaitPolicyOptions,
  type WaitSubject,
} from '@upstat/core';
import { createRefCodec, type RefCodec } from './refs.js';
import { WaitGroup, Watcher, type WatchPlan } from './watcher.js';

export type { SharedClientOptions };

/** A facade's configuration: the providers it answers for, as plug-ins from their packages. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any plug-in, whatever its definition's types
export interface UpstatConfig<Plugins extends readonly ProviderPlugin<any>[] = readonly ProviderPlugin[]> {
  /**
   * The providers, e.g. `[pandadoc({ apiKey }), nullspace({ apiKey, baseUrl })]` (each from `@upstat/<id>`), or
   * every one of them with `allProviders({...})` from `@upstat/providers`.
   */
  providers: Plugins;
  /** Applied to every provider's client: fetch, retry policy, per-attempt timeout, body limit, clock, `onRequest`. */
  defaults?: SharedClientOptions | undefined;
  /**
   * Called once for each HTTP attempt of every provider, when it ends, with a redacted `RequestEvent` (operation,
   * URL, attempt, duration, status, request id, error, wait before the next attempt): the same as
   * `defaults.onRequest` (give one or the other). A provider's own `onRequest` replaces it for that provider.
   */
  onRequest?: RequestHook | undefined;
  /** Defaults for every wait (`timeoutMs`, `minDelayMs`, `maxDelayMs`, `maxFailures`). */
  wait?: WaitPolicyOptions | undefined;
  /**
   * Request budgets by provider id, shared by every call of this instance — `status` (each attempt), `wait`,
   * `watch`, `waitAll`, `resume` — e.g. `{ nullspace: { requestsPerSecond: 50, concurrency: 8 } }`. A provider
   * left out, or a field left out, takes `DEFAULT_REQUEST_BUDGET` (10 requests per second, 4 in flight);
   * `Infinity` lifts a limit.
   */
  budget?: Readonly<Record<string, RequestBudget>> | undefined;
}

/** Options for one status check. */
export interface StatusOptions {
  signal?: AbortSignal | undefined;
  /** Retry policy for this check's request. */
  retry?: CallOptions['retry'];
  /** Time limit for each HTTP attempt of this check. */
  requestTimeoutMs?: number | undefined;
}

/** A wait checkpoint that also names the upload, so it can be resumed with `resume(checkpoint)` alone. */
export interface UploadWaitCheckpoint extends WaitCheckpoint {
  /** The ref in its string form. */
  ref: string;
}

/** The status of the upload `R` names, among the providers `D`. */
export type StatusFor<D extends AnyDefinition, R> = D extends AnyDefinition
  ? R extends { provider: D['id'] }
    ? ProviderStatus<RefOf<D>, BodyOf<D>>
    : never
  : never;

/**
 * How to wait. A check that fails for a reason that may pass (connection, attempt timeout, 5xx, 429) never ends a wait
 * before its deadline unless `maxFailures` says so; `retry` is for `status` alone.
 */
export interface WaitOptions<S = ProviderStatus> extends WaitPolicyOptions, Omit<StatusOptions, 'retry'> {
  /** Non-terminal states that end the wait and are returned, e.g. `['action_required']`. */
  stopOn?: readonly CanonicalState[] | undefined;
  /**
   * Terminal states that are returned. Any other terminal state rejects with `UploadFailedError`
   * carrying the final status. Default `['succeeded']`.
   */
  accept?: readonly CanonicalState[] | undefined;
  /** Called whenever the state or the progress changes (and with the first status). */
  onUpdate?: ((status: S) => void) | undefined;
  /** Called after every check with a JSON checkpoint to persist for `resume`. */
  onCheckpoint?: ((checkpoint: UploadWaitCheckpoint) => void) | undefined;
  /** Called when a check failed for a reason that may pass and the wait will check again. */
  onRetry?: ((error: UpstatError) => void) | undefined;
}

/** `waitAll`'s options: a wait's, whose callbacks also get the index of the ref they are about. */
export interface WaitAllOptions<S = ProviderStatus, R = unknown> extends Omit<WaitOptions<S>, 'onUpdate' | 'onCheckpoint' | 'onRetry'> {
  /**
   * Status requests of this call in flight at once, at most (a check that is due and waits for its provider's
   * budget counts too). Every upload is waited for from the start; without it, only the providers' budgets
   * (`UpstatConfig.budget`) bound the requests.
   */
  concurrency?: number | undefined;
  onUpdate?: ((status: S, index: number) => void) | undefined;
  onCheckpoint?: ((checkpoint: UploadWaitCheckpoint, index: number) => void) | undefined;
  onRetry?: ((error: UpstatError, index: number) => void) | undefined;
  /** Called with each upload's result as soon as its wait ends (the returned array holds them all, in order). */
  onResult?: ((result: WaitAllResult<R, S>, index: number) => void) | undefined;
}

/**
 * One entry of `waitAll`'s result, in the order of the refs given. `error` is an `UpstatError`, unless
 * it was thrown by your own `onUpdate`/`onCheckpoint` callback, which is passed through as it was.
 */
export type WaitAllResult<R = unknown, S = ProviderStatus> = { ref: R | string; ok: true; status: S } | { ref: R | string; ok: false; error: Error };

export interface Upstat<D extends AnyDefinition = AnyDefinition> {
  /** The ids of the providers this instance answers for. */
  readonly providers: readonly D['id'][];
  /** Checks one upload once (each attempt under the provider's request budget). */
  status<R extends RefOf<D>>(ref: R, options?: StatusOptions): Promise<StatusFor<D, R>>;
  status(ref: string | RefOf<D>, options?: StatusOptions): Promise<StatusOf<D>>;
  /**
   * Checks until the upload reaches a terminal state (or one of `stopOn`). Resolves with the status for
   * accepted states (default: `succeeded`); rejects with `UploadFailedError` for other terminal states,
   * `WaitTimeoutError` (with the last status and error) at `timeoutMs` or when it gives up before it, `AbortError`
   * (with the last status) when the signal fires, or the error of a check that cannot get better (401, 403, 404, …).
   */
  wait<R extends RefOf<D>>(ref: R, options?: WaitOptions<StatusFor<D, R>>): Promise<StatusFor<D, R>>;
  wait(ref: string | RefOf<D>, options?: WaitOptions<StatusOf<D>>): Promise<StatusOf<D>>;
  /** The same as `wait`: every wait is a small record on the instance's one timer (ten thousand are fine). */
  watch<R extends RefOf<D>>(ref: R, options?: WaitOptions<StatusFor<D, R>>): Promise<StatusFor<D, R>>;
  watch(ref: string | RefOf<D>, options?: WaitOptions<StatusOf<D>>): Promise<StatusOf<D>>;
  /** Waits `wait`, `watch`, `waitAll` and `resume` hold now. */
  readonly watching: number;
  /**
   * Waits for many uploads, all at once, as `wait` does; `concurrency` bounds this call's requests in flight. Each
   * result says ok or error, in the order of the refs: no upload's failure rejects the whole. Only invalid options
   * (a `concurrency` that is not a whole number ≥ 1, a bad wait policy) reject, at once and before any request.
   */
  waitAll(refs: readonly (string | RefOf<D>)[], options?: WaitAllOptions<StatusOf<D>, RefOf<D>>): Promise<WaitAllResult<RefOf<D>, StatusOf<D>>[]>;
  /** Carries on a wait from a checkpoint written by `onCheckpoint` (in this or another process). */
  resume(checkpoint: UploadWaitCheckpoint, options?: WaitOptions<StatusOf<D>>): Promise<StatusOf<D>>;
  /** Parses a ref's string form (`<provider>:<id>/<id>…`) for one of this instance's providers. */
  readonly parseRef: (text: string) => RefOf<D>;
  /** The string form of a ref. */
  readonly formatRef: (ref: RefOf<D>) => string;
  /** The string form of each provider's ref, e.g. `pandadoc:<documentId>/<uploadId>`, by provider id. */
  readonly refFormats: Readonly<Record<string, string>>;
}

interface Connected {
  definition: AnyDefinition;
  fetch: StatusFetcher;
}

/**
 * Creates the facade over the providers plugged in, e.g.
 * `createUpstat({ providers: [pandadoc({ apiKey }), nullspace({ apiKey, baseUrl })] })`.
 * Each provider's client is created (and its credential checked) here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any plug-in, whatever its definition's types
export function createUpstat<const Plugins extends readonly ProviderPlugin<any>[]>(
  config: UpstatConfig<Plugins>,
): Upstat<Plugins[number]['definition']> {
  type D = Plugins[number]['definition'];
  type Status = StatusOf<D>;
  const plugins: unknown = config.providers;
  if (!Array.isArray(plugins) || plugins.length === 0) {
    throw new ConfigurationError(
      'createUpstat: no provider given. Pass `providers` with at least one plug-in, e.g. createUpstat({ providers: [pandadoc({ apiKey })] }) ' +
        "with `pandadoc` from '@upstat/pandadoc', or allProviders({...}) from '@upstat/providers'.",
      { provider: 'upstat' },
    );
  }
  if (config.onRequest !== undefined && config.defaults?.onRequest !== undefined) {
    throw new ConfigurationError('createUpstat: pass onRequest or defaults.onRequest, not both.', { provider: 'upstat' });
  }
  const shared: SharedClientOptions = config.onRequest === undefined ? (config.defaults ?? {}) : { ...config.defaults, onRequest: config.onRequest };
  const connected = new Map<string, Connected>();
  for (const plugin of plugins as ProviderPlugin[]) {
    const definition = (plugin as Partial<ProviderPlugin> | null)?.definition;
    if (definition === undefined || typeof plugin.connect !== 'function') {
      throw new ConfigurationError('createUpstat: each of `providers` must be a plug-in from a provider package, e.g. pandadoc({ apiKey }).', {
        provider: 'upstat',
      });
    }
    if (connected.has(definition.id)) {
      throw new ConfigurationError(`createUpstat: ${definition.name} is given twice; pass each provider once.`, { provider: definition.id });
    }
    connected.set(definition.id, { definition, fetch: plugin.connect(shared) });
  }
  const providers = [...connected.keys()] as D['id'][];
  const refs = createRefCodec([...connected.values()].map((entry) => entry.definition)) as unknown as RefCodec<D>;
  const clock = config.defaults?.clock;
  const random = config.defaults?.random;
  const budgets = checkBudgets(config.budget, connected);

  function connectionFor(ref: { provider: string }): Connected {
    // toRef only returns refs of connected providers.
    return connected.get(ref.provider) as Connected;
  }

  /** One status request for `ref`, read into the shared model; the call's options say how it is sent. */
  async function fetchStatus(ref: RefOf<D>, call: CallOptions): Promise<Status> {
    const { definition, fetch } = connectionFor(ref);
    // Filled in with the request id of the response the status is read from.
    const response: ResponseInfo = {};
    const body: unknown = await fetch(ref, { ...call, response });
    const result = readStatus(
      definition,
      ref,
      body as never,
      (problem) =>
        new UnexpectedResponseError(`${definition.name} returned a status body that does not match its spec: ${problem}.`, {
          provider: definition.id,
          body,
          rawText: capText(body === undefined ? 'undefined' : JSON.stringify(body)),
        }),
    ) as Status;
    if (response.requestId !== undefined) result.requestId = response.requestId;
    return result;
  }

  async function status(input: string | RefOf<D>, options: StatusOptions = {}): Promise<Status> {
    const ref = refs.toRef(input);
    // Every attempt, retries included, takes its turn in the provider's budget.
    return fetchStatus(ref, {
      signal: options.signal,
      retry: options.retry,
      timeoutMs: options.requestTimeoutMs,
      gate: watcherOf().attempts(ref.provider),
    });
  }

  // One watcher per instance, made on first use: its timer exists only while it holds waits.
  let watcher: Watcher<Status> | undefined;
  function watcherOf(): Watcher<Status> {
    watcher ??= new Watcher<Status>({
      clock: clock ?? systemClock,
      random: random ?? Math.random,
      // One request per check: what follows a failure is the wait's to decide, not the client's retry loop.
      check: (ref, signal, requestTimeoutMs, deadline) => fetchStatus(ref as RefOf<D>, { signal, retry: false, timeoutMs: requestTimeoutMs, deadline }),
      budget: (provider) => budgets.get(provider) as ResolvedRequestBudget,
      providerName: (provider) => connected.get(provider)?.definition.name ?? provider,
      formatRef: (ref) => refs.format(ref as RefOf<D>),
    });
    return watcher;
  }

  /**
   * The rules of recent calls, by their content, so that the waits of calls made with the same options share one object
   * (a process holding thousands of `watch` calls holds one); at most a few dozen kept.
   */
  const sharedRules = new Map<string, WaitRules>();
  function shareRules(rules: WaitRules): WaitRules {
    const { policy } = rules;
    const key = `${policy.timeoutMs}|${policy.minDelayMs}|${policy.maxDelayMs}|${policy.maxFailures}|${rules.accept.join()}|${rules.stopOn.join()}`;
    const known = sharedRules.get(key);
    if (known !== undefined) return known;
    if (sharedRules.size >= 64) sharedRules.clear();
    sharedRules.set(key, rules);
    return rules;
  }

  /** The options every wait of one call shares, checked: a `ConfigurationError` or `InvalidArgumentError` otherwise. */
  function planOf(
    options: WaitAllOptions<Status, RefOf<D>>,
    group: WaitGroup | undefined,
    settle: WatchPlan<Status>['settle'],
  ): WatchPlan<Status> {
    if ((options as { retry?: unknown }).retry !== undefined) {
      throw new ConfigurationError(
        'wait: retry applies to status() only. A wait checks again after a failure that may pass until its deadline; ' +
          'give maxFailures to end it sooner.',
        { provider: 'upstat' },
      );
    }
    const rules = shareRules(waitRules(options, config.wait));
    if (options.requestTimeoutMs !== undefined) {
      const problem = durationProblem('requestTimeoutMs', options.requestTimeoutMs, 'positive');
      if (problem !== undefined) throw new ConfigurationError(`wait: ${problem}.`, { provider: 'upstat' });
    }
    return {
      rules,
      requestTimeoutMs: options.requestTimeoutMs,
      signal: options.signal,
      onUpdate: options.onUpdate,
      onCheckpoint: options.onCheckpoint,
      onRetry: options.onRetry,
      group,
      settle,
    };
  }

  /** One wait on the watcher (`wait`, `watch`, `resume`), settled as a promise; bad input rejects it, never throws. */
  function watchOne(input: string | RefOf<D>, options: WaitOptions<Status> = {}, checkpoint?: WaitCheckpoint): Promise<Status> {
    try {
      return startOne(input, options, checkpoint);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error), { cause: error }));
    }
  }

  function startOne(input: string | RefOf<D>, options: WaitOptions<Status>, checkpoint: WaitCheckpoint | undefined): Promise<Status> {
    const plan = planOf(options, undefined, unsettled);
    const ref = refs.toRef(input);
    // A resumed wait keeps its deadline; a timeoutMs given for it (here or in the instance's defaults) bounds it too.
    const resume =
      checkpoint === undefined
        ? undefined
        : {
            checkpoint: checkCheckpoint(ref.provider, checkpoint, (clock ?? systemClock).now()),
            timeoutMs: (options.timeoutMs ?? config.wait?.timeoutMs) === undefined ? undefined : plan.rules.policy.timeoutMs,
          };
    const { signal } = options;
    if (signal?.aborted) {
      const checks = resume?.checkpoint.checks ?? 0;
      throw new AbortError(`Waiting for upload ${refs.format(ref)} was aborted after ${checks} check${checks === 1 ? '' : 's'}.`, {
        provider: ref.provider,
        cause: signal.reason,
        checks,
      });
    }
    return settled(watcherOf(), ref, plan, resume);
  }

  async function waitAll(
    list: readonly (string | RefOf<D>)[],
    options: WaitAllOptions<Status, RefOf<D>> = {},
  ): Promise<WaitAllResult<RefOf<D>, Status>[]> {
    const { concurrency, onResult, ...waitOptions } = options;
    // JavaScript callers can pass anything.
    const given: unknown = concurrency;
    if (given !== undefined && (typeof given !== 'number' || !Number.isInteger(given) || given < 1)) {
      throw new InvalidArgumentError(
        `waitAll: concurrency must be a whole number ≥ 1, got ${typeof given === 'number' ? String(given) : typeof given}.`,
        { provider: 'upstat', argument: 'concurrency' },
      );
    }
    const items: unknown = list;
    if (!Array.isArray(items)) {
      throw new InvalidArgumentError(`waitAll: refs must be an array, got ${items === null ? 'null' : typeof items}.`, {
        provider: 'upstat',
        argument: 'refs',
      });
    }
    const results = new Array<WaitAllResult<RefOf<D>, Status>>(list.length);
    let pending = list.length;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const { signal } = waitOptions;
    const waits: ReturnType<Watcher<Status>['add']>[] = [];
    const settleAt = (index: number, result: WaitAllResult<RefOf<D>, Status>) => {
      results[index] = result;
      pending -= 1;
      try {
        onResult?.(result, index);
      } finally {
        if (pending === 0) finish();
      }
    };
    // A bad policy would fail every upload the same way: it rejects the call instead, before any request.
    const plan = planOf(waitOptions, concurrency === undefined ? undefined : new WaitGroup(concurrency), (wait, outcome) => {
      settleAt(wait.index, outcome.ok ? { ref: wait.ref as RefOf<D>, ok: true, status: outcome.status } : { ref: wait.ref as RefOf<D>, ok: false, error: outcome.error });
    });
    if (pending === 0) return results;
    const onAbort = () => {
      for (const wait of waits) watcherOf().abort(wait);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let index = 0; index < list.length; index++) {
        const input = list[index] as string | RefOf<D>;
        let ref: RefOf<D>;
        try {
          ref = refs.toRef(input);
        } catch (error) {
          // The ref as given, when it does not parse.
          settleAt(index, { ref: input, ok: false, error: error instanceof Error ? error : new Error(String(error), { cause: error }) });
          continue;
        }
        if (signal?.aborted) {
          settleAt(index, {
            ref,
            ok: false,
            error: new AbortError(`Waiting for upload ${refs.format(ref)} was aborted after 0 checks.`, { provider: ref.provider, cause: signal.reason, checks: 0 }),
          });
          continue;
        }
        waits.push(watcherOf().add(ref, plan, index));
      }
      await finished;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return results;
  }

  function resume(checkpoint: UploadWaitCheckpoint, options: WaitOptions<Status> = {}): Promise<Status> {
    if (typeof (checkpoint as Partial<UploadWaitCheckpoint> | undefined)?.ref !== 'string') {
      return Promise.reject(
        new InvalidArgumentError(
          `resume: checkpoint.ref must be a ref string; expected the object passed to onCheckpoint (ref in the form ${Object.values(refs.formats).join(' or ')}).`,
          { provider: 'upstat', argument: 'checkpoint.ref' },
        ),
      );
    }
    return watchOne(checkpoint.ref, options, checkpoint);
  }

  const instance: Upstat<D> = {
    providers,
    status,
    wait: (ref: string | RefOf<D>, options: WaitOptions<Status> = {}) => watchOne(ref, options),
    watch: (ref: string | RefOf<D>, options: WaitOptions<Status> = {}) => watchOne(ref, options),
    get watching() {
      return watcher?.size ?? 0;
    },
    waitAll,
    resume,
    parseRef: refs.parse,
    formatRef: refs.format,
    refFormats: refs.formats,
  };
  DRIVERS.set(instance, {
    check: (text, { signal, requestTimeoutMs, deadline }) =>
      fetchStatus(refs.toRef(text), { signal, retry: false, timeoutMs: requestTimeoutMs, deadline }),
    subject: (text) => {
      const ref = refs.toRef(text);
      return { provider: ref.provider, providerName: connectionFor(ref).definition.name, label: `upload ${refs.format(ref)}` };
    },
  });
  return instance;
}

/** What a driver of core's wait engine that lives outside this package (`@upstat/queue`'s job step) needs of a facade. */
export interface WaitDriverHooks<S extends ProviderStatus = ProviderStatus> {
  /**
   * One status request for a ref string, sent once (the engine decides what follows a failure) and cut off at
   * `deadline`. It is not counted in the instance's request budget: the driver keeps its own (the queue's, in Redis).
   */
  check(ref: string, options: { signal?: AbortSignal | undefined; requestTimeoutMs?: number | undefined; deadline: number }): Promise<S>;
  /** Who a wait on `ref` is for, as the engine's errors name it. */
  subject(ref: string): WaitSubject;
}

const DRIVERS = new WeakMap<object, WaitDriverHooks>();

/** The hooks a driver of the wait engine needs of a facade made by `createUpstat` (undefined for anything else). */
export function waitDriver<D extends AnyDefinition>(upstat: Upstat<D>): WaitDriverHooks<StatusOf<D>> | undefined {
  return DRIVERS.get(upstat) as WaitDriverHooks<StatusOf<D>> | undefined;
}

/** A plan's `settle` until `settled` sets the real one. */
function unsettled(): void {
  throw new Error('unreachable: a wait settled before its promise existed');
}

/** The plan of one wait that a promise stands for: what settles it is kept on the plan, not in closures. */
interface PromisedPlan<S extends ProviderStatus> extends WatchPlan<S> {
  resolve: (status: S) => void;
  reject: (error: Error) => void;
  onAbort: (() => void) | undefined;
}

/** `settle` of a promised plan, called as its method. */
function settlePromise<S extends ProviderStatus>(this: PromisedPlan<S>, _wait: unknown, outcome: WaitOutcome<S>): void {
  if (this.onAbort !== undefined) this.signal?.removeEventListener('abort', this.onAbort);
  if (outcome.ok) this.resolve(outcome.status);
  else this.reject(outcome.error);
}

/**
 * Adds a wait and gives its outcome as a promise. The plan holds the promise's resolve and reject and a shared
 * `settle`, so that a waiting promise costs no closure of its own beyond the abort listener a signal needs: waits
 * are many, and a closure would also keep whatever its scope holds (the caller's options among them).
 */
function settled<S extends ProviderStatus>(
  watcher: Watcher<S>,
  ref: { provider: string },
  plan: WatchPlan<S>,
  resume: { checkpoint: WaitCheckpoint; timeoutMs: number | undefined } | undefined,
): Promise<S> {
  const promised = plan as PromisedPlan<S>;
  const promise = new Promise<S>((resolve, reject) => {
    promised.resolve = resolve;
    promised.reject = reject;
  });
  promised.onAbort = undefined;
  promised.settle = settlePromise;
  const wait = watcher.add(ref, plan, 0, resume);
  const { signal } = plan;
  if (signal !== undefined && wait.phase !== 'done') {
    promised.onAbort = () => {
      watcher.abort(wait);
    };
    signal.addEventListener('abort', promised.onAbort, { once: true });
  }
  return promise;
}

/**
 * Each provider's budget, resolved (defaults filled in, every field checked): a `ConfigurationError` for a budget
 * that names no provider of this instance, or a bad field.
 */
function checkBudgets(given: unknown, connected: ReadonlyMap<string, unknown>): Map<string, ResolvedRequestBudget> {
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    throw new ConfigurationError(
      `createUpstat: budget must be an object of budgets by provider id, e.g. { ${[...connected.keys()][0] ?? 'pandadoc'}: { requestsPerSecond: 10, concurrency: 4 } }.`,
      { provider: 'upstat' },
    );
  }
  const byProvider = (given ?? {}) as Record<string, RequestBudget | undefined>;
  for (const id of Object.keys(byProvider)) {
    if (!connected.has(id)) {
      throw new ConfigurationError(
        `createUpstat: budget.${capText(id, 40)} names no provider of this instance (${[...connected.keys()].join(', ')}).`,
        { provider: 'upstat' },
      );
    }
  }
  return new Map([...connected.keys()].map((id) => [id, resolveRequestBudget(id, byProvider[id])]));
}

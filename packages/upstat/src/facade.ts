import {
  capText,
  checkWaitPolicy,
  ConfigurationError,
  InvalidArgumentError,
  readStatus,
  UnexpectedResponseError,
  UploadFailedError,
  waitUntil,
  type AnyDefinition,
  type BodyOf,
  type CallOptions,
  type CanonicalState,
  type ProviderPlugin,
  type ProviderStatus,
  type RefOf,
  type ResponseInfo,
  type RequestHook,
  type SharedClientOptions,
  type StatusFetcher,
  type StatusOf,
  type WaitCheckpoint,
  type WaitPolicyOptions,
} from '@upstat/core';
import { createRefCodec, type RefCodec } from './refs.js';

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
  /** Defaults for every wait (`timeoutMs`, `minDelayMs`, `maxDelayMs`). */
  wait?: WaitPolicyOptions | undefined;
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

export interface WaitOptions<S = ProviderStatus> extends WaitPolicyOptions, StatusOptions {
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
}

export interface WaitAllOptions<S = ProviderStatus> extends WaitOptions<S> {
  /** How many uploads are waited for at the same time. Default 4. */
  concurrency?: number | undefined;
}

/**
 * One entry of `waitAll`'s result, in the order of the refs given. `error` is an `UpstatError`, unless
 * it was thrown by your own `onUpdate`/`onCheckpoint` callback, which is passed through as it was.
 */
export type WaitAllResult<R = unknown, S = ProviderStatus> = { ref: R | string; ok: true; status: S } | { ref: R | string; ok: false; error: Error };

export interface Upstat<D extends AnyDefinition = AnyDefinition> {
  /** The ids of the providers this instance answers for. */
  readonly providers: readonly D['id'][];
  /** Checks one upload once. */
  status<R extends RefOf<D>>(ref: R, options?: StatusOptions): Promise<StatusFor<D, R>>;
  status(ref: string | RefOf<D>, options?: StatusOptions): Promise<StatusOf<D>>;
  /**
   * Checks until the upload reaches a terminal state (or one of `stopOn`). Resolves with the status for
   * accepted states (default: `succeeded`); rejects with `UploadFailedError` for other terminal states,
   * `WaitTimeoutError` (with the last status) at `timeoutMs`, `AbortError` when the signal fires.
   */
  wait<R extends RefOf<D>>(ref: R, options?: WaitOptions<StatusFor<D, R>>): Promise<StatusFor<D, R>>;
  wait(ref: string | RefOf<D>, options?: WaitOptions<StatusOf<D>>): Promise<StatusOf<D>>;
  /**
   * Waits for many uploads, at most `concurrency` at once. Each result says ok or error, in the order of the
   * refs: no upload's failure rejects the whole. Only invalid options (a `concurrency` that is not a whole
   * number ≥ 1, a bad wait policy) reject, at once and before any request.
   */
  waitAll(refs: readonly (string | RefOf<D>)[], options?: WaitAllOptions<StatusOf<D>>): Promise<WaitAllResult<RefOf<D>, StatusOf<D>>[]>;
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

  function connectionFor(ref: { provider: string }): Connected {
    // toRef only returns refs of connected providers.
    return connected.get(ref.provider) as Connected;
  }

  async function status(input: string | RefOf<D>, options: StatusOptions = {}, deadline?: number): Promise<Status> {
    const ref = refs.toRef(input);
    const { definition, fetch } = connectionFor(ref);
    // Filled in with the request id of the response the status is read from.
    const response: ResponseInfo = {};
    const body: unknown = await fetch(ref, {
      signal: options.signal,
      retry: options.retry,
      timeoutMs: options.requestTimeoutMs,
      deadline,
      response,
    });
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

  /** The wait policy a call gets: the instance's defaults under the call's own options. */
  function waitPolicyOf(options: WaitPolicyOptions): WaitPolicyOptions {
    return {
      ...config.wait,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.minDelayMs === undefined ? {} : { minDelayMs: options.minDelayMs }),
      ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
    };
  }

  async function waitFor(input: string | RefOf<D>, options: WaitOptions<Status>, resumeFrom?: WaitCheckpoint): Promise<Status> {
    const ref = refs.toRef(input);
    const { definition } = connectionFor(ref);
    const label = `upload ${refs.format(ref)}`;
    const accept = options.accept ?? ['succeeded'];
    const stopOn = options.stopOn ?? [];
    const final = await waitUntil<Status>(
      ({ signal, deadline }) => status(ref, { signal, retry: options.retry, requestTimeoutMs: options.requestTimeoutMs }, deadline),
      (current) => ({ state: current.state, progress: current.progress?.fraction, done: current.terminal || stopOn.includes(current.state) }),
      { provider: ref.provider, label },
      {
        ...waitPolicyOf(options),
        signal: options.signal,
        onUpdate: options.onUpdate,
        onCheckpoint: options.onCheckpoint && ((checkpoint) => options.onCheckpoint?.({ ...checkpoint, ref: refs.format(ref) })),
        resume: resumeFrom,
        clock,
        random,
      },
    );
    if (accept.includes(final.state) || stopOn.includes(final.state)) return final;
    // The vendor's value and detail come from a body the client has already redacted; they are only shortened.
    throw new UploadFailedError<Status>(
      `${label} ended ${final.state} (${definition.name} status ${JSON.stringify(capText(String(final.raw.state), 100))})` +
        `${final.detail ? `: ${capText(final.detail, 300)}` : ''}.`,
      { provider: ref.provider, state: final.state, finalStatus: final },
    );
  }

  async function waitAll(
    list: readonly (string | RefOf<D>)[],
    options: WaitAllOptions<Status> = {},
  ): Promise<WaitAllResult<RefOf<D>, Status>[]> {
    const { concurrency = 4, ...waitOptions } = options;
    // JavaScript callers can pass anything.
    const given: unknown = concurrency;
    if (typeof given !== 'number' || !Number.isInteger(given) || given < 1) {
      throw new InvalidArgumentError(
        `waitAll: concurrency must be a whole number ≥ 1, got ${typeof given === 'number' ? String(given) : typeof given}.`,
        { provider: 'upstat', argument: 'concurrency' },
      );
    }
    // A bad policy would fail every upload the same way: it rejects the call instead, before any request.
    checkWaitPolicy('upstat', waitPolicyOf(waitOptions));
    const items: unknown = list;
    if (!Array.isArray(items)) {
      throw new InvalidArgumentError(`waitAll: refs must be an array, got ${items === null ? 'null' : typeof items}.`, {
        provider: 'upstat',
        argument: 'refs',
      });
    }
    const results = new Array<WaitAllResult<RefOf<D>, Status>>(list.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < list.length; index = next++) {
        const input = list[index] as string | RefOf<D>;
        // The ref as parsed when it parses, as given when it does not.
        let ref: RefOf<D> | string = input;
        try {
          ref = refs.toRef(input);
          results[index] = { ref, ok: true, status: await waitFor(ref, waitOptions) };
        } catch (error) {
          results[index] = { ref, ok: false, error: error instanceof Error ? error : new Error(String(error), { cause: error }) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
    return results;
  }

  async function resume(checkpoint: UploadWaitCheckpoint, options: WaitOptions<Status> = {}): Promise<Status> {
    if (typeof (checkpoint as Partial<UploadWaitCheckpoint> | undefined)?.ref !== 'string') {
      throw new InvalidArgumentError(
        `resume: checkpoint.ref must be a ref string; expected the object passed to onCheckpoint (ref in the form ${Object.values(refs.formats).join(' or ')}).`,
        { provider: 'upstat', argument: 'checkpoint.ref' },
      );
    }
    return waitFor(checkpoint.ref, options, checkpoint);
  }

  return {
    providers,
    status,
    wait: (ref: string | RefOf<D>, options: WaitOptions<Status> = {}) => waitFor(ref, options),
    waitAll,
    resume,
    parseRef: refs.parse,
    formatRef: refs.format,
    refFormats: refs.formats,
  };
}

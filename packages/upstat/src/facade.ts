import {
  capText,
  checkWaitPolicy,
  ConfigurationError,
  InvalidArgumentError,
  UploadFailedError,
  waitUntil,
  type BaseClientOptions,
  type CallOptions,
  type WaitCheckpoint,
  type WaitPolicyOptions,
} from '@upstat/core';
import { ADAPTERS, toStatus, type ProviderOptions } from './providers.js';
import { formatRef, PROVIDER_IDS, REF_FORMATS, toRef, type ProviderId, type RefFor, type UploadRef } from './refs.js';
import { type CanonicalState } from './states.js';
import type { AnyStatus, ProviderBodies, Status } from './status.js';

/** Client options shared by every provider (a provider's own options win). */
export type SharedClientOptions = Pick<BaseClientOptions, 'fetch' | 'retry' | 'timeoutMs' | 'clock' | 'random' | 'maxResponseBytes'>;

export interface UpstatConfig extends Partial<ProviderOptions> {
  /** Applied to every provider's client: fetch, retry policy, per-attempt timeout, body limit, clock. */
  defaults?: SharedClientOptions | undefined;
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

export interface WaitOptions<R extends UploadRef = UploadRef> extends WaitPolicyOptions, StatusOptions {
  /** Non-terminal states that end the wait and are returned, e.g. `['action_required']`. */
  stopOn?: readonly CanonicalState[] | undefined;
  /**
   * Terminal states that are returned. Any other terminal state rejects with `UploadFailedError`
   * carrying the final status. Default `['succeeded']`.
   */
  accept?: readonly CanonicalState[] | undefined;
  /** Called whenever the state or the progress changes (and with the first status). */
  onUpdate?: ((status: Status<R>) => void) | undefined;
  /** Called after every check with a JSON checkpoint to persist for `resume`. */
  onCheckpoint?: ((checkpoint: UploadWaitCheckpoint) => void) | undefined;
}

export interface WaitAllOptions extends WaitOptions {
  /** How many uploads are waited for at the same time. Default 4. */
  concurrency?: number | undefined;
}

/**
 * One entry of `waitAll`'s result, in the order of the refs given. `error` is an `UpstatError`, unless
 * it was thrown by your own `onUpdate`/`onCheckpoint` callback, which is passed through as it was.
 */
export type WaitAllResult =
  | { ref: UploadRef | string; ok: true; status: AnyStatus }
  | { ref: UploadRef | string; ok: false; error: Error };

export interface Upstat {
  /** The providers this instance was given options for. */
  readonly providers: readonly ProviderId[];
  /** Checks one upload once. */
  status<R extends UploadRef>(ref: R, options?: StatusOptions): Promise<Status<R>>;
  status(ref: string | UploadRef, options?: StatusOptions): Promise<AnyStatus>;
  /**
   * Checks until the upload reaches a terminal state (or one of `stopOn`). Resolves with the status for
   * accepted states (default: `succeeded`); rejects with `UploadFailedError` for other terminal states,
   * `WaitTimeoutError` (with the last status) after `timeoutMs`, `AbortError` when the signal fires.
   */
  wait<R extends UploadRef>(ref: R, options?: WaitOptions<R>): Promise<Status<R>>;
  wait(ref: string | UploadRef, options?: WaitOptions): Promise<AnyStatus>;
  /**
   * Waits for many uploads, at most `concurrency` at once. Each result says ok or error, in the order of the
   * refs: no upload's failure rejects the whole. Only invalid options (a `concurrency` that is not a whole
   * number ≥ 1, a bad wait policy) reject, at once and before any request.
   */
  waitAll(refs: readonly (string | UploadRef)[], options?: WaitAllOptions): Promise<WaitAllResult[]>;
  /** Carries on a wait from a checkpoint written by `onCheckpoint` (in this or another process). */
  resume(checkpoint: UploadWaitCheckpoint, options?: WaitOptions): Promise<AnyStatus>;
}

type Fetchers = { [P in ProviderId]?: (ref: RefFor<P>, call: CallOptions) => Promise<ProviderBodies[P]> };

/**
 * Creates the facade over the providers given options for, e.g.
 * `createUpstat({ pandadoc: { apiKey }, nullspace: { apiKey, baseUrl } })`.
 * Each provider's client is created (and its credential checked) here.
 */
export function createUpstat(config: UpstatConfig): Upstat {
  const fetchers: Fetchers = {};
  for (const id of PROVIDER_IDS) {
    const options = config[id];
    if (options === undefined) continue;
    const adapter = ADAPTERS[id] as unknown as { fetcher(options: unknown): unknown };
    (fetchers as Record<ProviderId, unknown>)[id] = adapter.fetcher({ ...config.defaults, ...options });
  }
  const providers = PROVIDER_IDS.filter((id) => fetchers[id] !== undefined);
  if (providers.length === 0) {
    throw new ConfigurationError(
      `createUpstat: no provider configured. Pass options for at least one of ${PROVIDER_IDS.join(', ')}, e.g. { pandadoc: { apiKey } }.`,
      { provider: 'upstat' },
    );
  }
  const clock = config.defaults?.clock;
  const random = config.defaults?.random;

  function fetcherFor<P extends ProviderId>(ref: RefFor<P>) {
    const fetcher = fetchers[ref.provider];
    if (fetcher === undefined) {
      const name = ADAPTERS[ref.provider].name;
      throw new ConfigurationError(
        `${name} is not configured: pass \`${ref.provider}: { ... }\` with its credential to createUpstat (configured: ${providers.join(', ')}).`,
        { provider: ref.provider },
      );
    }
    return fetcher;
  }

  async function status(input: string | UploadRef, options: StatusOptions = {}, deadline?: number): Promise<AnyStatus> {
    const ref = toRef(input);
    const fetcher = fetcherFor(ref);
    const body = await fetcher(ref as never, {
      signal: options.signal,
      retry: options.retry,
      timeoutMs: options.requestTimeoutMs,
      deadline,
    });
    return toStatus(ref, body as never);
  }

  /** The wait policy a call gets: the instance's defaults under the call's own options. */
  function waitPolicyOf(options: WaitOptions) {
    return {
      ...config.wait,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.minDelayMs === undefined ? {} : { minDelayMs: options.minDelayMs }),
      ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
    };
  }

  async function waitFor(input: string | UploadRef, options: WaitOptions, resumeFrom?: WaitCheckpoint): Promise<AnyStatus> {
    const ref = toRef(input);
    fetcherFor(ref); // fail fast for an unconfigured provider
    const label = `upload ${formatRef(ref)}`;
    const accept = options.accept ?? ['succeeded'];
    const stopOn = options.stopOn ?? [];
    const final = await waitUntil<AnyStatus>(
      ({ signal, deadline }) => status(ref, { signal, retry: options.retry, requestTimeoutMs: options.requestTimeoutMs }, deadline),
      (current) => ({ state: current.state, progress: current.progress?.fraction, done: current.terminal || stopOn.includes(current.state) }),
      { provider: ref.provider, label },
      {
        ...waitPolicyOf(options),
        signal: options.signal,
        onUpdate: options.onUpdate as ((status: AnyStatus) => void) | undefined,
        onCheckpoint: options.onCheckpoint && ((checkpoint) => options.onCheckpoint?.({ ...checkpoint, ref: formatRef(ref) })),
        resume: resumeFrom,
        clock,
        random,
      },
    );
    if (accept.includes(final.state) || stopOn.includes(final.state)) return final;
    // The vendor's value and detail come from a body the client has already redacted; they are only shortened.
    throw new UploadFailedError<AnyStatus>(
      `${label} ended ${final.state} (${ADAPTERS[ref.provider].name} status ${JSON.stringify(capText(String(final.raw.state), 100))})` +
        `${final.detail ? `: ${capText(final.detail, 300)}` : ''}.`,
      { provider: ref.provider, state: final.state, finalStatus: final },
    );
  }

  async function waitAll(refs: readonly (string | UploadRef)[], options: WaitAllOptions = {}): Promise<WaitAllResult[]> {
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
    const list: unknown = refs;
    if (!Array.isArray(list)) {
      throw new InvalidArgumentError(`waitAll: refs must be an array, got ${list === null ? 'null' : typeof list}.`, {
        provider: 'upstat',
        argument: 'refs',
      });
    }
    const results = new Array<WaitAllResult>(refs.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < refs.length; index = next++) {
        const input = refs[index] as string | UploadRef;
        // The ref as parsed when it parses, as given when it does not.
        let ref: UploadRef | string = input;
        try {
          ref = toRef(input);
          results[index] = { ref, ok: true, status: await waitFor(ref, waitOptions) };
        } catch (error) {
          results[index] = { ref, ok: false, error: error instanceof Error ? error : new Error(String(error), { cause: error }) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
    return results;
  }

  async function resume(checkpoint: UploadWaitCheckpoint, options: WaitOptions = {}): Promise<AnyStatus> {
    if (typeof (checkpoint as Partial<UploadWaitCheckpoint> | undefined)?.ref !== 'string') {
      throw new InvalidArgumentError(
        `resume: checkpoint.ref must be a ref string; expected the object passed to onCheckpoint (ref in the form ${REF_FORMATS.pandadoc}, ...).`,
        { provider: 'upstat', argument: 'checkpoint.ref' },
      );
    }
    return waitFor(checkpoint.ref, options, checkpoint);
  }

  return {
    providers,
    status,
    wait: (ref: string | UploadRef, options: WaitOptions = {}) => waitFor(ref, options),
    waitAll,
    resume,
  };
}

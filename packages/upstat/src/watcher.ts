import {
  AbortError,
  ApiError,
  decideRetry,
  DeadlineExceededError,
  nextCheckDelay,
  RateLimitError,
  recordProgress,
  RequestGate,
  TimerQueue,
  UpstatError,
  waitTimeoutError,
  type AnyRef,
  type CanonicalState,
  type Clock,
  type ProgressSample,
  type ProviderStatus,
  type ResolvedRequestBudget,
  type RetryOptions,
  type TimerEntry,
  type WaitPolicy,
} from '@upstat/core';
import type { UploadWaitCheckpoint } from './facade.js';

/**
 * The loop behind `watch` and `waitAll`: any number of waits in one process, held as small records on one timer
 * queue (`@upstat/core`'s `TimerQueue`), their checks started through each provider's `RequestGate`. A wait is
 * in exactly one place at a time: asleep on the queue until its next check, due and in its provider's line (and
 * on the queue at its deadline, so that a long line cannot keep it past it), or checking. Schedule, retries and
 * budget are decided in core (`policy.ts`, `budget.ts`); this module only applies them.
 */

/** One wait's outcome: its status, or the error it ended with. */
export type WaitOutcome<S> = { ok: true; status: S } | { ok: false; error: Error };

/** Everything the waits of one call share: their options, resolved once. */
export interface WatchPlan<S extends ProviderStatus> {
  policy: WaitPolicy;
  retry: RetryOptions;
  accept: readonly CanonicalState[];
  stopOn: readonly CanonicalState[];
  requestTimeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  onUpdate: ((status: S) => void) | undefined;
  onCheckpoint: ((checkpoint: UploadWaitCheckpoint) => void) | undefined;
  /** Requests of this call's waits in flight (or due and in line) at once, at most; see `WaitGroup`. */
  group: WaitGroup | undefined;
  /** Called once for each wait, with its outcome. */
  settle(wait: Wait<S>, outcome: WaitOutcome<S>): void;
}

/** A limit on the requests a set of waits has in flight, whatever their providers (`waitAll`'s `concurrency`). */
export class WaitGroup {
  readonly limit: number;
  active = 0;
  readonly waiting = new Line<Wait<ProviderStatus>>();
  constructor(limit: number) {
    this.limit = limit;
  }
}

/** What the watcher is given by the facade. */
export interface WatcherHost<S extends ProviderStatus> {
  clock: Clock;
  random: () => number;
  /** One status request, sent once (no retries: the watcher decides them), cut off at `deadline`. */
  check(ref: AnyRef, signal: AbortSignal | undefined, requestTimeoutMs: number | undefined, deadline: number): Promise<S>;
  /** The budget of a provider. */
  budget(provider: string): ResolvedRequestBudget;
  /** The error for a terminal state that was not accepted. */
  failure(status: S, label: string): Error;
}

type Phase = 'sleeping' | 'grouped' | 'ready' | 'checking' | 'done';

/** One wait: a plain record (no timer, no closure of its own). */
export interface Wait<S extends ProviderStatus> extends TimerEntry {
  readonly kind: 'wait';
  readonly ref: AnyRef;
  /** The ref's string form. */
  readonly refText: string;
  /** Where the caller keeps this wait's result (`waitAll`'s index). */
  readonly index: number;
  readonly plan: WatchPlan<S>;
  readonly lane: Lane;
  readonly startedAt: number;
  readonly deadline: number;
  phase: Phase;
  /** Asleep until its deadline rather than its next check. */
  expiring: boolean;
  /** Holds a slot of its plan's group. */
  grouped: boolean;
  checks: number;
  /** Failed attempts of the current check. */
  attempt: number;
  last: S | undefined;
  lastProgress: number | undefined;
  progress: ProgressSample[];
}

/** A first-in first-out line with O(1) push and shift; entries that left it by other means are skipped by the reader. */
class Line<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  shift(): T | undefined {
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** One provider: its gate, and its waits that are due, in the order they fell due. */
interface Lane extends TimerEntry {
  readonly kind: 'lane';
  readonly provider: string;
  readonly gate: RequestGate;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- waits of any status type share a provider's line
  readonly ready: Line<Wait<any>>;
}


export class Watcher<S extends ProviderStatus> {
  readonly #host: WatcherHost<S>;
  readonly #lanes = new Map<string, Lane>();
  readonly #timers: TimerQueue<Wait<S> | Lane>;
  #size = 0;

  constructor(host: WatcherHost<S>) {
    this.#host = host;
    this.#timers = new TimerQueue<Wait<S> | Lane>(host.clock, (entry) => {
      if (entry.kind === 'lane') this.#pump(entry);
      else this.#due(entry);
    });
  }

  /** Waits not yet settled. */
  get size(): number {
    return this.#size;
  }

  /** The gate of a provider (made on first use, with the provider's budget). */
  gate(provider: string): RequestGate {
    return this.#lane(provider).gate;
  }

  #lane(provider: string): Lane {
    let lane = this.#lanes.get(provider);
    if (lane === undefined) {
      lane = { kind: 'lane', provider, gate: new RequestGate(provider, this.#host.budget(provider)), ready: new Line(), timerDue: 0, timerIndex: -1 };
      this.#lanes.set(provider, lane);
    }
    return lane;
  }

  /** Starts a wait: its first check is due at once. */
  add(ref: AnyRef, refText: string, plan: WatchPlan<S>, index: number): Wait<S> {
    const now = this.#host.clock.now();
    const wait: Wait<S> = {
      kind: 'wait',
      ref,
      refText,
      index,
      plan,
      lane: this.#lane(ref.provider),
      startedAt: now,
      deadline: now + plan.policy.timeoutMs,
      phase: 'sleeping',
      expiring: false,
      grouped: false,
      checks: 0,
      attempt: 0,
      last: undefined,
      lastProgress: undefined,
      progress: [],
      timerDue: 0,
      timerIndex: -1,
    };
    this.#size += 1;
    this.#fallDue(wait);
    return wait;
  }

  /** Ends a wait with `AbortError` (its check in flight, if any, is left to its signal). */
  abort(wait: Wait<S>): void {
    if (wait.phase === 'done') return;
    this.#settle(wait, {
      ok: false,
      error: new AbortError(`Waiting for upload ${wait.refText} was aborted after ${wait.checks} check(s).`, {
        provider: wait.ref.provider,
        cause: wait.plan.signal?.reason,
      }),
    });
  }

  #timedOut(wait: Wait<S>, cause?: unknown): void {
    this.#settle(wait, {
      ok: false,
      error: waitTimeoutError<S>({
        subject: { provider: wait.ref.provider, label: `upload ${wait.refText}` },
        startedAt: wait.startedAt,
        deadline: wait.deadline,
        at: this.#host.clock.now(),
        checks: wait.checks,
        last: wait.last,
        lastState: wait.last?.state,
        advice: 'Wait longer with a larger timeoutMs.',
        cause,
      }),
    });
  }

  #settle(wait: Wait<S>, outcome: WaitOutcome<S>): void {
    if (wait.phase === 'done') return;
    // A check in flight gives its slots back when it ends; a wait in line gives its group slot back now.
    const checking = wait.phase === 'checking';
    this.#timers.cancel(wait);
    wait.phase = 'done';
    if (!checking && wait.grouped) this.#leaveGroup(wait);
    this.#size -= 1;
    wait.plan.settle(wait, outcome);
  }

  /** A timer of a wait ended: its next check is due, or its deadline has come. */
  #due(wait: Wait<S>): void {
    if (wait.phase === 'sleeping' && !wait.expiring) this.#fallDue(wait);
    else if (wait.phase !== 'done' && wait.phase !== 'checking') this.#timedOut(wait);
  }

  /** The next check is due: into the group's line (when its group is full) or the provider's. */
  #fallDue(wait: Wait<S>): void {
    if (this.#host.clock.now() >= wait.deadline) {
      this.#timedOut(wait);
      return;
    }
    const { group } = wait.plan;
    if (group !== undefined && group.active >= group.limit) {
      wait.phase = 'grouped';
      group.waiting.push(wait as unknown as Wait<ProviderStatus>);
    } else {
      if (group !== undefined) {
        group.active += 1;
        wait.grouped = true;
      }
      wait.phase = 'ready';
      wait.lane.ready.push(wait);
      this.#pump(wait.lane);
    }
    // Still in a line (the pump may have started it): its deadline must end it there.
    if (this.#inLine(wait)) this.#timers.schedule(wait, wait.deadline);
  }

  #inLine(wait: Wait<S>): boolean {
    return wait.phase === 'grouped' || wait.phase === 'ready';
  }

  #leaveGroup(wait: Wait<S>): void {
    const group = wait.plan.group;
    wait.grouped = false;
    if (group === undefined) return;
    group.active -= 1;
    while (group.active < group.limit && group.waiting.length > 0) {
      const next = group.waiting.shift() as unknown as Wait<S>;
      if (next.phase !== 'grouped') continue;
      group.active += 1;
      next.grouped = true;
      next.phase = 'ready';
      next.lane.ready.push(next);
      this.#pump(next.lane);
    }
  }

  /** Starts as many of a provider's due checks as its budget allows now; arms the provider's timer for the rest. */
  #pump(lane: Lane): void {
    const clock = this.#host.clock;
    for (let wait = lane.ready.peek() as Wait<S> | undefined; wait !== undefined; wait = lane.ready.peek() as Wait<S> | undefined) {
      if (wait.phase !== 'ready') {
        lane.ready.shift();
        continue;
      }
      const now = clock.now();
      if (now >= wait.deadline) {
        lane.ready.shift();
        this.#timedOut(wait);
        continue;
      }
      const delay = lane.gate.acquire(now);
      if (delay === 0) {
        lane.ready.shift();
        this.#start(wait);
        continue;
      }
      // A full gate is pumped again by the next release; an empty bucket or a pause, at its end.
      if (Number.isFinite(delay) && !(this.#timers.has(lane) && lane.timerDue <= now + delay)) this.#timers.schedule(lane, now + delay);
      return;
    }
  }

  #start(wait: Wait<S>): void {
    this.#timers.cancel(wait);
    wait.phase = 'checking';
    const { plan } = wait;
    this.#host.check(wait.ref, plan.signal, plan.requestTimeoutMs, wait.deadline).then(
      (status) => {
        this.#checked(wait, status);
      },
      (error: unknown) => {
        this.#failed(wait, error);
      },
    );
  }

  /**
   * A check came back: its slots go back and whoever waits for them goes next; then whether the wait ended while the
   * check was out (settled, or its signal aborted, which ends it now).
   */
  #checkReturned(wait: Wait<S>): boolean {
    wait.lane.gate.release();
    if (wait.grouped) this.#leaveGroup(wait);
    this.#pump(wait.lane);
    if (wait.phase === 'done') return true;
    if (wait.plan.signal?.aborted) {
      this.abort(wait);
      return true;
    }
    return false;
  }

  #checked(wait: Wait<S>, status: S): void {
    if (this.#checkReturned(wait)) return;
    const { plan } = wait;
    const now = this.#host.clock.now();
    wait.checks += 1;
    wait.attempt = 0;
    const previous = wait.last;
    const fraction = status.progress?.fraction;
    wait.last = status;
    wait.progress = recordProgress(wait.progress, now, fraction);
    const done = status.terminal || plan.stopOn.includes(status.state);
    try {
      if (previous?.state !== status.state || wait.lastProgress !== fraction) plan.onUpdate?.(status);
      wait.lastProgress = fraction;
      plan.onCheckpoint?.({
        version: 1,
        startedAt: wait.startedAt,
        deadline: wait.deadline,
        checks: wait.checks,
        lastState: status.state,
        lastProgress: fraction,
        ...(wait.progress.length > 0 ? { progress: [...wait.progress] } : {}),
        ref: wait.refText,
      });
    } catch (error) {
      // The caller's own callback failed: its error ends the wait as it is.
      this.#settle(wait, { ok: false, error: error instanceof Error ? error : new Error(String(error), { cause: error }) });
      return;
    }
    if (done) {
      if (plan.accept.includes(status.state) || plan.stopOn.includes(status.state)) this.#settle(wait, { ok: true, status });
      else this.#settle(wait, { ok: false, error: this.#host.failure(status, `upload ${wait.refText}`) });
      return;
    }
    const remaining = wait.deadline - now;
    if (remaining <= 0) {
      this.#timedOut(wait);
      return;
    }
    const next = nextCheckDelay(now - wait.startedAt, plan.policy, this.#host.random, wait.progress);
    // As in core's waiter: no check starts at or after the deadline; a delay that reaches it ends the wait there.
    wait.phase = 'sleeping';
    wait.expiring = next >= remaining;
    this.#timers.schedule(wait, wait.expiring ? wait.deadline : now + next);
  }

  #failed(wait: Wait<S>, error: unknown): void {
    const now = this.#host.clock.now();
    // A server's wait applies to the provider, for every wait on it, whatever becomes of this one; it is set
    // before the slot goes back, so that no other check starts in between.
    if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
      wait.lane.gate.pause(now + error.retryAfterMs, now);
    }
    if (this.#checkReturned(wait)) return;
    const { plan } = wait;
    if (error instanceof DeadlineExceededError) {
      this.#timedOut(wait, error);
      return;
    }
    if (!(error instanceof UpstatError)) {
      this.#settle(wait, { ok: false, error: error instanceof Error ? error : new Error(String(error), { cause: error }) });
      return;
    }
    const decision = decideRetry(
      {
        error,
        attempt: wait.attempt + 1,
        retryAfterMs: error instanceof ApiError ? error.retryAfterMs : undefined,
        remainingMs: wait.deadline - now,
      },
      plan.retry,
      this.#host.random,
    );
    if (decision.retry) {
      wait.attempt += 1;
      wait.phase = 'sleeping';
      wait.expiring = false;
      this.#timers.schedule(wait, now + decision.delayMs);
    } else if (decision.reason === 'deadline') {
      this.#timedOut(wait, error);
    } else {
      this.#settle(wait, { ok: false, error });
    }
  }
}

import {
  RequestGate,
  TimerQueue,
  checkpointOf,
  deadlineRank,
  startWait,
  stepWait,
  type AnyRef,
  type AttemptGate,
  type Clock,
  type ProviderStatus,
  type ResolvedRequestBudget,
  type TimerEntry,
  type UpstatError,
  type WaitCheckpoint,
  type WaitEvent,
  type WaitOutcome,
  type WaitRules,
  type WaitState,
  type WaitStep,
  type WaitSubject,
} from '@upstat/core';
import type { UploadWaitCheckpoint } from './facade.js';

/**
 * The driver of every wait in one process (`wait`, `watch`, `waitAll`, `resume`, and so the CLI): any number of
 * waits held as small records on one timer queue (`@upstat/core`'s `TimerQueue`), their checks started through each
 * provider's `RequestGate` — the one budget every call of the facade instance draws on, `status` included (through
 * `attempts`). A wait is in exactly one place at a time: asleep on the queue until the step's time, due and in its
 * provider's line (and on the queue at its deadline, so that a long line cannot keep it past it), or checking.
 *
 * Every decision of a wait is core's `stepWait` (`wait-step.ts`): this module feeds it what happened and does what it
 * says. It decides nothing but the order of a provider's line: core's `deadlineRank` (see `DeadlineLine`).
 */

export type { WaitOutcome };

/** Everything the waits of one call share: their options, resolved once. */
export interface WatchPlan<S extends ProviderStatus> {
  rules: WaitRules;
  requestTimeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  onUpdate: ((status: S, index: number) => void) | undefined;
  onCheckpoint: ((checkpoint: UploadWaitCheckpoint, index: number) => void) | undefined;
  onRetry: ((error: UpstatError, index: number) => void) | undefined;
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
  /** One status request, sent once (the step decides what follows a failure), cut off at `deadline`. */
  check(ref: AnyRef, signal: AbortSignal | undefined, requestTimeoutMs: number | undefined, deadline: number): Promise<S>;
  /** The budget of a provider. */
  budget(provider: string): ResolvedRequestBudget;
  /** The provider's display name, for the errors a wait ends with. */
  providerName(provider: string): string;
  /** A ref's string form (made when needed rather than kept: waits are many). */
  formatRef(ref: AnyRef): string;
}

type Phase = 'sleeping' | 'grouped' | 'ready' | 'checking' | 'done';

/** One wait: a plain record (no timer, no closure of its own). */
export interface Wait<S extends ProviderStatus> extends TimerEntry {
  readonly kind: 'wait';
  readonly ref: AnyRef;
  /** Where the caller keeps this wait's result (`waitAll`'s index). */
  readonly index: number;
  readonly plan: WatchPlan<S>;
  readonly lane: Lane;
  state: WaitState<S>;
  phase: Phase;
  /** Asleep until its deadline rather than its next check. */
  expiring: boolean;
  /** Holds a slot of its plan's group. */
  grouped: boolean;
}

/** A single call's attempt (`status`) waiting in its provider's line for the budget. */
interface Admission {
  readonly kind: 'attempt';
  /** Let it through (false when it left the line because its signal aborted). */
  admit(): boolean;
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

/**
 * A provider's line of what is due, in core's order (`deadlineRank`: earliest deadline first, to the minute, first
 * come within a minute). A single call's attempt (`status`) ranks by its arrival: it has someone waiting on it now.
 * A binary heap of (rank, arrival) pairs: core's `TimerQueue` keeps its bookkeeping on its entries, and a wait in
 * line is on that queue too (at its deadline).
 */
class DeadlineLine<T> {
  readonly #heap: { item: T; rank: number; arrival: number }[] = [];
  #arrivals = 0;
  get length(): number {
    return this.#heap.length;
  }
  peek(): T | undefined {
    return this.#heap[0]?.item;
  }
  /** Adds `item`, whose deadline (or arrival, for an attempt) is `deadline`. */
  push(item: T, deadline: number): void {
    const heap = this.#heap;
    const node = { item, rank: deadlineRank(deadline), arrival: this.#arrivals++ };
    let index = heap.length;
    heap.push(node);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(node, heap[parent] as typeof node)) break;
      heap[index] = heap[parent] as typeof node;
      index = parent;
    }
    heap[index] = node;
  }
  shift(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top?.item;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as typeof last, heap[left] as typeof last) ? right : left;
      if (!before(heap[child] as typeof last, last)) break;
      heap[index] = heap[child] as typeof last;
      index = child;
    }
    heap[index] = last;
    return top.item;
  }
}

function before(a: { rank: number; arrival: number }, b: { rank: number; arrival: number }): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.arrival < b.arrival);
}

/** One provider: its gate, and what is due to be sent to it (see `DeadlineLine`). */
interface Lane extends TimerEntry {
  readonly kind: 'lane';
  readonly provider: string;
  readonly gate: RequestGate;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- waits of any status type share a provider's line
  readonly ready: DeadlineLine<Wait<any> | Admission>;
  /** The gate as single calls see it (made on first use). */
  attempts: AttemptGate | undefined;
}

/** Due, and waiting for its turn (its group's or its provider's). */
function inLine(wait: { phase: Phase }): boolean {
  return wait.phase === 'grouped' || wait.phase === 'ready';
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
      else this.#woke(entry);
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

  /**
   * The provider's budget for the attempts of single calls (`status`): each takes its turn in the same line as the
   * waits' checks, and a 429 it gets pauses them all.
   */
  attempts(provider: string): AttemptGate {
    const lane = this.#lane(provider);
    lane.attempts ??= {
      enter: (signal) => this.#enter(lane, signal),
      leave: (error) => {
        this.#left(lane, error);
      },
    };
    return lane.attempts;
  }

  #lane(provider: string): Lane {
    let lane = this.#lanes.get(provider);
    if (lane === undefined) {
      lane = {
        kind: 'lane',
        provider,
        gate: new RequestGate(provider, this.#host.budget(provider)),
        ready: new DeadlineLine(),
        attempts: undefined,
        timerDue: 0,
        timerIndex: -1,
      };
      this.#lanes.set(provider, lane);
    }
    return lane;
  }

  /** Starts a wait (or carries one on from a checkpoint): the step says when its first check is due. */
  add(ref: AnyRef, plan: WatchPlan<S>, index: number, resume?: { checkpoint: WaitCheckpoint; timeoutMs: number | undefined }): Wait<S> {
    const wait: Wait<S> = {
      kind: 'wait',
      ref,
      index,
      plan,
      lane: this.#lane(ref.provider),
      state: startWait<S>(plan.rules.policy, this.#host.clock.now(), resume),
      phase: 'sleeping',
      expiring: false,
      grouped: false,
      timerDue: 0,
      timerIndex: -1,
    };
    this.#size += 1;
    this.#feed(wait, { type: 'due' });
    return wait;
  }

  /** Ends a wait with `AbortError` carrying what it saw (its check in flight, if any, is left to its signal). */
  abort(wait: Wait<S>): void {
    if (wait.phase !== 'done') this.#feed(wait, { type: 'aborted', reason: wait.plan.signal?.reason });
  }

  #subject(wait: Wait<S>): WaitSubject {
    const { provider } = wait.ref;
    return { provider, providerName: this.#host.providerName(provider), label: `upload ${this.#host.formatRef(wait.ref)}` };
  }

  /**
   * Runs the step for an event and tells the caller's callbacks what it saw; returns the step, or undefined when a
   * callback threw (its error has ended the wait, as it is).
   */
  #step(wait: Wait<S>, event: WaitEvent<S>): WaitStep<S> | undefined {
    const before = wait.state;
    const step = stepWait(wait.plan.rules, before, event, this.#host.clock.now(), this.#subject(wait), this.#host.random);
    wait.state = step.state;
    if (step.state === before) return step;
    const { plan } = wait;
    try {
      if (step.update !== undefined) plan.onUpdate?.(step.update, wait.index);
      if (step.retrying !== undefined) plan.onRetry?.(step.retrying as UpstatError, wait.index);
      if (step.state.checks !== before.checks) plan.onCheckpoint?.({ ...checkpointOf(step.state), ref: this.#host.formatRef(wait.ref) }, wait.index);
    } catch (error) {
      this.#settle(wait, { ok: false, error: error instanceof Error ? error : new Error(String(error), { cause: error }) });
      return undefined;
    }
    return step;
  }

  #feed(wait: Wait<S>, event: WaitEvent<S>): void {
    const step = this.#step(wait, event);
    if (step === undefined) return;
    const { action } = step;
    if (action.type === 'settle') this.#settle(wait, action.outcome);
    else if (action.type === 'check') this.#fallDue(wait);
    else {
      wait.phase = 'sleeping';
      wait.expiring = action.expire;
      this.#timers.schedule(wait, action.until);
    }
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

  /** A timer of a wait ended: the sleep the step asked for, or the deadline of a wait still in line. */
  #woke(wait: Wait<S>): void {
    if (wait.phase === 'sleeping') this.#feed(wait, { type: wait.expiring ? 'deadline' : 'due' });
    else if (inLine(wait)) this.#feed(wait, { type: 'deadline' });
  }

  /** The step asked for a check: into the group's line (when its group is full) or the provider's. */
  #fallDue(wait: Wait<S>): void {
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
      wait.lane.ready.push(wait, wait.state.deadline);
      this.#pump(wait.lane);
    }
    // Still in a line (the pump may have started it): its deadline must end it there.
    if (inLine(wait)) this.#timers.schedule(wait, wait.state.deadline);
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
      next.lane.ready.push(next, next.state.deadline);
      this.#pump(next.lane);
    }
  }

  /** Starts as much of a provider's line as its budget allows now; arms the provider's timer for the rest. */
  #pump(lane: Lane): void {
    const clock = this.#host.clock;
    for (let entry = lane.ready.peek(); entry !== undefined; entry = lane.ready.peek()) {
      if (entry.kind === 'wait') {
        const wait = entry as Wait<S>;
        if (wait.phase !== 'ready') {
          lane.ready.shift();
          continue;
        }
        // The step has the last word on whether a check may still start (the deadline may have come in line).
        const step = this.#step(wait, { type: 'due' });
        if (step?.action.type !== 'check') {
          lane.ready.shift();
          if (step?.action.type === 'settle') this.#settle(wait, step.action.outcome);
          continue;
        }
      }
      const now = clock.now();
      const delay = lane.gate.acquire(now);
      if (delay === 0) {
        lane.ready.shift();
        if (entry.kind === 'wait') this.#start(entry as Wait<S>);
        else if (!entry.admit()) lane.gate.release();
        continue;
      }
      // A full gate is pumped again by the next release; an empty bucket or a pause, at its end.
      if (Number.isFinite(delay) && !(this.#timers.has(lane) && lane.timerDue <= now + delay)) this.#timers.schedule(lane, now + delay);
      return;
    }
  }

  #enter(lane: Lane, signal: AbortSignal | undefined): Promise<void> | undefined {
    // Nobody in line and the budget allows it: through at once, without a promise (the common case of a lone call).
    if (lane.ready.length === 0 && !signal?.aborted && lane.gate.acquire(this.#host.clock.now()) === 0) return undefined;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      let waiting = true;
      const onAbort = () => {
        waiting = false;
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.ready.push(
        {
          kind: 'attempt',
          admit: () => {
            signal?.removeEventListener('abort', onAbort);
            if (!waiting) return false;
            waiting = false;
            resolve();
            return true;
          },
        },
        this.#host.clock.now(),
      );
      this.#pump(lane);
    });
  }

  #left(lane: Lane, error: unknown): void {
    lane.gate.finish(this.#host.clock.now(), error, this.#host.random);
    this.#pump(lane);
  }

  #start(wait: Wait<S>): void {
    this.#timers.cancel(wait);
    wait.phase = 'checking';
    const { plan } = wait;
    this.#host.check(wait.ref, plan.signal, plan.requestTimeoutMs, wait.state.deadline).then(
      (status) => {
        if (!this.#returned(wait, undefined)) this.#feed(wait, { type: 'checked', status });
      },
      (error: unknown) => {
        if (!this.#returned(wait, error)) this.#feed(wait, { type: 'failed', error });
      },
    );
  }

  /**
   * A check came back: its slots go back (a 429 pausing the provider first, so that nothing slips in) and whoever
   * waits for them goes next. True when the wait ended while the check was out (settled, or its signal aborted,
   * which ends it now).
   */
  #returned(wait: Wait<S>, error: unknown): boolean {
    wait.lane.gate.finish(this.#host.clock.now(), error, this.#host.random);
    if (wait.grouped) this.#leaveGroup(wait);
    this.#pump(wait.lane);
    if (wait.phase === 'done') return true;
    if (wait.plan.signal?.aborted) {
      this.abort(wait);
      return true;
    }
    return false;
  }
}

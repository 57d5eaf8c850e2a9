import type { Clock } from './clock.js';
import { ConfigurationError } from './errors.js';

/**
 * Many scheduled callbacks on one timer: a binary min-heap of due times, driven by a single pending
 * `clock.sleep` for the earliest. Holding ten thousand waits costs ten thousand small heap entries, not ten
 * thousand platform timers and the closures around them. Entries are the caller's own objects (the heap keeps
 * its bookkeeping in two fields of each), so scheduling allocates nothing per entry.
 */

/** What the queue needs on each entry: it owns these two fields, callers only read them. */
export interface TimerEntry {
  /** When the entry is due (epoch ms on the queue's clock); meaningless while it is not scheduled. */
  timerDue: number;
  /** Its position in the heap, −1 while it is not scheduled. */
  timerIndex: number;
}

/** A fresh entry's bookkeeping fields, to spread into an object that is to be scheduled. */
export function timerEntry(): TimerEntry {
  return { timerDue: 0, timerIndex: -1 };
}

export class TimerQueue<Entry extends TimerEntry> {
  readonly #heap: Entry[] = [];
  readonly #clock: Clock;
  readonly #onDue: (entry: Entry) => void;
  /** The pending sleep: when it ends, and how to cancel it. */
  #armed: { due: number; controller: AbortController } | undefined;

  /**
   * `onDue` is called once for each entry whose time has come, after it has left the queue (so it may schedule
   * the entry again). An error it throws does not stop the queue: it is re-thrown from a microtask, where the
   * runtime reports it as uncaught.
   */
  constructor(clock: Clock, onDue: (entry: Entry) => void) {
    if (typeof clock.now !== 'function' || typeof clock.sleep !== 'function') {
      throw new ConfigurationError('TimerQueue: clock must have now() and sleep(ms, signal).', { provider: 'upstat' });
    }
    this.#clock = clock;
    this.#onDue = onDue;
  }

  /** Entries scheduled. */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest due time, or undefined when nothing is scheduled. */
  get nextDue(): number | undefined {
    return this.#heap[0]?.timerDue;
  }

  /** Whether `entry` is scheduled. */
  has(entry: Entry): boolean {
    return entry.timerIndex >= 0 && this.#heap[entry.timerIndex] === entry;
  }

  /** Schedules `entry` at `due` (epoch ms); an entry already scheduled moves to the new time. */
  schedule(entry: Entry, due: number): void {
    if (!Number.isFinite(due)) throw new RangeError(`TimerQueue.schedule: due must be a finite time, got ${String(due)}`);
    if (this.has(entry)) {
      const earlier = due < entry.timerDue;
      entry.timerDue = due;
      if (earlier) this.#up(entry.timerIndex);
      else this.#down(entry.timerIndex);
    } else {
      entry.timerDue = due;
      entry.timerIndex = this.#heap.length;
      this.#heap.push(entry);
      this.#up(entry.timerIndex);
    }
    this.#arm();
  }

  /** Takes `entry` out of the queue; false when it was not scheduled. */
  cancel(entry: Entry): boolean {
    if (!this.has(entry)) return false;
    const index = entry.timerIndex;
    const last = this.#heap.pop() as Entry;
    entry.timerIndex = -1;
    if (last !== entry) {
      this.#heap[index] = last;
      last.timerIndex = index;
      this.#up(index);
      this.#down(last.timerIndex);
    }
    // The pending sleep is left to end on its own unless nothing is left, so that an idle queue holds no timer
    // (and keeps no process alive).
    if (this.#heap.length === 0) this.#disarm();
    return true;
  }

  /** Ensures one sleep is pending for the earliest entry: a new one when the earliest is earlier than the sleep. */
  #arm(): void {
    const head = this.#heap[0];
    if (head === undefined) {
      this.#disarm();
      return;
    }
    if (this.#armed !== undefined && this.#armed.due <= head.timerDue) return;
    this.#disarm();
    const controller = new AbortController();
    const armed = { due: head.timerDue, controller };
    this.#armed = armed;
    this.#clock.sleep(Math.max(0, head.timerDue - this.#clock.now()), controller.signal).then(
      () => {
        if (this.#armed === armed) {
          this.#armed = undefined;
          this.#fire();
        }
      },
      () => {
        // Only a cancelled sleep ends this way; the queue has armed another (or has nothing left to wait for).
      },
    );
  }

  #disarm(): void {
    if (this.#armed === undefined) return;
    this.#armed.controller.abort();
    this.#armed = undefined;
  }

  /** Hands every entry due by now to `onDue`, then sleeps until the next. */
  #fire(): void {
    const now = this.#clock.now();
    // Entries that fall due while this batch runs (scheduled by `onDue` for `now` or earlier) wait for the next
    // turn, so a callback that reschedules for "now" cannot keep this loop going for ever.
    const batch: Entry[] = [];
    for (let head = this.#heap[0]; head !== undefined && head.timerDue <= now; head = this.#heap[0]) {
      this.cancel(head);
      batch.push(head);
    }
    for (const entry of batch) {
      try {
        this.#onDue(entry);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#arm();
  }

  #up(index: number): void {
    const heap = this.#heap;
    const entry = heap[index] as Entry;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as Entry;
      if (parent.timerDue <= entry.timerDue) break;
      heap[index] = parent;
      parent.timerIndex = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.timerIndex = index;
  }

  #down(index: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const entry = heap[index] as Entry;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && (heap[right] as Entry).timerDue < (heap[left] as Entry).timerDue ? right : left;
      const smaller = heap[child] as Entry;
      if (smaller.timerDue >= entry.timerDue) break;
      heap[index] = smaller;
      smaller.timerIndex = index;
      index = child;
    }
    heap[index] = entry;
    entry.timerIndex = index;
  }
}

/**
 * The timer queue on the system clock under vitest's fake timers: entries fire at their due time, in order,
 * once; cancelled ones never; and however many are scheduled, one platform timer is pending (none when idle).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/clock.js';
import { ConfigurationError } from '../src/errors.js';
import { TimerQueue, timerEntry, type TimerEntry } from '../src/timer-queue.js';

interface Item extends TimerEntry {
  name: number;
}

const item = (name: number): Item => ({ name, ...timerEntry() });

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A queue that records each entry it hands over, with the time it did. */
function recording() {
  const fired: { name: number; at: number }[] = [];
  const queue = new TimerQueue<Item>(systemClock, (entry) => fired.push({ name: entry.name, at: Date.now() }));
  return { queue, fired };
}

describe('TimerQueue', () => {
  it('fires each entry once, at its due time, in order, on one pending timer', async () => {
    const { queue, fired } = recording();
    const dues = [500, 20, 20, 7_000, 1, 300, 300, 299];
    dues.forEach((due, name) => {
      queue.schedule(item(name), due);
    });
    expect(queue.size).toBe(dues.length);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    const expected = dues.map((due, name) => ({ name, at: due })).sort((a, b) => a.at - b.at);
    expect(fired.map((entry) => entry.at)).toEqual(expected.map((entry) => entry.at));
    expect(new Set(fired.map((entry) => entry.name)).size).toBe(dues.length);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an entry scheduled earlier than the pending sleep re-arms it: still one timer, the earlier fires first', async () => {
    const { queue, fired } = recording();
    queue.schedule(item(1), 1_000);
    queue.schedule(item(2), 10);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toEqual([{ name: 2, at: 10 }]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(990);
    expect(fired).toEqual([
      { name: 2, at: 10 },
      { name: 1, at: 1_000 },
    ]);
  });

  it('cancel: the entry never fires; an idle queue holds no timer', async () => {
    const { queue, fired } = recording();
    const a = item(1);
    const b = item(2);
    queue.schedule(a, 100);
    queue.schedule(b, 200);
    expect(queue.cancel(a)).toBe(true);
    expect(queue.cancel(a)).toBe(false);
    expect(queue.has(a)).toBe(false);
    expect(queue.has(b)).toBe(true);
    expect(queue.cancel(b)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).toEqual([]);
  });

  it('rescheduling moves an entry, later or earlier, and it fires once', async () => {
    const { queue, fired } = recording();
    const a = item(1);
    queue.schedule(a, 100);
    queue.schedule(item(2), 150);
    queue.schedule(a, 400);
    await vi.advanceTimersByTimeAsync(300);
    expect(fired).toEqual([{ name: 2, at: 150 }]);
    queue.schedule(a, 350);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).toEqual([
      { name: 2, at: 150 },
      { name: 1, at: 350 },
    ]);
  });

  it('an entry rescheduled for "now" by its callback fires on the next turn, not in a loop', async () => {
    let calls = 0;
    const queue = new TimerQueue<Item>(systemClock, (entry) => {
      calls += 1;
      if (calls < 3) queue.schedule(entry, Date.now());
    });
    queue.schedule(item(1), 5);
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toBe(3);
    expect(queue.size).toBe(0);
  });

  it('a callback that throws does not stop the others; its error is re-thrown from a microtask', async () => {
    const thrown: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      thrown.push(task);
    });
    const fired: number[] = [];
    const queue = new TimerQueue<Item>(systemClock, (entry) => {
      if (entry.name === 1) throw new Error('callback failed');
      fired.push(entry.name);
    });
    queue.schedule(item(1), 10);
    queue.schedule(item(2), 10);
    queue.schedule(item(3), 20);
    await vi.advanceTimersByTimeAsync(20);
    expect(fired).toEqual([2, 3]);
    expect(thrown).toHaveLength(1);
    expect(() => thrown[0]?.()).toThrow('callback failed');
  });

  it('rejects a due time that is not finite, and a clock without sleep', () => {
    const { queue } = recording();
    expect(() => {
      queue.schedule(item(1), Number.NaN);
    }).toThrow(RangeError);
    expect(() => {
      queue.schedule(item(1), Number.POSITIVE_INFINITY);
    }).toThrow('due must be a finite time');
    expect(() => new TimerQueue({ now: () => 0 } as never, () => undefined)).toThrow(ConfigurationError);
  });

  it('fast-check: any sequence of schedules, moves and cancels fires exactly the entries left, by due time', async () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('schedule' as const), name: fc.nat(40), due: fc.nat(5_000) }),
      fc.record({ kind: fc.constant('cancel' as const), name: fc.nat(40) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 200 }), async (operations) => {
        vi.setSystemTime(0);
        const { queue, fired } = recording();
        const items = new Map<number, Item>();
        const expected = new Map<number, number>();
        for (const op of operations) {
          const entry = items.get(op.name) ?? item(op.name);
          items.set(op.name, entry);
          if (op.kind === 'schedule') {
            queue.schedule(entry, op.due);
            expected.set(op.name, op.due);
          } else {
            queue.cancel(entry);
            expected.delete(op.name);
          }
        }
        expect(vi.getTimerCount()).toBe(expected.size === 0 ? 0 : 1);
        await vi.advanceTimersByTimeAsync(6_000);
        expect(fired.map((entry) => entry.at)).toEqual([...expected.values()].sort((a, b) => a - b));
        expect(fired.map((entry) => entry.name).sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
        for (const entry of fired) expect(entry.at).toBe(expected.get(entry.name));
        expect(vi.getTimerCount()).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

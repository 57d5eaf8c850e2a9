/**
 * `watch` and `waitAll` on the watcher, against real local HTTP servers on 127.0.0.1: many waits resolve with the
 * outcome the server scripted, the provider's budget holds as the server counts it (requests in flight, requests
 * per second), a 429 with Retry-After to one wait pauses every wait on the provider, an aborted wait is removed,
 * and a wait stuck in the budget's line still ends at its deadline. Assertions are on counts and on the order of
 * what the server saw; the one time bound (the pause) is a lower bound the client's own timer guarantees.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { busiestWindow, seeded, startLocalServer, successExample, type LocalServer } from '@upstat/test-support';
import { definition, nullspace } from '@upstat/nullspace';
import { sendai } from '@upstat/sendai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  ConfigurationError,
  createUpstat,
  RateLimitError,
  ServerError,
  UploadFailedError,
  WaitTimeoutError,
  type UpstatConfig,
  type UploadWaitCheckpoint,
} from '../src/index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** What the server saw: arrival times (ms, this process's monotonic clock), requests per upload, most in flight. */
interface Seen {
  arrivals: number[];
  /** The upload of each request, in the order they arrived. */
  order: string[];
  byUpload: Map<string, number>;
  inFlight: number;
  maxInFlight: number;
}

/** An answer that never comes: the request hangs until the client gives up or the server closes. */
const HANG = Symbol('hang');

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A Send.ai-shaped server: `answer(upload, n)` gives the reply to the n-th request (from 1) for an upload, after
 * `delayMs`, or never when it gives `HANG`. In-flight requests are counted down before the reply is written, so the
 * count never runs ahead of the client's.
 */
async function uploadServer(answer: (upload: string, n: number) => Answer | typeof HANG, delayMs = 2): Promise<{ server: LocalServer; seen: Seen }> {
  const seen: Seen = { arrivals: [], order: [], byUpload: new Map(), inFlight: 0, maxInFlight: 0 };
  const server = await startLocalServer((request: IncomingMessage, response: ServerResponse) => {
    seen.arrivals.push(performance.now());
    seen.inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    const upload = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
    seen.order.push(upload);
    const n = (seen.byUpload.get(upload) ?? 0) + 1;
    seen.byUpload.set(upload, n);
    setTimeout(() => {
      const reply = answer(upload, n);
      if (reply === HANG) return;
      seen.inFlight -= 1;
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(JSON.stringify(reply.body));
    }, delayMs);
  });
  servers.push(server);
  return { server, seen };
}

const status = (value: string): Answer => ({ status: 200, body: { payload: { status: value } } });

function upstatFor(url: string, extra: Omit<UpstatConfig, 'providers'> = {}) {
  return createUpstat({ providers: [sendai({ apiKey: 'watcher-test-key', baseUrl: url })], ...extra });
}

const refOf = (upload: string) => `sendai:team_1/proj_1/${upload}`;


describe('waitAll on the watcher: 1,200 waits under a budget', () => {
  it('every outcome as scripted, requests exactly the checks needed, budget never exceeded as the server counts it', async () => {
    const random = seeded(13);
    const uploads = Array.from({ length: 1_200 }, (_, index) => ({
      id: `upl_${index}`,
      // Finishes on this check (1 to 4); one in ten fails.
      finishOn: 1 + Math.floor(random() * 4),
      fails: random() < 0.1,
    }));
    const script = new Map(uploads.map((upload) => [upload.id, upload]));
    const { server, seen } = await uploadServer((upload, n) => {
      const scripted = script.get(upload);
      if (scripted === undefined) return { status: 404, body: {} };
      if (n < scripted.finishOn) return status('PROCESSING');
      return status(scripted.fails ? 'FAILED' : 'COMPLETED');
    });
    const budget = { requestsPerSecond: 600, concurrency: 8 };
    const upstat = upstatFor(server.url, { budget: { sendai: budget } });
    const results = await upstat.waitAll(
      uploads.map((upload) => refOf(upload.id)),
      { minDelayMs: 20, maxDelayMs: 40, timeoutMs: 120_000 },
    );

    expect(results).toHaveLength(uploads.length);
    results.forEach((result, index) => {
      const upload = uploads[index];
      expect(result.ref).toMatchObject({ uploadId: upload?.id });
      if (upload?.fails) {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toBeInstanceOf(UploadFailedError);
      } else {
        expect(result).toMatchObject({ ok: true, status: { state: 'succeeded' } });
      }
    });
    // No check more than each upload needed, none fewer.
    for (const upload of uploads) expect(seen.byUpload.get(upload.id)).toBe(upload.finishOn);
    expect(server.requests).toHaveLength(uploads.reduce((sum, upload) => sum + upload.finishOn, 0));
    // In flight: never more than the budget, and the budget was used.
    expect(seen.maxInFlight).toBeLessThanOrEqual(budget.concurrency);
    expect(seen.maxInFlight).toBeGreaterThan(1);
    // Rate: at most `rps` in any rolling second, the first included; the server's arrival times lag the client's
    // starts by a loopback hop (and a request that leaves, or a handler that runs, late on a loaded machine),
    // allowed 250 ms.
    expect(busiestWindow(seen.arrivals, 750)).toBeLessThanOrEqual(budget.requestsPerSecond);
    expect(busiestWindow(seen.arrivals, 1_750)).toBeLessThanOrEqual(2 * budget.requestsPerSecond);
    expect(upstat.watching).toBe(0);
  }, 60_000);

  it('a tight budget is the bottleneck: waits stuck in line end at their deadline with WaitTimeoutError, unchecked', async () => {
    const { server, seen } = await uploadServer(() => status('PROCESSING'));
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: 5, concurrency: 1 } } });
    const refs = Array.from({ length: 30 }, (_, index) => refOf(`upl_${index}`));
    const results = await upstat.waitAll(refs, { timeoutMs: 300, minDelayMs: 50 });
    expect(results.every((result) => !result.ok && result.error instanceof WaitTimeoutError)).toBe(true);
    const unchecked = results.filter((result) => !result.ok && result.error instanceof WaitTimeoutError && result.error.checks === 0);
    // 5 requests in any rolling second: at most 5 checks fit before the 300 ms deadline.
    expect(server.requests.length).toBeLessThanOrEqual(5);
    expect(unchecked.length).toBe(30 - seen.byUpload.size);
    expect(unchecked.length).toBeGreaterThanOrEqual(23);
    for (const result of unchecked) if (!result.ok) expect(result.error.message).toContain('no status seen');
    expect(upstat.watching).toBe(0);
  });
});

describe('429 with Retry-After', () => {
  it('pauses every wait on the provider, not just the one that got it; that one retries after the pause', async () => {
    let limitedAt: number | undefined;
    const { server, seen } = await uploadServer((upload, n) => {
      if (upload === 'limited' && n === 2) {
        limitedAt = performance.now();
        return { status: 429, body: {}, headers: { 'retry-after': '1' } };
      }
      return n < (upload === 'limited' ? 3 : 8) ? status('PROCESSING') : status('COMPLETED');
    });
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: Infinity, concurrency: 1 } } });
    const refs = [refOf('limited'), ...Array.from({ length: 9 }, (_, index) => refOf(`upl_${index}`))];
    const results = await upstat.waitAll(refs, { minDelayMs: 20, maxDelayMs: 20, timeoutMs: 30_000 });
    expect(results.every((result) => result.ok)).toBe(true);
    expect(limitedAt).toBeDefined();
    const after = seen.arrivals.filter((at) => at > (limitedAt as number));
    // Others were still waiting when the 429 came (each needs 8 checks), and none was checked for the second
    // the server asked for: the next request of any wait came at least 1 s later.
    expect(after.length).toBeGreaterThan(9);
    expect(Math.min(...after) - (limitedAt as number)).toBeGreaterThanOrEqual(990);
    expect(seen.byUpload.get('limited')).toBe(3);
  });

  it('after the pause the waits go in deadline order (to the minute), not in the order they fell due', async () => {
    const { server, seen } = await uploadServer((upload, n) =>
      upload === 'trigger' && n === 1 ? { status: 429, body: {}, headers: { 'retry-after': '1' } } : status('COMPLETED'),
    );
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: Infinity, concurrency: 1 } } });
    // One check at a time: the trigger's is out when the others fall due, so they queue, in the order they were
    // started (not their deadlines' order), and the trigger's 429 pauses them all for a second.
    // Deadlines minutes apart: core's order is earliest deadline first to the minute (first come within one).
    const timeouts = new Map([['d40', 40], ['d10', 10], ['d30', 30], ['d20', 20], ['d50', 50], ['d15', 15]].map(([id, minutes]) => [id as string, (minutes as number) * 60_000]));
    const trigger = upstat.watch(refOf('trigger'), { minDelayMs: 20, maxDelayMs: 20, timeoutMs: 60 * 60_000 });
    while (seen.order.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const others = [...timeouts].map(([upload, timeoutMs]) => upstat.watch(refOf(upload), { minDelayMs: 20, maxDelayMs: 20, timeoutMs }));
    await Promise.all([trigger, ...others]);
    const byDeadline = [...timeouts].sort(([, a], [, b]) => a - b).map(([upload]) => upload);
    expect(seen.order).toEqual(['trigger', ...byDeadline, 'trigger']);
  });

  it('a Retry-After past one wait\'s deadline ends that wait at once (WaitTimeoutError, reason retry-after), and still pauses the others', async () => {
    let limitedAt: number | undefined;
    const { server, seen } = await uploadServer((upload, n) => {
      if (upload === 'limited') {
        limitedAt = performance.now();
        return { status: 429, body: {}, headers: { 'retry-after': '1' } };
      }
      return n < 4 ? status('PROCESSING') : status('COMPLETED');
    });
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: Infinity, concurrency: 1 } } });
    const [limited, ...others] = await Promise.all([
      upstat.watch(refOf('limited'), { minDelayMs: 20, maxDelayMs: 20, timeoutMs: 500 }).catch((error: unknown) => error),
      ...['a', 'b'].map((upload) => upstat.watch(refOf(upload), { minDelayMs: 20, maxDelayMs: 20, timeoutMs: 30_000 })),
    ]);
    expect(limited).toBeInstanceOf(WaitTimeoutError);
    expect(limited).toMatchObject({ reason: 'retry-after', checks: 1 });
    expect((limited as WaitTimeoutError).lastError).toBeInstanceOf(RateLimitError);
    expect(others.every((other) => other.state === 'succeeded')).toBe(true);
    const after = seen.arrivals.filter((at) => at > (limitedAt as number));
    expect(Math.min(...after) - (limitedAt as number)).toBeGreaterThanOrEqual(990);
    expect(seen.byUpload.get('limited')).toBe(1);
  });
});

describe('watch', () => {
  it('resolves like wait: stopOn, onUpdate on each change, onCheckpoint after each check with the ref', async () => {
    const states = ['PROCESSING', 'PROCESSING', 'REVIEWING'];
    const { server } = await uploadServer((_upload, n) => status(states[Math.min(n, states.length) - 1] as string));
    const upstat = upstatFor(server.url);
    const updates: string[] = [];
    const checkpoints: UploadWaitCheckpoint[] = [];
    const final = await upstat.watch(refOf('upl_1'), {
      stopOn: ['action_required'],
      minDelayMs: 10,
      onUpdate: (current) => {
        updates.push(current.state);
      },
      onCheckpoint: (checkpoint) => {
        checkpoints.push(checkpoint);
      },
    });
    expect(final.state).toBe('action_required');
    expect(updates).toEqual(['in_progress', 'action_required']);
    expect(checkpoints.map((checkpoint) => checkpoint.checks)).toEqual([1, 2, 3]);
    expect(checkpoints[2]).toMatchObject({ ref: refOf('upl_1'), lastState: 'action_required', version: 1 });
    expect(server.requests).toHaveLength(3);
  });

  it('progress: checkpoints carry the recent samples (the last four, oldest first), onUpdate only on a change', async () => {
    const accepted = [0, 100, 100, 300, 450, 700, 1000];
    const server = await startLocalServer((_request, response) => {
      const bytes = accepted[Math.min(server.requests.length, accepted.length) - 1] as number;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          ...(successExample('nullspace', definition.operation.path) as Record<string, unknown>),
          upload_id: 'up',
          content_length: 1000,
          accepted_bytes: bytes,
          status: bytes === 1000 ? 'completed' : 'uploading',
        }),
      );
    });
    servers.push(server);
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'k', baseUrl: server.url })] });
    const checkpoints: UploadWaitCheckpoint[] = [];
    const updates: (number | undefined)[] = [];
    const final = await upstat.watch('nullspace:sb/up', {
      minDelayMs: 5,
      maxDelayMs: 5,
      onUpdate: (status) => {
        updates.push(status.progress?.fraction);
      },
      onCheckpoint: (checkpoint) => {
        checkpoints.push(JSON.parse(JSON.stringify(checkpoint)) as UploadWaitCheckpoint);
      },
    });
    expect(final.state).toBe('succeeded');
    expect(updates).toEqual([0, 0.1, 0.3, 0.45, 0.7, 1]);
    expect(checkpoints).toHaveLength(accepted.length);
    const last = checkpoints.at(-1);
    expect(last?.progress?.map((sample) => sample.fraction)).toEqual([0.3, 0.45, 0.7, 1]);
    expect(checkpoints[1]?.progress?.map((sample) => sample.fraction)).toEqual([0, 0.1]);
    const times = last?.progress?.map((sample) => sample.at) ?? [];
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(last?.lastProgress).toBe(1);
  });

  it('a terminal state not accepted rejects with UploadFailedError carrying the final status', async () => {
    const { server } = await uploadServer(() => status('FAILED'));
    const error = await upstatFor(server.url).watch(refOf('upl_1')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UploadFailedError);
    expect(error).toMatchObject({ state: 'failed', finalStatus: { raw: { state: 'FAILED' } } });
    expect((error as Error).message).toContain('Send.ai status "FAILED"');
  });

  it('a failed check is made again (503 then done: two requests); maxFailures: 1 ends at the first 503; retry is refused', async () => {
    const flaky = () => uploadServer((_upload, n) => (n === 1 ? { status: 503, body: {} } : status('COMPLETED')));
    const first = await flaky();
    await expect(upstatFor(first.server.url).watch(refOf('upl_1'))).resolves.toMatchObject({ state: 'succeeded' });
    expect(first.server.requests).toHaveLength(2);
    const second = await flaky();
    const error = await upstatFor(second.server.url).watch(refOf('upl_1'), { maxFailures: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ reason: 'failures', checks: 1 });
    expect((error as WaitTimeoutError).lastError).toBeInstanceOf(ServerError);
    expect((error as Error).message).toContain('its check failed (HTTP 503)');
    expect(second.server.requests).toHaveLength(1);
    const retry = { retry: false } as Record<string, unknown>;
    await expect(upstatFor(second.server.url).watch(refOf('upl_1'), retry)).rejects.toThrow('wait: retry applies to status() only');
    expect(second.server.requests).toHaveLength(1);
  });

  it('checks made again go through the budget too: 30 uploads failing once with 503, never more in flight than the budget', async () => {
    const { server, seen } = await uploadServer((_upload, n) => (n === 1 ? { status: 503, body: {} } : status('COMPLETED')), 5);
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: Infinity, concurrency: 2 } } });
    const refs = Array.from({ length: 30 }, (_, index) => refOf(`upl_${index}`));
    const results = await upstat.waitAll(refs, { minDelayMs: 1, maxDelayMs: 1 });
    expect(results.every((result) => result.ok)).toBe(true);
    expect(server.requests).toHaveLength(60);
    expect(seen.maxInFlight).toBe(2);
  });

  it('abort removes the wait: AbortError at once, no further request for it, the others carry on', async () => {
    const controller = new AbortController();
    const { server, seen } = await uploadServer((upload, n) => {
      if (upload === 'victim' && n === 1) {
        setTimeout(() => {
          controller.abort(new Error('user gave up'));
        }, 0);
      }
      return n < 4 ? status('PROCESSING') : status('COMPLETED');
    });
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: Infinity, concurrency: 4 } } });
    const others = Array.from({ length: 20 }, (_, index) => upstat.watch(refOf(`upl_${index}`), { minDelayMs: 30, maxDelayMs: 30 }));
    const victim = upstat.watch(refOf('victim'), { minDelayMs: 30, maxDelayMs: 30, signal: controller.signal });
    expect(upstat.watching).toBe(21);
    const error = await victim.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toMatchObject({ message: 'user gave up' });
    expect(upstat.watching).toBe(20);
    await expect(Promise.all(others)).resolves.toHaveLength(20);
    expect(seen.byUpload.get('victim')).toBe(1);
    expect(upstat.watching).toBe(0);
  });

  it('an aborted signal: AbortError before any request', async () => {
    const { server } = await uploadServer(() => status('COMPLETED'));
    const upstat = upstatFor(server.url);
    await expect(upstat.watch(refOf('upl_1'), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    const results = await upstat.waitAll([refOf('a'), refOf('b')], { signal: AbortSignal.abort() });
    expect(results.every((result) => !result.ok && result.error instanceof AbortError)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('waitAll: one signal aborts every wait still running', async () => {
    const controller = new AbortController();
    const { server } = await uploadServer((upload) => {
      if (upload === 'quick') {
        setTimeout(() => {
          controller.abort();
        }, 50);
      }
      return upload === 'quick' ? status('COMPLETED') : status('PROCESSING');
    });
    const upstat = upstatFor(server.url);
    const results = await upstat.waitAll([refOf('quick'), refOf('a'), refOf('b')], { minDelayMs: 10, signal: controller.signal });
    expect(results[0]).toMatchObject({ ok: true });
    expect(results.slice(1).every((result) => !result.ok && result.error instanceof AbortError)).toBe(true);
    expect(upstat.watching).toBe(0);
  });

  it('a deadline ends the wait with WaitTimeoutError carrying the last status; the check it cuts is not counted', async () => {
    // Two checks are answered, the third hangs until the deadline cuts it: the count is the same however slowly
    // the machine runs (with every check answered, a check in flight at the deadline made the count racy).
    const answered = 2;
    const { server } = await uploadServer((_upload, n) => (n <= answered ? status('PROCESSING') : HANG));
    const error = await upstatFor(server.url)
      .watch(refOf('upl_1'), { timeoutMs: 1_000, minDelayMs: 20, maxDelayMs: 20 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ lastStatus: { state: 'in_progress' }, checks: answered });
    expect(server.requests).toHaveLength(answered + 1);
    expect((error as WaitTimeoutError).elapsedMs).toBeGreaterThanOrEqual(1_000);
  });
});

describe('budget options', () => {
  it('a budget for a provider the instance does not have: ConfigurationError naming it', () => {
    expect(() => upstatFor('http://127.0.0.1:9', { budget: { pandadoc: { concurrency: 2 } } })).toThrow(ConfigurationError);
    expect(() => upstatFor('http://127.0.0.1:9', { budget: { pandadoc: { concurrency: 2 } } })).toThrow(
      'budget.pandadoc names no provider of this instance (sendai)',
    );
  });

  it.each([
    [{ sendai: { concurrency: 0 } }, 'budget.sendai.concurrency must be a whole number ≥ 1'],
    [{ sendai: { requestsPerSecond: -1 } }, 'budget.sendai.requestsPerSecond must be a number > 0'],
    [{ sendai: 5 }, 'budget.sendai must be an object'],
    [[], 'budget must be an object of budgets by provider id'],
  ])('%j: ConfigurationError at createUpstat', (budget, message) => {
    expect(() => upstatFor('http://127.0.0.1:9', { budget: budget as never })).toThrow(message);
  });

  it('waitAll concurrency still bounds the call\'s requests in flight under a larger budget', async () => {
    const { server, seen } = await uploadServer((_upload, n) => (n < 3 ? status('PROCESSING') : status('COMPLETED')), 10);
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: Infinity, concurrency: 50 } } });
    const refs = Array.from({ length: 40 }, (_, index) => refOf(`upl_${index}`));
    const results = await upstat.waitAll(refs, { concurrency: 3, minDelayMs: 5 });
    expect(results.every((result) => result.ok)).toBe(true);
    expect(seen.maxInFlight).toBe(3);
    expect(server.requests).toHaveLength(120);
  });
});

describe('one request budget per provider for every call of an instance', () => {
  it('status (its retries too), wait, watch, waitAll and resume together never have more in flight than the budget', async () => {
    // Every upload answers 503 on its first request (a status call retries it, a wait checks again), then PROCESSING
    // twice, then COMPLETED.
    const { server, seen } = await uploadServer((_upload, n) => (n === 1 ? { status: 503, body: {} } : n < 4 ? status('PROCESSING') : status('COMPLETED')), 10);
    const upstat = upstatFor(server.url, {
      budget: { sendai: { requestsPerSecond: Infinity, concurrency: 3 } },
      defaults: { retry: { minDelayMs: 1, maxDelayMs: 1 } },
    });
    const fast = { minDelayMs: 5, maxDelayMs: 5 };
    const checkpoint: UploadWaitCheckpoint = { version: 1, ref: refOf('resumed'), startedAt: Date.now(), deadline: Date.now() + 60_000, checks: 0 };
    const outcomes = await Promise.all([
      ...Array.from({ length: 10 }, (_, index) => upstat.status(refOf(`status_${index}`)).then((current) => current.state)),
      ...Array.from({ length: 5 }, (_, index) => upstat.wait(refOf(`wait_${index}`), fast).then((current) => current.state)),
      ...Array.from({ length: 5 }, (_, index) => upstat.watch(refOf(`watch_${index}`), fast).then((current) => current.state)),
      upstat.waitAll(Array.from({ length: 5 }, (_, index) => refOf(`all_${index}`)), fast).then((results) => (results.every((result) => result.ok) ? 'succeeded' : 'failed')),
      upstat.resume(checkpoint, fast).then((current) => current.state),
    ]);
    expect(outcomes.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 'in_progress'));
    expect(outcomes.slice(10).every((outcome) => outcome === 'succeeded')).toBe(true);
    // 10 status calls of 2 requests each (the 503, then its retry), 16 waits of 4 checks each.
    expect(server.requests).toHaveLength(10 * 2 + 16 * 4);
    expect(seen.maxInFlight).toBe(3);
  });

  it('the rate holds for status calls too: 60 at once under 20 per second take the token bucket\'s time', async () => {
    const { server, seen } = await uploadServer(() => status('PROCESSING'), 1);
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: 20, concurrency: Infinity } } });
    await Promise.all(Array.from({ length: 60 }, (_, index) => upstat.status(refOf(`upl_${index}`))));
    expect(server.requests).toHaveLength(60);
    // A second's worth at once, then 20 a second (without the budget, 60 calls take a few milliseconds). A lower
    // bound the client's own timers guarantee: the last 40 needed 2 s of refills.
    expect(Math.max(...seen.arrivals) - Math.min(...seen.arrivals)).toBeGreaterThanOrEqual(1_900);
  });

  it('a 429 that a status call gets pauses the waits on that provider too', async () => {
    let limitedAt: number | undefined;
    const { server, seen } = await uploadServer((upload, n) => {
      if (upload === 'asked' && n === 1) {
        limitedAt = performance.now();
        return { status: 429, body: {}, headers: { 'retry-after': '1' } };
      }
      return n < 6 ? status('PROCESSING') : status('COMPLETED');
    });
    // One request in flight at a time: none of the wait's can have been sent before the 429 came back.
    const upstat = upstatFor(server.url, { budget: { sendai: { requestsPerSecond: Infinity, concurrency: 1 } } });
    const waiting = upstat.wait(refOf('waiting'), { minDelayMs: 20, maxDelayMs: 20 });
    // Once the wait is under way, a status call is rate limited.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(upstat.status(refOf('asked'))).resolves.toMatchObject({ state: 'in_progress' });
    await expect(waiting).resolves.toMatchObject({ state: 'succeeded' });
    const after = seen.arrivals.filter((at) => at > (limitedAt as number));
    // Nothing, the wait's checks included, was sent in the second the server asked for.
    expect(Math.min(...after) - (limitedAt as number)).toBeGreaterThanOrEqual(990);
  });
});

/**
 * The wait engine, `stepWait`, driven by the smallest driver there is: a loop on a virtual clock that feeds it events
 * and does what it says. Every decision of every driver (the facade's watcher, the queue's job step) is this
 * function's, so its behaviours are pinned here exactly; `tests/waits/` runs one table of behaviours against the real
 * drivers, over HTTP.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  DeadlineExceededError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
  UploadFailedError,
  WaitTimeoutError,
} from '../src/errors.js';
import { DEFAULT_WAIT, nextCheckDelay, resolveWaitPolicy, type WaitPolicyOptions } from '../src/policy.js';
import type { CanonicalState, ProviderStatus } from '../src/status.js';
import {
  checkCheckpoint,
  checkpointOf,
  startWait,
  stepWait,
  WAIT_LONGER,
  type WaitCheckpoint,
  type WaitEvent,
  type WaitOutcome,
  type WaitRules,
  type WaitState,
  type WaitStep,
} from '../src/wait-step.js';

type Status = ProviderStatus;
const TERMINAL: readonly string[] = ['succeeded', 'failed', 'partial', 'canceled', 'expired'];
const subject = { provider: 'acme', providerName: 'Acme', label: 'upload acme:1' };
const noJitter = () => 0;

function status(state: CanonicalState, fraction?: number): Status {
  return {
    provider: 'acme',
    ref: { provider: 'acme' },
    state,
    terminal: TERMINAL.includes(state),
    raw: { state: state.toUpperCase(), body: {} },
    ...(fraction === undefined ? {} : { progress: { bytes: fraction * 100, totalBytes: 100, fraction } }),
  };
}

function rulesOf(options: WaitPolicyOptions & { accept?: CanonicalState[]; stopOn?: CanonicalState[] } = {}): WaitRules {
  const { policy, problems } = resolveWaitPolicy(options);
  expect(problems).toEqual([]);
  return { policy, accept: options.accept ?? ['succeeded'], stopOn: options.stopOn ?? [] };
}

/** What each check answers: a status, or an error it throws, given the time it is made. */
type Answer = (now: number, check: number) => Status | Error;

interface Run {
  outcome: WaitOutcome<Status>;
  askedAt: number[];
  updates: Status[];
  checkpoints: WaitCheckpoint[];
  retried: unknown[];
  /** Every time the engine asked to sleep until, with the deadline it had. */
  sleeps: { until: number; deadline: number }[];
  endedAt: number;
}

/** The smallest driver: feeds the engine on a virtual clock until it settles. */
function drive(
  rules: WaitRules,
  answer: Answer,
  options: {
    start?: number;
    resume?: { checkpoint: WaitCheckpoint; timeoutMs?: number };
    abortAt?: number;
    random?: () => number;
    /** Keep every checkpoint, as JSON would carry it (the property test leaves them out: it runs thousands of waits). */
    checkpoints?: boolean;
  } = {},
): Run {
  let now = options.start ?? 0;
  const random = options.random ?? noJitter;
  const run: Omit<Run, 'outcome' | 'endedAt'> = { askedAt: [], updates: [], checkpoints: [], retried: [], sleeps: [] };
  let state: WaitState<Status> = startWait<Status>(rules.policy, now, options.resume);
  let event: WaitEvent<Status> = { type: 'due' };
  for (let guard = 0; guard < 100_000; guard++) {
    const step: WaitStep<Status> = stepWait(rules, state, event, now, subject, random);
    if (step.update !== undefined) run.updates.push(step.update);
    if (step.retrying !== undefined) run.retried.push(step.retrying);
    if (options.checkpoints !== false && step.state.checks !== state.checks) run.checkpoints.push(JSON.parse(JSON.stringify(checkpointOf(step.state))) as WaitCheckpoint);
    state = step.state;
    const { action } = step;
    if (action.type === 'settle') return { ...run, outcome: action.outcome, endedAt: now };
    if (action.type === 'check') {
      if (now >= state.deadline) throw new Error(`a check at ${now}, at or after the deadline ${state.deadline}`);
      run.askedAt.push(now);
      const answered = answer(now, run.askedAt.length);
      event = answered instanceof Error ? { type: 'failed', error: answered } : { type: 'checked', status: answered };
      continue;
    }
    run.sleeps.push({ until: action.until, deadline: state.deadline });
    if (options.abortAt !== undefined && options.abortAt < action.until) {
      now = Math.max(now, options.abortAt);
      event = { type: 'aborted', reason: 'stop' };
      continue;
    }
    now = action.until;
    event = { type: action.expire ? 'deadline' : 'due' };
  }
  throw new Error('the wait never settled');
}

const script =
  (...answers: (Status | Error)[]): Answer =>
  (_now, check) =>
    answers[Math.min(check, answers.length) - 1] as Status | Error;

const refused = () =>
  new ConnectionError('Acme GET /x: the connection failed before a complete response (connect ECONNREFUSED 127.0.0.1:9).', {
    provider: 'acme',
    code: 'ECONNREFUSED',
  });
const unavailable = () => new ServerError('Acme GET /x failed with 503 Service Unavailable.', { provider: 'acme', status: 503 });
const rateLimited = (retryAfterMs?: number) => new RateLimitError('Acme GET /x was rate limited.', { provider: 'acme', status: 429, retryAfterMs });

describe('stepWait: the schedule and the states that end a wait', () => {
  it('checks at once, then on the schedule, and ends at an accepted terminal state with the status', () => {
    const run = drive(rulesOf(), script(...Array.from({ length: 6 }, () => status('in_progress')), status('succeeded')));
    expect(run.outcome).toEqual({ ok: true, status: status('succeeded') });
    // 5 s minimum until 20 s have passed, then a quarter of the elapsed time.
    expect(run.askedAt).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000, 31_250]);
  });

  it('reports an update only when the state or the progress changes', () => {
    const run = drive(
      rulesOf(),
      script(status('in_progress', 0.1), status('in_progress', 0.1), status('in_progress', 0.5), status('in_progress', 0.5), status('succeeded', 1)),
    );
    expect(run.updates).toEqual([status('in_progress', 0.1), status('in_progress', 0.5), status('succeeded', 1)]);
  });

  it.each<[CanonicalState, CanonicalState[], CanonicalState[], 'ok' | 'failed']>([
    ['succeeded', ['succeeded'], [], 'ok'],
    ['failed', ['succeeded'], [], 'failed'],
    ['partial', ['succeeded'], [], 'failed'],
    ['partial', ['succeeded', 'partial'], [], 'ok'],
    ['canceled', ['succeeded'], [], 'failed'],
    ['expired', ['succeeded'], [], 'failed'],
    ['action_required', ['succeeded'], ['action_required'], 'ok'],
  ])('%s with accept %j and stopOn %j ends the wait: %s', (state, accept, stopOn, expected) => {
    const run = drive(rulesOf({ accept, stopOn }), script(status('queued'), status(state)));
    expect(run.askedAt).toHaveLength(2);
    if (expected === 'ok') expect(run.outcome).toEqual({ ok: true, status: status(state) });
    else {
      expect(run.outcome.ok).toBe(false);
      const error = (run.outcome as { error: Error }).error;
      expect(error).toBeInstanceOf(UploadFailedError);
      expect(error).toMatchObject({ state, finalStatus: status(state) });
      expect(error.message).toBe(`upload acme:1 ended ${state} (Acme status "${state.toUpperCase()}").`);
    }
  });

  it('a state that is neither terminal nor in stopOn (unknown, action_required by default) never ends a wait before its deadline', () => {
    const run = drive(rulesOf({ timeoutMs: 60_000 }), script(status('unknown'), status('action_required')));
    expect(run.outcome.ok).toBe(false);
    expect((run.outcome as { error: Error }).error).toBeInstanceOf(WaitTimeoutError);
    expect(run.endedAt).toBe(60_000);
  });

  it('ends with WaitTimeoutError at the deadline, carrying the last status, starting no check at or after it', () => {
    const run = drive(rulesOf({ timeoutMs: 12_000 }), script(status('in_progress', 0.4)));
    expect(run.askedAt).toEqual([0, 5_000, 10_000]);
    expect(run.endedAt).toBe(12_000);
    const error = (run.outcome as unknown as { error: WaitTimeoutError }).error;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ reason: 'deadline', checks: 3, elapsedMs: 12_000, lastStatus: status('in_progress', 0.4), lastError: undefined });
    expect(error.message).toBe(`upload acme:1 did not finish within 12 s (3 checks in 12 s; last state in_progress, 40%). ${WAIT_LONGER}`);
  });

  it('a check cut off at the deadline (DeadlineExceededError) ends the wait there without counting it', () => {
    const cut = new DeadlineExceededError('Acme GET /x was cut off at its deadline.', { provider: 'acme' });
    const run = drive(rulesOf({ timeoutMs: 12_000 }), script(status('queued'), cut));
    expect(run.outcome.ok).toBe(false);
    expect((run.outcome as { error: Error }).error).toMatchObject({ name: 'WaitTimeoutError', checks: 1, cause: cut, lastStatus: status('queued') });
  });

  it('an abort ends the wait at once with AbortError carrying the last status and the checks made', () => {
    const run = drive(rulesOf(), script(status('in_progress', 0.3)), { abortAt: 12_000 });
    const error = (run.outcome as unknown as { error: AbortError }).error;
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ lastStatus: status('in_progress', 0.3), checks: 3, cause: 'stop' });
    expect(error.message).toBe('Waiting for upload acme:1 was aborted after 3 checks.');
    expect(run.endedAt).toBe(12_000);
  });
});

describe('stepWait: failures', () => {
  it.each<[string, () => Error]>([
    ['a refused connection', refused],
    ['an attempt that timed out', () => new TimeoutError('Acme GET /x timed out.', { provider: 'acme' })],
    ['a 500', () => new ServerError('500', { provider: 'acme', status: 500 })],
    ['a 503', unavailable],
    ['a 429 without Retry-After', () => rateLimited()],
  ])('%s is checked again, sooner than the schedule, and the wait goes on', (_label, failure) => {
    const run = drive(rulesOf(), script(status('in_progress'), failure(), failure(), status('succeeded')));
    expect(run.outcome).toEqual({ ok: true, status: status('succeeded') });
    // After each failure: 200 ms, then up to 400 ms (no jitter: the shortest), never more than the schedule's 5 s.
    expect(run.askedAt).toEqual([0, 5_000, 5_200, 5_400]);
    expect(run.retried).toHaveLength(2);
    expect(run.checkpoints.map((checkpoint) => checkpoint.failures)).toEqual([undefined, 1, 2, undefined]);
  });

  it('the delay after failures grows to the schedule\'s own and never beyond it: a long outage costs no more checks than a healthy server', () => {
    const outage = drive(rulesOf({ timeoutMs: 600_000 }), () => refused(), { random: () => 0.999 });
    const healthy = drive(rulesOf({ timeoutMs: 600_000 }), () => status('in_progress'), { random: () => 0.999 });
    expect((outage.outcome as { error: Error }).error).toMatchObject({ name: 'WaitTimeoutError', reason: 'deadline' });
    expect(outage.askedAt.length).toBeLessThanOrEqual(healthy.askedAt.length + 6);
    outage.askedAt.slice(1).forEach((at, index) => {
      const before = outage.askedAt[index] as number;
      expect(at - before).toBeLessThanOrEqual(nextCheckDelay(before, DEFAULT_WAIT, () => 0));
    });
  });

  it('a timeout after failures says how many checks failed at the end, and why', () => {
    const run = drive(rulesOf({ timeoutMs: 20_000 }), script(status('in_progress', 0.5), refused()));
    const error = (run.outcome as unknown as { error: WaitTimeoutError }).error;
    expect(error).toMatchObject({ reason: 'deadline', lastStatus: status('in_progress', 0.5) });
    expect(error.lastError).toBeInstanceOf(ConnectionError);
    expect(error.checks).toBe(run.askedAt.length);
    expect(error.message).toMatch(
      new RegExp(`^upload acme:1 did not finish within 20 s \\(${run.askedAt.length} checks in 20 s; last state in_progress, 50%; the last ${run.askedAt.length - 1} checks failed: connection refused\\)\\. `),
    );
  });

  it('a Retry-After that fits before the deadline is waited exactly', () => {
    const run = drive(rulesOf(), script(rateLimited(3_000), status('succeeded')));
    expect(run.askedAt).toEqual([0, 3_000]);
    expect(run.outcome.ok).toBe(true);
  });

  it('a Retry-After past the deadline ends the wait at once, saying so: no request is sent for nothing', () => {
    const run = drive(rulesOf({ timeoutMs: 20_000 }), script(rateLimited(3_600_000)));
    expect(run.askedAt).toEqual([0]);
    expect(run.endedAt).toBe(0);
    const error = (run.outcome as unknown as { error: WaitTimeoutError }).error;
    expect(error).toMatchObject({ reason: 'retry-after', checks: 1, elapsedMs: 0, lastStatus: undefined });
    expect(error.lastError).toBeInstanceOf(RateLimitError);
    expect(error.message).toBe(
      `upload acme:1 did not finish within 20 s: Acme asks to retry after 60 min, past the deadline, so the wait gave up after 0 ms (1 check in 0 ms; no status seen). ${WAIT_LONGER}`,
    );
  });

  it('maxFailures: that many failed checks in a row end the wait early, saying which failure; a status in between starts the count again', () => {
    const rules = rulesOf({ maxFailures: 3 });
    const run = drive(rules, script(refused(), refused(), status('in_progress'), refused(), refused(), refused(), status('succeeded')));
    expect(run.askedAt).toHaveLength(6);
    const error = (run.outcome as unknown as { error: WaitTimeoutError }).error;
    expect(error).toMatchObject({ reason: 'failures', checks: 6, lastStatus: status('in_progress') });
    expect(error.message).toMatch(/^upload acme:1 did not finish within 15 min: the last 3 checks failed \(connection refused\), so the wait gave up after [\d.]+ s \(maxFailures 3; 6 checks in [\d.]+ s; last state in_progress\)\.$/);
  });

  it('maxFailures never counts a 429: rate limiting pauses, it does not end a wait', () => {
    const run = drive(rulesOf({ maxFailures: 2 }), script(rateLimited(), rateLimited(), rateLimited(), refused(), rateLimited(), status('succeeded')));
    expect(run.outcome.ok).toBe(true);
    expect(run.askedAt).toHaveLength(6);
  });

  it.each<[string, () => Error]>([
    ['400', () => new BadRequestError('400', { provider: 'acme', status: 400 })],
    ['401', () => new AuthenticationError('401', { provider: 'acme', status: 401 })],
    ['403', () => new PermissionError('403', { provider: 'acme', status: 403 })],
    ['404', () => new NotFoundError('404', { provider: 'acme', status: 404 })],
    ['409', () => new ConflictError('409', { provider: 'acme', status: 409 })],
    ['a body of the wrong shape', () => new UnexpectedResponseError('shape', { provider: 'acme' })],
    ['an error that is not upstat\'s', () => new TypeError('a bug')],
  ])('%s cannot get better: the wait ends at once with that error', (_label, failure) => {
    const thrown = failure();
    const run = drive(rulesOf(), script(status('in_progress'), thrown));
    expect(run.outcome).toEqual({ ok: false, error: thrown });
    expect(run.askedAt).toEqual([0, 5_000]);
  });

  it('fast-check: whatever the answers, no check starts at or after the deadline, no sleep passes it, and only an answer that cannot get better, a terminal state or maxFailures ends a wait early', () => {
    const answer = fc.oneof(
      fc.constantFrom<CanonicalState>('queued', 'in_progress', 'unknown', 'succeeded', 'failed').map((state) => ({ kind: 'status' as const, state })),
      fc.constantFrom('refused', 'timeout', '503', '429', '404').map((kind) => ({ kind })),
      fc.integer({ min: 0, max: 120_000 }).map((retryAfterMs) => ({ kind: 'retry-after' as const, retryAfterMs })),
    );
    fc.assert(
      fc.property(
        fc.array(answer, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 900_000 }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (answers, timeoutMs, maxFailures, draw) => {
          const rules = rulesOf({ timeoutMs, maxFailures });
          const made = answers.map((given) => {
            switch (given.kind) {
              case 'status':
                return status(given.state);
              case 'refused':
                return refused();
              case 'timeout':
                return new TimeoutError('t', { provider: 'acme' });
              case '503':
                return unavailable();
              case '429':
                return rateLimited();
              case '404':
                return new NotFoundError('404', { provider: 'acme', status: 404 });
              case 'retry-after':
                return rateLimited(given.retryAfterMs);
            }
          });
          const run = drive(rules, script(...made), { random: () => draw, checkpoints: false });
          for (const sleep of run.sleeps) expect(sleep.until).toBeLessThanOrEqual(sleep.deadline);
          expect(run.endedAt).toBeLessThanOrEqual(timeoutMs);
          if (run.outcome.ok) return;
          const error = run.outcome.error;
          if (error instanceof WaitTimeoutError && error.reason === 'deadline') expect(run.endedAt).toBe(timeoutMs);
          else if (error instanceof WaitTimeoutError && error.reason === 'retry-after') {
            expect(run.endedAt + ((error.lastError as RateLimitError).retryAfterMs ?? 0)).toBeGreaterThanOrEqual(timeoutMs);
          } else if (error instanceof WaitTimeoutError) expect(maxFailures).toBeDefined();
          else expect(error instanceof UploadFailedError || error instanceof NotFoundError).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('checkpoints', () => {
  it('after every check, a JSON checkpoint; resuming from it keeps the deadline, the schedule and what was seen', () => {
    const first = drive(rulesOf({ timeoutMs: 600_000 }), script(status('in_progress', 0.2)), { abortAt: 26_000 });
    const saved = first.checkpoints.at(-1) as WaitCheckpoint;
    // The last PROGRESS_WINDOW (4) checks' progress, timed when each check answered.
    const progress = [10_000, 15_000, 20_000, 25_000].map((at) => ({ at, fraction: 0.2 }));
    expect(saved).toEqual({ version: 1, startedAt: 0, deadline: 600_000, checks: 6, lastState: 'in_progress', lastProgress: 0.2, progress });

    // Later, elsewhere: the wait carries on from the checkpoint.
    const second = drive(rulesOf(), script(status('in_progress', 0.2), status('succeeded', 1)), {
      start: 100_000,
      resume: { checkpoint: checkCheckpoint('acme', saved, 100_000) },
    });
    expect(second.outcome.ok).toBe(true);
    // At once on resume, then a quarter of the 100 s already waited.
    expect(second.askedAt).toEqual([100_000, 125_000]);
    // Same state and progress as the checkpoint: only the change is reported.
    expect(second.updates).toEqual([status('succeeded', 1)]);
  });

  it('a resume with its own timeoutMs ends at the earlier of the two deadlines', () => {
    const checkpoint: WaitCheckpoint = { version: 1, startedAt: 0, deadline: 600_000, checks: 2 };
    expect(startWait(DEFAULT_WAIT, 100_000, { checkpoint, timeoutMs: 30_000 }).deadline).toBe(130_000);
    expect(startWait(DEFAULT_WAIT, 100_000, { checkpoint, timeoutMs: 900_000 }).deadline).toBe(600_000);
    expect(startWait(DEFAULT_WAIT, 100_000, { checkpoint }).deadline).toBe(600_000);
  });

  it('carries a run of failures, so that a resumed wait goes on counting them', () => {
    const first = drive(rulesOf({ maxFailures: 5 }), script(refused()), { abortAt: 500 });
    expect(first.askedAt).toEqual([0, 200, 400]);
    const saved = first.checkpoints.at(-1) as WaitCheckpoint;
    expect(saved.failures).toBe(first.askedAt.length);
    const second = drive(rulesOf({ maxFailures: 5 }), script(refused()), { start: 2_000, resume: { checkpoint: checkCheckpoint('acme', saved, 2_000) } });
    expect(second.askedAt).toHaveLength(5 - first.askedAt.length);
  });

  it('after a restart past the deadline, the wait times out at once without a check', () => {
    const run = drive(rulesOf(), script(status('in_progress')), {
      start: 900_000,
      resume: { checkpoint: { version: 1, startedAt: 0, deadline: 600_000, checks: 30, lastState: 'in_progress' } },
    });
    expect(run.askedAt).toEqual([]);
    expect((run.outcome as { error: Error }).error).toMatchObject({ name: 'WaitTimeoutError', checks: 30 });
    expect((run.outcome as { error: Error }).error.message).toContain('last state in_progress');
  });

  describe('with progress', () => {
    /** An upload reporting `now / doneAtMs` until it is done; `silentAt` lists checks that report no progress. */
    const uploading =
      (doneAtMs: number, silentAt: readonly number[] = []): Answer =>
      (now, check) =>
        now >= doneAtMs ? status('succeeded', 1) : silentAt.includes(check) ? status('in_progress') : status('in_progress', now / doneAtMs);

    it('checks a steadily progressing upload just after its expected completion instead of on the time-based schedule', () => {
      // 100 s at 1 % a second. At 5 s: 95 s to go, beyond the 60 s maximum. At 65 s: 35 s to go, checked 10 % later.
      expect(drive(rulesOf(), uploading(100_000)).askedAt).toEqual([0, 5_000, 65_000, 65_000 + 35_000 * 1.1]);
    });

    it('forgets the samples when a check reports no progress, and follows the time-based schedule until two checks report it again', () => {
      const fourth = 65_000 + 65_000 / 4;
      expect(drive(rulesOf(), uploading(100_000, [3])).askedAt).toEqual([0, 5_000, 65_000, fourth, fourth + Math.round(fourth / 4)]);
    });

    it('carries the samples in the checkpoint, so a resumed wait keeps the rate', () => {
      const first = drive(rulesOf(), uploading(100_000), { abortAt: 6_000 });
      const saved = first.checkpoints.at(-1) as WaitCheckpoint;
      expect(saved.progress).toEqual([{ at: 0, fraction: 0 }, { at: 5_000, fraction: 0.05 }]);
      const second = drive(rulesOf(), uploading(100_000), { start: 30_000, resume: { checkpoint: checkCheckpoint('acme', saved, 30_000) } });
      // At 30 s, with the two samples carried over: 70 s to go at 1 % a second, so the maximum; at 90 s, 10 s to go.
      expect(second.askedAt).toEqual([30_000, 90_000, 90_000 + 10_000 * 1.1]);
    });

    it('resumes a checkpoint written before progress was carried, on the time-based schedule until two checks report progress', () => {
      const checkpoint = { version: 1, startedAt: 0, deadline: 900_000, checks: 2, lastState: 'in_progress', lastProgress: 0.05 } as const;
      const run = drive(rulesOf(), uploading(100_000), { start: 30_000, resume: { checkpoint } });
      // 30 s, then a quarter of it; from 37.5 s on the rate (1 % a second) is known: 62.5 s to go, so the maximum;
      // at 97.5 s, 2.5 s to go, under the 5 s minimum.
      expect(run.askedAt).toEqual([30_000, 37_500, 97_500, 102_500]);
    });
  });

  it.each([
    ['a version that is not 1', { version: 2 }, 'checkpoint.version must be 1, got 2'],
    ['a negative count of checks', { checks: -1 }, 'checkpoint.checks must be a whole number ≥ 0, got -1'],
    ['a count of failures that is not a number', { failures: 'x' }, 'checkpoint.failures must be a whole number ≥ 0, got string'],
    ['a deadline before its start', { deadline: -1 }, 'checkpoint.deadline is before startedAt'],
    ['a deadline that is not finite', { deadline: Number.POSITIVE_INFINITY }, 'checkpoint.deadline must be a finite time in epoch milliseconds, got Infinity'],
    ['progress that is not an array', { progress: 'x' }, 'checkpoint.progress must be an array of samples { at, fraction }, got string'],
    ['too much progress', { progress: Array.from({ length: 5 }, (_, index) => ({ at: index, fraction: 0 })) }, 'checkpoint.progress holds at most 4 samples, got 5'],
    ['progress holding null', { progress: [null] }, 'checkpoint.progress[0] must be a sample { at, fraction }, got null'],
    ['a sample time that is not a number', { progress: [{ at: '5', fraction: 0 }] }, 'checkpoint.progress[0].at must be a finite time in epoch milliseconds, got string'],
    ['a fraction above 1', { progress: [{ at: 5, fraction: 1.5 }] }, 'checkpoint.progress[0].fraction must be a number from 0 to 1, got 1.5'],
    ['a fraction missing', { progress: [{ at: 5 }] }, 'checkpoint.progress[0].fraction must be a number from 0 to 1, got undefined'],
    ['samples out of order', { progress: [{ at: 9, fraction: 0.1 }, { at: 9, fraction: 0.2 }] }, 'checkpoint.progress[1].at must be later than progress[0].at'],
    ['a sample before the wait started', { progress: [{ at: -1, fraction: 0.1 }] }, 'checkpoint.progress[0].at is before startedAt'],
    ['a sample in the future', { progress: [{ at: 3_600_000, fraction: 0.1 }] }, 'checkpoint.progress[0].at lies in the future'],
  ])('rejects a checkpoint with %s, naming the field', (_label, change, message) => {
    const checkpoint = { version: 1, startedAt: 0, deadline: 600_000, checks: 1, ...change };
    expect(() => checkCheckpoint('acme', checkpoint, 60_000)).toThrow(new ConfigurationError(`wait: cannot resume: ${message}.`, { provider: 'acme' }));
  });

  it('takes a null progress in a checkpoint as none', () => {
    const checkpoint = checkCheckpoint('acme', { version: 1, startedAt: 0, deadline: 600_000, checks: 1, progress: null }, 60_000);
    expect(checkpoint.progress).toBeUndefined();
  });
});

describe('wait policy', () => {
  it.each([
    [{ timeoutMs: -1 }, 'timeoutMs must be > 0, got -1'],
    [{ minDelayMs: 0 }, 'minDelayMs must be > 0, got 0'],
    [{ minDelayMs: 10, maxDelayMs: 5 }, 'maxDelayMs must be ≥ minDelayMs'],
    [{ maxFailures: 0 }, 'maxFailures must be a whole number ≥ 1 (Infinity: only the deadline), got 0'],
    [{ maxFailures: 2.5 }, 'maxFailures must be a whole number ≥ 1 (Infinity: only the deadline), got 2.5'],
    [{ maxFailures: '3' }, 'maxFailures must be a whole number ≥ 1 (Infinity: only the deadline), got the string "3"'],
  ])('%j: %s', (options, problem) => {
    expect(resolveWaitPolicy(options as WaitPolicyOptions).problems).toEqual([problem]);
  });
});

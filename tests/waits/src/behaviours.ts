/**
 * The one table of wait behaviours every driver of the wait engine must show: what the server answers, the wait's
 * options, and how the wait must end — its outcome, the last state it saw, how many requests it sent, and the exit
 * code of `upstat wait` (the other drivers' equivalent is the outcome itself).
 */
import type { CanonicalState } from 'upstat';
import type { Answer } from './server.js';

export interface WaitSettings {
  timeoutMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  requestTimeoutMs?: number;
  maxFailures?: number;
  accept?: CanonicalState[];
  stopOn?: CanonicalState[];
}

export interface Expected {
  /** The state it resolved with, or the kind of error it ended with (the library's `error.kind`). */
  outcome: { ok: CanonicalState } | { error: string; reason?: 'deadline' | 'retry-after' | 'failures' };
  /** The state of the last status the outcome carries (`lastStatus`, `finalStatus`), null when it carries none. */
  lastState?: CanonicalState | null;
  /** Requests the server saw for the upload. */
  requests: number;
  /** `upstat wait`'s exit code. */
  exit: number;
}

export interface Behaviour {
  name: string;
  /** The n-th request's answer (from 1); the last one repeats. */
  answers: Answer[];
  settings: WaitSettings;
  /** The caller aborts once this many requests have been answered (and the wait sleeps). */
  abortAfter?: number;
  expected: Expected;
}

const FAST = { minDelayMs: 30, maxDelayMs: 60 };
const uploading: Answer = { status: 'uploading', fraction: 0.4 };

export const BEHAVIOURS: readonly Behaviour[] = [
  {
    name: 'an accepted terminal state ends it with the status',
    answers: [{ status: 'created', fraction: 0 }, uploading, { status: 'completed' }],
    settings: { ...FAST, timeoutMs: 10_000 },
    expected: { outcome: { ok: 'succeeded' }, requests: 3, exit: 0 },
  },
  {
    name: 'accept: a terminal state it lists is a success',
    answers: [uploading, { status: 'aborted' }],
    settings: { ...FAST, timeoutMs: 10_000, accept: ['succeeded', 'canceled'] },
    expected: { outcome: { ok: 'canceled' }, requests: 2, exit: 0 },
  },
  {
    name: 'stopOn: a non-terminal state it lists ends it with the status',
    answers: [{ status: 'created', fraction: 0 }, uploading],
    settings: { ...FAST, timeoutMs: 10_000, stopOn: ['in_progress'] },
    expected: { outcome: { ok: 'in_progress' }, requests: 2, exit: 0 },
  },
  {
    name: 'a terminal state it does not accept ends it with UploadFailedError',
    answers: [uploading, { status: 'failed', fraction: 0.4 }],
    settings: { ...FAST, timeoutMs: 10_000 },
    expected: { outcome: { error: 'upload_failed' }, lastState: 'failed', requests: 2, exit: 1 },
  },
  {
    name: 'the deadline, against a server that answers once and then hangs: WaitTimeoutError with the first status',
    answers: [uploading, 'hang'],
    // Long enough that the first answer arrives before the deadline on a loaded machine (a queue worker's first check
    // once took over a second to start while the whole suite started), short enough that the hang ends it.
    settings: { ...FAST, timeoutMs: 4_000 },
    expected: { outcome: { error: 'wait_timeout', reason: 'deadline' }, lastState: 'in_progress', requests: 2, exit: 4 },
  },
  {
    name: 'a Retry-After past the deadline ends it at once, saying so',
    answers: [{ http: 429, retryAfter: '3600' }],
    settings: { ...FAST, timeoutMs: 5_000 },
    expected: { outcome: { error: 'wait_timeout', reason: 'retry-after' }, lastState: null, requests: 1, exit: 4 },
  },
  {
    name: 'transient failures (503, a reset, a 429 with Retry-After, a hang past the attempt limit), then success',
    answers: [{ http: 503 }, 'reset', { http: 429, retryAfter: '1' }, 'hang', uploading, { status: 'completed' }],
    // The attempt limit is long enough that no answer of a loaded machine's own server outlasts it, but the hang.
    settings: { ...FAST, timeoutMs: 20_000, requestTimeoutMs: 1_500 },
    expected: { outcome: { ok: 'succeeded' }, requests: 6, exit: 0 },
  },
  {
    name: 'maxFailures: that many failed checks in a row end it early',
    answers: [uploading, { http: 503 }],
    settings: { ...FAST, timeoutMs: 20_000, maxFailures: 3 },
    expected: { outcome: { error: 'wait_timeout', reason: 'failures' }, lastState: 'in_progress', requests: 4, exit: 7 },
  },
  {
    name: 'an answer that cannot get better (404) ends it at once with that error',
    answers: [uploading, { http: 404 }],
    settings: { ...FAST, timeoutMs: 10_000 },
    expected: { outcome: { error: 'not_found' }, requests: 2, exit: 6 },
  },
  {
    name: 'a 401 ends it at once',
    answers: [{ http: 401 }],
    settings: { ...FAST, timeoutMs: 10_000 },
    expected: { outcome: { error: 'authentication' }, requests: 1, exit: 3 },
  },
  {
    name: 'a body of the wrong shape ends it at once',
    answers: [{ body: { nothing: 'here' } }],
    settings: { ...FAST, timeoutMs: 10_000 },
    expected: { outcome: { error: 'unexpected_response' }, requests: 1, exit: 5 },
  },
  {
    name: 'an abort ends it at once, keeping the last status',
    answers: [uploading],
    settings: { minDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 120_000 },
    abortAfter: 1,
    expected: { outcome: { error: 'abort' }, lastState: 'in_progress', requests: 1, exit: 130 },
  },
];

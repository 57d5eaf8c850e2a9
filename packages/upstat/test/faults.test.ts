/**
 * Fault injection: the facade and the real provider clients against a real local HTTP server that
 * misbehaves on purpose. Each case asserts the exact outcome and how many requests reached the server.
 * Retry and wait delays run on a virtual clock (recorded, not slept); per-attempt timeouts are real.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalServer, virtualClock, type LocalServer, type VirtualClock } from '@upstat/test-support';
import { sendai } from '@upstat/sendai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  createUpstat,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
  UploadFailedError,
  WaitTimeoutError,
  type UpstatError,
} from '../src/index.js';
import { everyPlugin } from './providers.js';

type Responder = (request: IncomingMessage, response: ServerResponse) => void;

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts a server that answers the n-th request with the n-th responder (the last one repeats). */
async function serve(...responders: Responder[]): Promise<LocalServer> {
  let count = 0;
  server = await startLocalServer((request, response) => {
    const responder = responders[Math.min(count, responders.length - 1)];
    count += 1;
    responder?.(request, response);
  });
  return server;
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Responder =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
const raw =
  (status: number, contentType: string, body: string, headers: Record<string, string> = {}): Responder =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': contentType, ...headers });
    response.end(body);
  };
const sendaiUpload = (status: string) => json(200, { payload: { id: 'upl_1', name: 'Invoice', status } });
const d360Task = (status: string | null) =>
  json(200, { data: { task_id: 'a3b4c5d6-1234-5678-9abc-def012345678', status }, success: true, request_id: 'r1', errors: null, warnings: null });
const nullspaceSession = (status: string, accepted = 512, total = 1024) =>
  json(200, {
    upload_id: 'upl_1',
    kind: 'file',
    source_kind: 'restartable_file',
    target_path: '/data/file.bin',
    content_length: total,
    accepted_bytes: accepted,
    reserved_staging_bytes: total,
    part_size: 256,
    part_count: 4,
    max_concurrency: 2,
    status,
    conflict: 'error',
    checksum_algorithm: 'sha256',
    limits: {},
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:05Z',
    expires_at: '2026-01-02T00:00:00Z',
  });
const pandadocUpload = (status: string) =>
  json(200, { uuid: 'u1', document_uuid: 'd1', status, name: 'Section', date_modified: '2026-01-01T00:00:09Z' });

const SENDAI = 'sendai:team_1/proj_1/upl_1';
const D360 = 'document360:7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f/a3b4c5d6-1234-5678-9abc-def012345678';
const NULLSPACE = 'nullspace:sb_1/upl_1';
const PANDADOC = 'pandadoc:doc_1/upl_1';

/** The facade over every provider, each client pointed at `url`. */
function facade(url: string, clock: VirtualClock, requestTimeoutMs = 2_000) {
  return createUpstat({
    providers: everyPlugin('k', { baseUrl: url, timeoutMs: requestTimeoutMs }),
    // random() = 0.5: retry waits of 200 ms, then 300 ms; wait delays 5 s while under 20 s.
    defaults: { clock, random: () => 0.5 },
  });
}

async function failure(promise: Promise<unknown>): Promise<UpstatError> {
  return promise.then(
    (value: unknown) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as UpstatError,
  );
}

describe('faults: rate limiting', () => {
  it('429 with Retry-After in seconds: waits exactly that long, then succeeds', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(429, {}, { 'retry-after': '2' }), sendaiUpload('COMPLETED'));
    const status = await facade(url, clock).status(SENDAI);
    expect(status).toMatchObject({ state: 'succeeded', raw: { state: 'COMPLETED' } });
    expect(clock.sleeps).toEqual([2_000]);
    expect(requests).toHaveLength(2);
  });

  it('429 with Retry-After as an HTTP-date: waits until that date, then succeeds', async () => {
    const clock = virtualClock(Date.parse('2026-01-01T00:00:00Z'));
    const { url, requests } = await serve(json(429, {}, { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), sendaiUpload('COMPLETED'));
    await expect(facade(url, clock).status(SENDAI)).resolves.toMatchObject({ state: 'succeeded' });
    expect(clock.sleeps).toEqual([3_000]);
    expect(requests).toHaveLength(2);
  });

  it('429 with X-RateLimit-Reset and no Retry-After: waits until the reset', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(429, {}, { 'x-ratelimit-reset': '4' }), d360Task('Completed'));
    await expect(facade(url, clock).status(D360)).resolves.toMatchObject({ state: 'succeeded' });
    expect(clock.sleeps).toEqual([4_000]);
    expect(requests).toHaveLength(2);
  });

  it('429 without Retry-After: jittered exponential backoff, the provider paused after each 429, then RateLimitError after 3 attempts', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(429, { type: 'throttled', detail: 'Request was throttled.' }));
    const error = await failure(facade(url, clock).status(PANDADOC));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, attempts: 3, retryAfterMs: undefined, body: { type: 'throttled' } });
    expect(error.message).toContain('after 3 attempts');
    // The client's own backoff (200 ms, then 300 ms), and after each, the rest of the pause every 429 sets on the
    // provider's budget (core's rateLimitPause: 1 s, then 1.5 s with this jitter), which its next attempt waits out.
    expect(clock.sleeps).toEqual([200, 800, 300, 1_200]);
    expect(requests).toHaveLength(3);
  });

  it('429 with a Retry-After beyond the 30 s cap: RateLimitError at once, carrying retryAfterMs', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(429, {}, { 'retry-after': '120' }));
    const error = await failure(facade(url, clock).status(SENDAI));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 120_000, attempts: 1 });
    expect(error.message).toContain('retry after 120 s');
    expect(clock.sleeps).toEqual([]);
    expect(requests).toHaveLength(1);
  });
});

describe('faults: server errors', () => {
  it('500: ServerError at once (500 is not retried)', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(
      json(500, { type: 'https://x/errors/internal-error', title: 'Internal Server Error.', status: 500, trace_id: 'req_9' }),
    );
    const error = await failure(facade(url, clock).status(D360));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, attempts: 1, requestId: 'req_9' });
    expect(requests).toHaveLength(1);
  });

  it.each([502, 503, 504])('%i once: retried after a backoff, then succeeds', async (status) => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(status, {}), sendaiUpload('PROCESSING'));
    await expect(facade(url, clock).status(SENDAI)).resolves.toMatchObject({ state: 'in_progress' });
    expect(clock.sleeps).toEqual([200]);
    expect(requests).toHaveLength(2);
  });

  it.each([502, 503, 504])('%i every time: ServerError after 3 attempts', async (status) => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(status, {}));
    const error = await failure(facade(url, clock).status(SENDAI));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status, attempts: 3 });
    expect(requests).toHaveLength(3);
  });

  it('503 with Retry-After: waits what the server asks, then succeeds', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(503, {}, { 'retry-after': '7' }), nullspaceSession('completed', 1024));
    await expect(facade(url, clock).status(NULLSPACE)).resolves.toMatchObject({ state: 'succeeded' });
    expect(clock.sleeps).toEqual([7_000]);
    expect(requests).toHaveLength(2);
  });
});

describe('faults: broken connections', () => {
  const resetMidResponse: Responder = (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
    response.write('{"payload": {"status": "COMPL');
    setTimeout(() => response.socket?.destroy(), 10);
  };

  it('connection reset mid-response, once: retried, then succeeds', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(resetMidResponse, sendaiUpload('COMPLETED'));
    await expect(facade(url, clock).status(SENDAI)).resolves.toMatchObject({ state: 'succeeded' });
    expect(requests).toHaveLength(2);
  });

  it('connection reset mid-response, every time: ConnectionError after 3 attempts', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(resetMidResponse);
    const error = await failure(facade(url, clock).status(SENDAI));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ attempts: 3, provider: 'sendai' });
    expect(requests).toHaveLength(3);
  });

  it('hanging response (no answer at all): each attempt times out, TimeoutError after 3 attempts', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(() => undefined);
    const error = await failure(facade(url, clock, 150).status(SENDAI));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ attempts: 3 });
    expect(error.message).toContain('no complete response within 150 ms');
    expect(requests).toHaveLength(3);
  });

  it('hanging response body (headers sent, body never finished): TimeoutError after 3 attempts', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"payload":');
    });
    const error = await failure(facade(url, clock, 150).status(SENDAI));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(requests).toHaveLength(3);
  });
});

describe('faults: bodies that are not what the spec says', () => {
  it('malformed JSON: UnexpectedResponseError with the raw text, not retried', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(raw(200, 'application/json', "{payload: {status: 'COMPLETED'}}"));
    const error = await failure(facade(url, clock).status(SENDAI));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ status: 200, rawText: "{payload: {status: 'COMPLETED'}}" });
    expect(requests).toHaveLength(1);
  });

  it('truncated JSON: UnexpectedResponseError with the raw text', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(raw(200, 'application/json', '{"payload": {"status": "COMPL'));
    const error = await failure(facade(url, clock).status(SENDAI));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ rawText: '{"payload": {"status": "COMPL' });
    expect(requests).toHaveLength(1);
  });

  const page = '<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>';

  it('HTML error page with 200: UnexpectedResponseError holding the page', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(raw(200, 'text/html', page));
    const error = await failure(facade(url, clock).status(NULLSPACE));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ rawText: page });
    expect(error.message).toContain('content-type text/html');
    expect(requests).toHaveLength(1);
  });

  it('HTML error page with 502: ServerError after 3 attempts, the page kept as rawText', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(raw(502, 'text/html', '<html><body>Bad Gateway</body></html>'));
    const error = await failure(facade(url, clock).status(NULLSPACE));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, attempts: 3, body: undefined, rawText: '<html><body>Bad Gateway</body></html>' });
    expect(error.message).toContain('The body was not JSON (content-type text/html)');
    expect(requests).toHaveLength(3);
  });

  it('empty body with 200: UnexpectedResponseError', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(raw(200, 'application/json', ''));
    const error = await failure(facade(url, clock).status(PANDADOC));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toContain('empty body');
    expect(requests).toHaveLength(1);
  });

  it('JSON of the wrong shape (no status where the spec requires one): UnexpectedResponseError', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(json(200, { upload_id: 'upl_1', accepted_bytes: 1 }));
    const error = await failure(facade(url, clock).status(NULLSPACE));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toBe('Nullspace returned a status body that does not match its spec: `status` must be a string.');
    expect(error).toMatchObject({ rawText: '{"upload_id":"upl_1","accepted_bytes":1}' });
    expect(requests).toHaveLength(1);
  });

  it('unknown status value: reported as unknown with the raw value, and a wait runs to its timeout', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(sendaiUpload('ON_HOLD'));
    const upstat = facade(url, clock);
    await expect(upstat.status(SENDAI)).resolves.toMatchObject({ state: 'unknown', terminal: false, raw: { state: 'ON_HOLD' } });
    const error = await failure(upstat.wait(SENDAI, { timeoutMs: 30_000 }));
    expect(error).toBeInstanceOf(WaitTimeoutError);
    // Checks at 0, 5, …, 25 s; none starts at the 30 s deadline.
    expect(error).toMatchObject({ lastStatus: { state: 'unknown', raw: { state: 'ON_HOLD' } }, checks: 6, elapsedMs: 30_000 });
    expect(requests).toHaveLength(1 + 6);
  });
});

describe('faults: status sequences ending in each terminal state', () => {
  it('… ending succeeded (Send.ai PROCESSING → COMPLETED): wait resolves', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(sendaiUpload('PROCESSING'), sendaiUpload('PROCESSING'), sendaiUpload('COMPLETED'));
    const status = await facade(url, clock).wait(SENDAI);
    expect(status).toMatchObject({ state: 'succeeded', terminal: true, raw: { state: 'COMPLETED' } });
    expect(clock.sleeps).toEqual([5_000, 5_000]);
    expect(requests).toHaveLength(3);
  });

  it('… ending succeeded (PandaDoc UPLOADED → PROCESSED): wait resolves', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(pandadocUpload('document_sections_upload.UPLOADED'), pandadocUpload('document_sections_upload.PROCESSED'));
    await expect(facade(url, clock).wait(PANDADOC)).resolves.toMatchObject({ state: 'succeeded', updatedAt: '2026-01-01T00:00:09Z' });
    expect(requests).toHaveLength(2);
  });

  it('… ending partial (Send.ai PARTIAL): UploadFailedError, or the status when partial is accepted', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(sendaiUpload('PROCESSING'), sendaiUpload('PARTIAL'));
    const upstat = facade(url, clock);
    const error = await failure(upstat.wait(SENDAI));
    expect(error).toBeInstanceOf(UploadFailedError);
    expect(error).toMatchObject({ state: 'partial', finalStatus: { state: 'partial', raw: { state: 'PARTIAL' } } });
    expect(requests).toHaveLength(2);
    await expect(upstat.wait(SENDAI, { accept: ['succeeded', 'partial'] })).resolves.toMatchObject({ state: 'partial' });
    expect(requests).toHaveLength(3);
  });

  it('… ending failed (Document360 Processing → Failed): UploadFailedError', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(d360Task('Pending'), d360Task('Processing'), d360Task('Failed'));
    const error = await failure(facade(url, clock).wait(D360));
    expect(error).toBeInstanceOf(UploadFailedError);
    expect(error).toMatchObject({ state: 'failed', finalStatus: { raw: { state: 'Failed' } }, provider: 'document360' });
    expect(error.message).toBe(`upload ${D360} ended failed (Document360 status "Failed").`);
    expect(requests).toHaveLength(3);
  });

  it('… ending canceled (Nullspace uploading → aborted): UploadFailedError', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(nullspaceSession('uploading', 100), nullspaceSession('aborted', 300));
    const error = await failure(facade(url, clock).wait(NULLSPACE));
    expect(error).toBeInstanceOf(UploadFailedError);
    expect(error).toMatchObject({ state: 'canceled', finalStatus: { progress: { bytes: 300, totalBytes: 1024 } } });
    expect(requests).toHaveLength(2);
  });

  it('… ending expired (Nullspace created → uploading → expired): UploadFailedError', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(nullspaceSession('created', 0), nullspaceSession('uploading', 10), nullspaceSession('expired', 10));
    const error = await failure(facade(url, clock).wait(NULLSPACE));
    expect(error).toBeInstanceOf(UploadFailedError);
    expect(error).toMatchObject({ state: 'expired' });
    expect(requests).toHaveLength(3);
  });

  it('… pausing at action_required (Send.ai IN_REVIEW) when asked to stop there', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(sendaiUpload('PROCESSING'), sendaiUpload('IN_REVIEW'), sendaiUpload('COMPLETED'));
    const status = await facade(url, clock).wait(SENDAI, { stopOn: ['action_required'] });
    expect(status).toMatchObject({ state: 'action_required', terminal: false });
    expect(requests).toHaveLength(2);
  });
});

describe('faults: abort', () => {
  it('an abort during a retry wait ends the call with no further request', async () => {
    const { url, requests } = await serve(json(503, {}, { 'retry-after': '2' }), sendaiUpload('COMPLETED'));
    const controller = new AbortController();
    const clock = virtualClock();
    const abortingClock = {
      now: clock.now,
      sleep: (ms: number, signal?: AbortSignal) => {
        controller.abort();
        return clock.sleep(ms, signal);
      },
    };
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k', baseUrl: url })], defaults: { clock: abortingClock } });
    const error = await failure(upstat.status(SENDAI, { signal: controller.signal }));
    expect(error.name).toBe('AbortError');
    expect(requests).toHaveLength(1);
  });
});

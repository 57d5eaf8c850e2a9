import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, type BaseClientOptions } from '../src/client.js';
import { ConfigurationError, InvalidArgumentError, MissingCredentialError, ServerError, type UpstatError } from '../src/errors.js';
import type { RequestEvent } from '../src/request-event.js';
import { sendJson, startLocalServer, virtualClock, type LocalServer } from '@upstat/test-support';
import { bearer, ITEM_PATH, TEST_PROVIDER, type TestPaths } from './test-paths.js';

const SECRET = 'sk_test_4242_do_not_leak';
const params = { item_id: 'i1', part_id: 'p1' };
let server: LocalServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(baseUrl: string, options: BaseClientOptions = {}, credential: string | (() => string | undefined) = SECRET) {
  return createApiClient<TestPaths>(options, {
    provider: TEST_PROVIDER,
    defaultBaseUrl: baseUrl,
    authorization: bearer(credential),
  });
}

async function rejection(promise: Promise<unknown>): Promise<UpstatError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as UpstatError,
  );
}

/** A port nothing listens on: a server started and closed again. */
async function closedPort(): Promise<string> {
  const closed = await startLocalServer(() => undefined);
  await closed.close();
  return closed.url;
}

describe('onRequest: one event per HTTP attempt', () => {
  it('reports a successful attempt with the operation, URL, status and the request id header', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'p1', state: 'ready' }, { 'x-request-id': 'req-ok-1' });
    });
    const events: RequestEvent[] = [];
    const body = await client(server.url, { onRequest: (event) => events.push(event) }).get(ITEM_PATH)(params);
    expect(body).toEqual({ id: 'p1', state: 'ready' });
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      provider: 'acme',
      operation: `GET ${ITEM_PATH}`,
      method: 'GET',
      url: `${server.url}/items/i1/parts/p1`,
      attempt: 1,
      status: 200,
      requestId: 'req-ok-1',
    });
    expect(event?.durationMs).toBeGreaterThanOrEqual(0);
    expect(event).not.toHaveProperty('error');
    expect(event).not.toHaveProperty('retryInMs');
    expect(Object.isFrozen(event)).toBe(true);
  });

  it('reports each failed attempt with its error and the wait before the next one, then the success', async () => {
    let calls = 0;
    server = await startLocalServer((_request, response) => {
      calls += 1;
      if (calls === 1) sendJson(response, 503, { detail: 'busy' }, { 'x-request-id': 'req-busy' });
      else sendJson(response, 200, { id: 'p1', state: 'ready' });
    });
    const clock = virtualClock();
    const events: RequestEvent[] = [];
    await client(server.url, { clock, random: () => 0.5, onRequest: (event) => events.push(event) }).get(ITEM_PATH)(params);
    expect(events.map(({ attempt, status, requestId, error, retryInMs }) => ({ attempt, status, requestId, kind: error?.kind, retryInMs }))).toEqual([
      { attempt: 1, status: 503, requestId: 'req-busy', kind: 'server', retryInMs: clock.sleeps[0] },
      { attempt: 2, status: 200, requestId: undefined, kind: undefined, retryInMs: undefined },
    ]);
    expect(events[0]?.error?.message).toMatch(/503/);
  });

  it('reports a failure without a response, and no retry after the last attempt', async () => {
    const url = await closedPort();
    const events: RequestEvent[] = [];
    const error = await rejection(client(url, { retry: false, onRequest: (event) => events.push(event) }).get(ITEM_PATH)(params));
    expect(events).toEqual([
      expect.objectContaining({ attempt: 1, url: `${url}/items/i1/parts/p1`, error: { kind: 'connection', message: error.message } }),
    ]);
    expect(events[0]).not.toHaveProperty('status');
    expect(events[0]).not.toHaveProperty('retryInMs');
  });

  it('reports nothing for a call that never sent a request', async () => {
    const events: RequestEvent[] = [];
    const onRequest = (event: RequestEvent) => events.push(event);
    const invalid = await rejection(client('http://upstat.invalid', { onRequest }).get(ITEM_PATH)({ item_id: '..', part_id: 'p1' }));
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    const missing = await rejection(client('http://upstat.invalid', { onRequest }, () => undefined).get(ITEM_PATH)(params));
    expect(missing).toBeInstanceOf(MissingCredentialError);
    expect(events).toEqual([]);
  });

  it('calls the client’s hook, then the call’s, with the same event', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'p1', state: 'ready' });
    });
    const seen: [string, RequestEvent][] = [];
    const get = client(server.url, { onRequest: (event) => seen.push(['client', event]) }).get(ITEM_PATH);
    await get(params, { onRequest: (event) => seen.push(['call', event]) });
    expect(seen.map(([who]) => who)).toEqual(['client', 'call']);
    expect(seen[0]?.[1]).toBe(seen[1]?.[1]);
  });

  it('rejects a hook that is not a function, naming the option', async () => {
    expect(() => client('http://upstat.invalid', { onRequest: 'log' as never })).toThrow(ConfigurationError);
    expect(() => client('http://upstat.invalid', { onRequest: 'log' as never })).toThrow(/onRequest must be a function, got string/);
    const error = await rejection(client('http://upstat.invalid').get(ITEM_PATH)(params, { onRequest: {} as never }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/onRequest must be a function, got object/);
  });
});

describe('onRequest against a hostile server: events pass the redaction boundary', () => {
  it('never carries the credential, echoed in the request id, status text, body or URL', async () => {
    server = await startLocalServer((request, response) => {
      const failing = request.url?.includes('fail') === true;
      response.writeHead(failing ? 503 : 200, `Echo ${SECRET}`, {
        'content-type': 'application/json',
        'x-request-id': `req-${SECRET}-${encodeURIComponent(SECRET)}`,
      });
      response.end(JSON.stringify(failing ? { detail: `bad key ${SECRET}`, request_id: SECRET } : { id: SECRET, state: 'ready' }));
    });
    const events: RequestEvent[] = [];
    const onRequest = (event: RequestEvent) => events.push(event);
    const clock = virtualClock();
    // A static credential, a rotating one, and the credential used as a path parameter (it ends up in the URL).
    for (const credential of [SECRET, () => SECRET]) {
      const get = client(server.url, { onRequest, clock, retry: { maxAttempts: 2 } }, credential).get(ITEM_PATH);
      await get({ item_id: 'i1', part_id: SECRET });
      const error = await rejection(get({ item_id: 'fail', part_id: 'p1' }));
      expect(error).toBeInstanceOf(ServerError);
    }
    expect(events).toHaveLength(6);
    expect(events.filter((event) => event.error !== undefined)).toHaveLength(4);
    expect(events.filter((event) => event.retryInMs !== undefined)).toHaveLength(2);
    const printed = JSON.stringify(events);
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(encodeURIComponent(SECRET));
    expect(printed).toContain('[REDACTED]');
    expect(events[0]?.url).toBe(`${server.url}/items/i1/parts/[REDACTED]`);
  });

  it('caps a huge request id as errors do', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'p1', state: 'ready' }, { 'x-request-id': 'r'.repeat(5000) });
    });
    const events: RequestEvent[] = [];
    await client(server.url, { onRequest: (event) => events.push(event) }).get(ITEM_PATH)(params);
    expect(events[0]?.requestId?.length).toBeLessThan(600);
    expect(events[0]?.requestId).toMatch(/^r{500}… \[4500 more characters\]$/);
  });
});

const execFileAsync = promisify(execFile);

describe('onRequest: a hook that throws', () => {
  it('does not change the request, and its error is re-thrown on its own as an uncaught exception (built package)', async () => {
    // A real Node process, so the uncaught exception is the runtime's own, not the test runner's.
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const script = `
      import { createServer } from 'node:http';
      import { createApiClient } from ${JSON.stringify(dist)};
      const uncaught = [];
      process.on('uncaughtException', (error) => uncaught.push(error.message));
      const server = createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
        response.end(JSON.stringify({ id: 'p1', state: 'ready' }));
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = createApiClient(
        { onRequest: () => { throw new Error('logger broke'); } },
        { provider: { id: 'acme', name: 'Acme' }, defaultBaseUrl: 'http://127.0.0.1:' + server.address().port,
          authorization: { credential: { securityScheme: 'bearerAuth', scheme: { type: 'http', scheme: 'bearer' }, options: ['apiKey'], description: 'token' }, values: ['k'] } },
      );
      const calls = [];
      const body = await client.get('/items/{item_id}/parts/{part_id}')(
        { item_id: 'i1', part_id: 'p1' },
        { onRequest: (event) => calls.push(event.status) },
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      server.close();
      process.stdout.write(JSON.stringify({ body, calls, uncaught }));
    `;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({ body: { id: 'p1', state: 'ready' }, calls: [200], uncaught: ['logger broke'] });
  });
});

describe('CallOptions.response: the request id of the response a result was read from', () => {
  it('holds the successful attempt’s id, not the failed attempt’s before it, and is emptied when the next success has none', async () => {
    let calls = 0;
    server = await startLocalServer((_request, response) => {
      calls += 1;
      if (calls === 1) sendJson(response, 503, { detail: 'busy' }, { 'x-request-id': 'req-busy' });
      else if (calls === 2) sendJson(response, 200, { id: 'p1', state: 'ready' }, { 'request-id': 'req-ok' });
      else sendJson(response, 200, { id: 'p1', state: 'ready' });
    });
    const get = client(server.url, { clock: virtualClock(), random: () => 0.5 }).get(ITEM_PATH);
    const info: { requestId?: string | undefined } = {};
    await get(params, { response: info });
    expect(info.requestId).toBe('req-ok');
    await get(params, { response: info });
    expect(info.requestId).toBeUndefined();
  });

  it('is redacted like every other header the client reads', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'p1', state: 'ready' }, { 'x-request-id': `req-${SECRET}` });
    });
    const info: { requestId?: string | undefined } = {};
    await client(server.url).get(ITEM_PATH)(params, { response: info });
    expect(info.requestId).toBe('req-[REDACTED]');
  });
});

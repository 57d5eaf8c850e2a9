import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../src/client.js';
import {
  AbortError,
  ConfigurationError,
  ConnectionError,
  InvalidArgumentError,
  MissingCredentialError,
  NotFoundError,
  UnexpectedResponseError,
  type UpstatError,
} from '../src/errors.js';
import { sendJson, startLocalServer, type LocalServer } from '@upstat/test-support';
import { bearer, ITEM_PATH, TEST_PROVIDER, type TestPaths } from './test-paths.js';

const SECRET = 'sk_test_4242_do_not_leak';
let server: LocalServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(baseUrl: string, credential: string | (() => string | undefined) = SECRET) {
  return createApiClient<TestPaths>(
    {},
    { provider: TEST_PROVIDER, defaultBaseUrl: baseUrl, authorization: bearer(credential) },
  );
}

async function rejection(promise: Promise<unknown>): Promise<UpstatError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as UpstatError,
  );
}

describe('createApiClient against a real local server', () => {
  it('returns the parsed body and sends the Authorization header', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'p1', state: 'ready' });
    });
    const getPart = client(server.url).get(ITEM_PATH);
    const part = await getPart({ item_id: 'i1', part_id: 'p1' });
    expect(part).toEqual({ id: 'p1', state: 'ready' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(server.requests[0]?.target).toBe('/items/i1/parts/p1');
  });

  it('keeps its Authorization over per-call headers, on typed and raw calls, for static and dynamic credentials', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'p1', state: 'ready' });
    });
    let issued = 0;
    const dynamic = () => `token-${++issued}`;
    for (const credential of [SECRET, dynamic]) {
      const api = client(server.url, credential);
      await api.get(ITEM_PATH)({ item_id: 'i1', part_id: 'p1' }, { headers: { authorization: 'Bearer forged', 'x-trace': 'typed' } });
      await api.raw.GET(ITEM_PATH, { params: { path: { item_id: 'i1', part_id: 'p1' } }, headers: { Authorization: 'Bearer forged', 'x-trace': 'raw' } });
    }
    expect(server.requests.map((request) => [request.headers.authorization, request.headers['x-trace']])).toEqual([
      [`Bearer ${SECRET}`, 'typed'],
      [`Bearer ${SECRET}`, 'raw'],
      ['Bearer token-1', 'typed'],
      ['Bearer token-2', 'raw'],
    ]);
  });

  it('puts every path parameter on the wire percent-encoded inside its own segment', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'x', state: 'busy' });
    });
    const getPart = client(server.url).get(ITEM_PATH);
    await getPart({ item_id: '../../admin?x=1#frag', part_id: 'ü %2F/..' });
    expect(server.requests[0]?.target).toBe('/items/..%2F..%2Fadmin%3Fx%3D1%23frag/parts/%C3%BC%20%252F%2F..');
  });

  it('sends nothing for a bad path parameter', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, {});
    });
    const getPart = client(server.url).get(ITEM_PATH);
    const error = await rejection(getPart({ item_id: '%2e%2e', part_id: 'p' }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe('Acme: path parameter "item_id" must not be ".." (or a percent-encoded form of it): it would change the request path.');
    expect(server.requests).toHaveLength(0);
  });

  it('maps an error response to its class with body, request id and an actionable message', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 404, { type: 'request_error', detail: 'Not found' }, { 'x-request-id': 'req_77' });
    });
    const error = await rejection(client(server.url).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, requestId: 'req_77', body: { type: 'request_error', detail: 'Not found' } });
    expect(error.message).toBe(
      'Acme GET /items/{item_id}/parts/{part_id} failed with 404 Not Found: Not found [request_error] Check the identifiers in the request. (request id req_77)',
    );
  });

  it('redacts a credential that the server echoes back into an error', async () => {
    server = await startLocalServer((request, response) => {
      sendJson(response, 401, { detail: `bad token ${request.headers.authorization ?? ''}`, token: SECRET });
    });
    const error = await rejection(client(server.url).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }));
    expect(error.body).toEqual({ detail: 'bad token Bearer [REDACTED]', token: '[REDACTED]' });
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10 }), error.stack ?? '']) {
      expect(text).not.toContain(SECRET);
    }
  });

  it.each([
    ['not JSON', 'text/html', '<html>oops</html>'],
    ['truncated JSON', 'application/json', '{"id": "p1", "sta'],
  ])('turns a 200 with %s into UnexpectedResponseError holding the raw text', async (_label, contentType, body) => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': contentType });
      response.end(body);
    });
    const error = await rejection(client(server.url).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ status: 200, rawText: body });
  });

  it('turns an empty 200 into UnexpectedResponseError', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end();
    });
    const error = await rejection(client(server.url).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toContain('empty body');
  });

  it('reports a refused connection as ConnectionError', async () => {
    const closed = await startLocalServer(() => undefined);
    await closed.close();
    const error = await rejection(client(closed.url).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('reports an aborted call as AbortError', async () => {
    server = await startLocalServer(() => undefined); // never answers
    const controller = new AbortController();
    const pending = client(server.url).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }, { signal: controller.signal });
    controller.abort();
    expect(await rejection(pending)).toBeInstanceOf(AbortError);
  });

  it('refuses a missing credential at creation and a missing dynamic credential before sending', async () => {
    expect(() => client('http://127.0.0.1:9', '')).toThrow(MissingCredentialError);
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, {});
    });
    const error = await rejection(client(server.url, () => undefined).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }));
    expect(error).toBeInstanceOf(MissingCredentialError);
    expect(server.requests).toHaveLength(0);
  });

  it('reports a credential function that throws as MissingCredentialError, without its message, sending nothing', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, {});
    });
    const failure = new Error(`vault unreachable while reading ${SECRET}`);
    const error = await rejection(
      client(server.url, () => {
        throw failure;
      }).get(ITEM_PATH)({ item_id: 'i', part_id: 'p' }),
    );
    expect(error).toBeInstanceOf(MissingCredentialError);
    expect(error.message).toContain('`apiKey`');
    expect(error.message).not.toContain(SECRET);
    expect(error.cause).toBe(failure);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['not a URL', 'api.example.com'],
    ['another scheme', 'ftp://127.0.0.1/'],
    ['user info', 'http://user:pass@127.0.0.1/'],
  ])('rejects a base URL that is %s', (_label, baseUrl) => {
    expect(() => client(baseUrl)).toThrow(ConfigurationError);
  });

  it('drops a trailing slash from the base URL and keeps its path prefix', async () => {
    server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { id: 'p', state: 'ready' });
    });
    const api = client(`${server.url}/proxy/v9/`);
    expect(api.baseUrl).toBe(`${server.url}/proxy/v9`);
    await api.get(ITEM_PATH)({ item_id: 'i', part_id: 'p' });
    expect(server.requests[0]?.target).toBe('/proxy/v9/items/i/parts/p');
  });
});

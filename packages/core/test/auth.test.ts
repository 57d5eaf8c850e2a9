/**
 * Every security scheme a definition can declare, against a real local server: what each request carries, that
 * every part of the credential (and the forms derived from it: Basic's base64, a form-encoded query key, a fetched
 * token) is redacted from what a hostile server echoes, and OAuth2 client credentials' token life cycle.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCredential, type AuthorizationConfig, type AuthScheme, type CredentialDefinition, type CredentialSource } from '../src/auth.js';
import { createApiClient, type BaseClientOptions } from '../src/client.js';
import { AuthenticationError, ConfigurationError, MissingCredentialError, UpstatError } from '../src/errors.js';
import { TOKEN_EXPIRY_MARGIN_MS } from '../src/oauth2.js';
import { defineProvider, wiringFor } from '../src/provider.js';
import type { RequestEvent } from '../src/request-event.js';
import { sendJson, startLocalServer, virtualClock, type LocalServer } from '@upstat/test-support';
import { ITEM_PATH, TEST_PROVIDER, type TestPaths } from './test-paths.js';

function thrown(run: () => unknown): UpstatError {
  try {
    run();
  } catch (error) {
    return error as UpstatError;
  }
  throw new Error('expected a throw');
}

async function rejection(promise: Promise<unknown>): Promise<UpstatError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as UpstatError,
  );
}

/** Every text form an error can take where a credential could surface. */
const forms = (error: unknown): string[] => {
  const record = error as UpstatError;
  return [record.message, String(error), JSON.stringify(error), inspect(error, { depth: 8 }), record.stack ?? ''];
};

describe('checkCredential', () => {
  it.each([undefined, null, ''])('reports %j as missing, naming the option and where it goes', (value) => {
    const error = thrown(() => checkCredential(TEST_PROVIDER, 'apiKey', value, 'the X-Api-Key header'));
    expect(error).toBeInstanceOf(MissingCredentialError);
    expect(error.message).toBe('Acme: no credential. Pass `apiKey` when creating the client (it is sent in the X-Api-Key header).');
  });

  it.each(['Bearer sk_secret_value', 'sk_secret_value\n', ' sk_secret_value', 'sk_secret_välue'])('rejects %j without ever quoting it', (value) => {
    const error = thrown(() => checkCredential(TEST_PROVIDER, 'token', value));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('without a scheme prefix');
    for (const text of forms(error)) expect(text).not.toContain('sk_secret');
  });

  it('rejects a non-string credential', () => {
    expect(() => checkCredential(TEST_PROVIDER, 'apiKey', 123)).toThrow('`apiKey` must be a string, got number');
  });
});

const ID = 'client_7f3a9c_identifier';
const SECRET = 'sk_live_9d8c7b6a5f4e3d2c';
const USER = 'token_id_31337';
const PASSWORD = 'token_secret_c0ffee42';
const KEY = 'key!with*odd(chars)~_0123';
const params = { item_id: 'i1', part_id: 'p1' };
const ok = { id: 'i1', state: 'ready' };

function credential(scheme: AuthScheme, options: readonly string[]): CredentialDefinition {
  return { securityScheme: 'auth', scheme, options, description: 'test' } as CredentialDefinition;
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;
async function serve(handler: Handler): Promise<LocalServer> {
  server = await startLocalServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => { handler(request, response, body); });
  });
  return server;
}

function client(url: string, auth: AuthorizationConfig, options: BaseClientOptions = {}) {
  return createApiClient<TestPaths>({ retry: false, ...options }, { provider: TEST_PROVIDER, defaultBaseUrl: url, authorization: auth });
}

describe('what each scheme sends', () => {
  const cases: [string, CredentialDefinition, readonly CredentialSource[], (request: IncomingMessage) => unknown, unknown][] = [
    ['http bearer', credential({ type: 'http', scheme: 'bearer' }, ['token']), [KEY], (r) => r.headers.authorization, `Bearer ${KEY}`],
    [
      'http basic, two parts',
      credential({ type: 'http', scheme: 'basic' }, ['tokenId', 'tokenSecret']),
      [USER, () => Promise.resolve(PASSWORD)],
      (r) => r.headers.authorization,
      `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
    ],
    ['apiKey in a custom header', credential({ type: 'apiKey', in: 'header', name: 'X-Acme-Key' }, ['apiKey']), [KEY], (r) => [r.headers['x-acme-key'], r.headers.authorization], [KEY, undefined]],
    [
      'apiKey in Authorization with a prefix',
      credential({ type: 'apiKey', in: 'header', name: 'Authorization', prefix: 'API-Key' }, ['apiKey']),
      [() => KEY],
      (r) => r.headers.authorization,
      `API-Key ${KEY}`,
    ],
    [
      'apiKey in the query',
      credential({ type: 'apiKey', in: 'query', name: 'api_key' }, ['apiKey']),
      [KEY],
      (r) => [new URL(r.url ?? '', 'http://x').searchParams.get('api_key'), r.headers.authorization, new URL(r.url ?? '', 'http://x').pathname],
      [KEY, undefined, '/items/i1/parts/p1'],
    ],
    ['oauth2 access token', credential({ type: 'oauth2', flow: 'accessToken' }, ['accessToken']), [KEY], (r) => r.headers.authorization, `Bearer ${KEY}`],
  ];

  it.each(cases)('%s: typed and raw calls carry it, and a server echoing every form gets it redacted', async (_label, definition, values, seen, expected) => {
    const carried: unknown[] = [];
    const url = (
      await serve((request, response) => {
        carried.push(seen(request));
        // A hostile server: every header and the whole URL back in the body, the status text and a header.
        const echo = JSON.stringify({ headers: request.headers, url: request.url });
        sendJson(response, 401, { detail: `denied ${echo}`, [echo]: request.url });
      })
    ).url;
    const events: RequestEvent[] = [];
    const api = client(url, { credential: definition, values }, { onRequest: (event) => events.push(event) });
    const error = await rejection(api.get(ITEM_PATH)(params));
    expect(error).toBeInstanceOf(AuthenticationError);
    const raw = await api.raw.GET(ITEM_PATH, { params: { path: params } });
    expect(raw.response.status).toBe(401);
    expect(carried).toEqual([expected, expected]);
    const secrets = [KEY, USER, PASSWORD, encodeURIComponent(KEY), new URLSearchParams({ k: KEY }).toString().slice(2)];
    secrets.push(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    for (const text of [...forms(error), JSON.stringify(events)]) {
      for (const secret of secrets) expect(text, text).not.toContain(secret);
    }
    expect(error.message).toContain('[REDACTED]');
    expect(events[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/items\/i1\/parts\/p1/);
  });

  it('a basic credential missing its second part names that option', () => {
    const basic = credential({ type: 'http', scheme: 'basic' }, ['tokenId', 'tokenSecret']);
    const error = thrown(() => client('http://127.0.0.1:9', { credential: basic, values: [USER, undefined] }));
    expect(error).toBeInstanceOf(MissingCredentialError);
    expect(error.message).toBe('Acme: no credential. Pass `tokenSecret` when creating the client (it is sent in the Authorization header).');
  });
});

describe('a key in a header of its own, across redirects', () => {
  const keyed = credential({ type: 'apiKey', in: 'header', name: 'X-Acme-Key' }, ['apiKey']);
  const servers: LocalServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((one) => one.close()));
  });

  it('is dropped once a redirect leaves the origin (as fetch drops Authorization), typed and raw, and kept within it', async () => {
    const other = await startLocalServer((_request, response) => { sendJson(response, 200, ok); });
    servers.push(other);
    const first = await serve((request, response) => {
      const target = request.url === '/items/i1/parts/p1' ? '/moved/i1' : `${other.url}/elsewhere`;
      response.writeHead(302, { location: target });
      response.end();
    });
    const api = client(first.url, { credential: keyed, values: [KEY] });
    expect(await api.get(ITEM_PATH)(params)).toEqual(ok);
    const raw = await api.raw.GET(ITEM_PATH, { params: { path: params } });
    expect(raw.data).toEqual(ok);
    expect(first.requests.map((request) => [request.target, request.headers['x-acme-key']])).toEqual([
      ['/items/i1/parts/p1', KEY],
      ['/moved/i1', KEY],
      ['/items/i1/parts/p1', KEY],
      ['/moved/i1', KEY],
    ]);
    expect(other.requests).toHaveLength(2);
    for (const request of other.requests) expect(JSON.stringify(request.headers)).not.toContain(KEY);
  });

  it('a redirect loop is a RedirectError after as many hops as fetch allows', async () => {
    const { url, requests } = await serve((_request, response) => {
      response.writeHead(307, { location: '/again' });
      response.end();
    });
    const error = await rejection(client(url, { credential: keyed, values: [KEY] }).get(ITEM_PATH)(params));
    expect(error.kind).toBe('redirect');
    expect(requests).toHaveLength(21);
  });
});

describe('choosing a credential by the options passed (wiringFor)', () => {
  const definition = defineProvider({
    id: 'acme',
    name: 'Acme',
    typeName: 'Acme',
    summary: 'uploads',
    operation: { path: ITEM_PATH, method: 'getItem', title: 'Get item' },
    credentials: [
      { securityScheme: 'key', scheme: { type: 'apiKey', in: 'header', name: 'X-Key' }, options: ['apiKey'], description: 'key' },
      { securityScheme: 'basic', scheme: { type: 'http', scheme: 'basic' }, options: ['user', 'password'], description: 'basic' },
      {
        securityScheme: 'oauth',
        scheme: { type: 'oauth2', flow: 'clientCredentials', tokenUrl: '/oauth/token' },
        options: ['clientId', 'clientSecret'],
        description: 'client credentials',
      },
    ],
    ref: { itemId: 'item_id', partId: 'part_id' },
    example: { itemId: 'i', partId: 'p' },
    states: { ready: 'succeeded' },
    read: (body: { state: 'ready' }) => ({ value: body.state }),
  });

  it('takes the credential whose options are given', () => {
    expect(wiringFor(definition, { user: 'u', password: 'p' }, 'http://x').authorization.credential.securityScheme).toBe('basic');
    expect(wiringFor(definition, { clientId: 'c' }, 'http://x').authorization.credential.securityScheme).toBe('oauth');
    expect(wiringFor(definition, {}, 'http://x').authorization.credential.securityScheme).toBe('key');
  });

  it('refuses options of two credentials, naming them but no value', () => {
    const error = thrown(() => wiringFor(definition, { apiKey: SECRET, user: USER, password: PASSWORD }, 'http://x'));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('Acme: pass the options of one credential: `apiKey`, or `user` and `password`, not several.');
  });

  it('with nothing given, the message names every option that would do', () => {
    const error = thrown(() => createApiClient({}, wiringFor(definition, {}, 'http://127.0.0.1:9')));
    expect(error).toBeInstanceOf(MissingCredentialError);
    expect(error.message).toContain('Pass `apiKey` (or `user` and `password`, or `clientId` and `clientSecret`)');
  });
});

describe('OAuth2 client credentials', () => {
  const scheme = { type: 'oauth2', flow: 'clientCredentials', tokenUrl: '/oauth/token', scopes: ['uploads:read', 'x'] } as const;
  const oauth = credential(scheme, ['clientId', 'clientSecret']);

  /** A resource server and token endpoint in one: tokens `t1`, `t2`… each valid until `revoked` names it. */
  async function authServer(options: { expiresIn?: number; tokenStatus?: number; tokenBody?: unknown; delayMs?: number } = {}) {
    const state = { tokenRequests: [] as { authorization: string | undefined; body: string }[], revoked: new Set<string>(), issued: 0 };
    const started = await serve((request, response, body) => {
      if (request.method === 'POST' && request.url === '/oauth/token') {
        state.tokenRequests.push({ authorization: request.headers.authorization, body });
        const answer = () => {
          if (options.tokenStatus !== undefined) { sendJson(response, options.tokenStatus, options.tokenBody ?? {}); return; }
          state.issued += 1;
          sendJson(response, 200, { access_token: `tok_${state.issued}_abcdefgh`, token_type: 'bearer', expires_in: options.expiresIn });
        };
        if (options.delayMs === undefined) answer();
        else setTimeout(answer, options.delayMs);
        return;
      }
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!/^tok_\d+_abcdefgh$/.test(token) || state.revoked.has(token)) { sendJson(response, 401, { detail: `token ${token} refused` }); return; }
      // The token's number, not the token: a body holding the token comes back redacted.
      sendJson(response, 200, { ...ok, id: `by ${token.split('_')[1] ?? ''}` });
    });
    return { url: started.url, state };
  }

  it('fetches one token for concurrent calls, with Basic client authentication, form-encoded, and the scopes', async () => {
    const { url, state } = await authServer({ delayMs: 50 });
    const api = client(url, { credential: oauth, values: [ID, SECRET] });
    const results = await Promise.all(Array.from({ length: 8 }, () => api.get(ITEM_PATH)(params)));
    expect(results.map((body) => (body as { id: string }).id)).toEqual(Array(8).fill('by 1'));
    expect(state.tokenRequests).toHaveLength(1);
    expect(state.tokenRequests[0]?.authorization).toBe(`Basic ${Buffer.from(`${ID}:${SECRET}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(state.tokenRequests[0]?.body))).toEqual({ grant_type: 'client_credentials', scope: 'uploads:read x' });
  });

  it('sends the client id and secret as form fields with clientAuthentication: body', async () => {
    const { url, state } = await authServer();
    const api = client(url, { credential: credential({ ...scheme, clientAuthentication: 'body' }, ['clientId', 'clientSecret']), values: [ID, SECRET] });
    await api.get(ITEM_PATH)(params);
    expect(state.tokenRequests[0]?.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(state.tokenRequests[0]?.body))).toMatchObject({ client_id: ID, client_secret: SECRET });
  });

  it('keeps the token until shortly before it expires, then fetches a new one', async () => {
    const { url, state } = await authServer({ expiresIn: 3600 });
    const clock = virtualClock();
    const api = client(url, { credential: oauth, values: [ID, SECRET] }, { clock });
    await api.get(ITEM_PATH)(params);
    await clock.sleep(3600_000 - TOKEN_EXPIRY_MARGIN_MS - 1);
    expect(await api.get(ITEM_PATH)(params)).toMatchObject({ id: 'by 1' });
    expect(state.tokenRequests).toHaveLength(1);
    await clock.sleep(1);
    expect(await api.get(ITEM_PATH)(params)).toMatchObject({ id: 'by 2' });
    expect(state.tokenRequests).toHaveLength(2);
  });

  it('renews a refused token once, even with retries off; a second refusal is final', async () => {
    const { url, state } = await authServer();
    const api = client(url, { credential: oauth, values: [ID, SECRET] });
    await api.get(ITEM_PATH)(params);
    state.revoked.add('tok_1_abcdefgh');
    expect(await api.get(ITEM_PATH)(params)).toMatchObject({ id: 'by 2' });
    expect(state.tokenRequests).toHaveLength(2);
    state.revoked.add('tok_2_abcdefgh');
    state.revoked.add('tok_3_abcdefgh');
    const error = await rejection(api.get(ITEM_PATH)(params));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(state.tokenRequests).toHaveLength(3);
    for (const text of forms(error)) expect(text).not.toMatch(/tok_\d_abcdefgh/);
  });

  it.each([
    [401, { error: 'invalid_client', error_description: `client ${ID} with secret ${SECRET} unknown` }],
    [400, { error: 'invalid_scope' }],
  ])('a token endpoint answering %i is an AuthenticationError that says so and holds no part', async (status, body) => {
    const { url } = await authServer({ tokenStatus: status, tokenBody: body });
    const error = await rejection(client(url, { credential: oauth, values: [ID, () => SECRET] }).get(ITEM_PATH)(params));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(status);
    expect(error.message).toMatch(new RegExp(`^Acme: the token endpoint http://127\\.0\\.0\\.1:\\d+/oauth/token refused the client credentials with ${status}: ${body.error}`));
    for (const text of forms(error)) {
      expect(text).not.toContain(ID);
      expect(text).not.toContain(SECRET);
    }
  });

  it('a token endpoint that cannot be reached is a ConnectionError naming it (a wait retries it)', async () => {
    const error = await rejection(client('http://127.0.0.1:9', { credential: oauth, values: [ID, SECRET] }).get(ITEM_PATH)(params));
    expect(error.kind).toBe('connection');
    expect(error.message).toBe('Acme: the token endpoint http://127.0.0.1:9/oauth/token could not be reached; see `cause`.');
  });

  it('the tokenUrl option replaces the spec\'s (a token server elsewhere, e.g. a mock)', async () => {
    const tokens = await startLocalServer((_request, response) => { sendJson(response, 200, { access_token: 'tok_9_abcdefgh', token_type: 'Bearer' }); });
    try {
      const { url, state } = await authServer();
      const api = client(url, { credential: oauth, values: [ID, SECRET] }, { tokenUrl: `${tokens.url}/issue` });
      expect(await api.get(ITEM_PATH)(params)).toMatchObject({ id: 'by 9' });
      expect(state.tokenRequests).toHaveLength(0);
      expect(tokens.requests.map((request) => request.target)).toEqual(['/issue']);
    } finally {
      await tokens.close();
    }
  });
});

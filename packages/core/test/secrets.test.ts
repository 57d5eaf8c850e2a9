/**
 * Credential leaks, attacked from the outside: a real local HTTP server that echoes the Authorization header
 * (and the bare credential) back through every channel a response has — body values and keys, headers, the
 * status text, non-JSON bodies, bodies cut at a limit, broken responses — for every error class a response or
 * a failure can produce. Whatever comes out (the error, everything it prints as, its cause chain, or the
 * returned value) must not hold the credential in any form.
 */
import type { ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { startLocalServer, virtualClock, type LocalServer } from '@upstat/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, type BaseClientOptions, type CallOptions } from '../src/client.js';
import { summarizeErrorBody } from '../src/error-body.js';
// A namespace import: classes this suite needs may be missing from older builds, and then only the
// tests that use them fail.
import * as errors from '../src/errors.js';
import { bearer, ITEM_PATH, TEST_PROVIDER, type TestPaths } from './test-paths.js';

const R = '[REDACTED]';
/** A credential with characters that JSON escapes (`"`, `\`) and percent-encoding changes (`/`, `+`, `=`). */
const SECRET = 'sk_live_4eC3"9HqL\\yjW/Dar+jt=';
const ERROR_BODY_LIMIT = 16 * 1024;
const RAW_TEXT_CAP = 2048;

let server: LocalServer | undefined;
let tcpServer: TcpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (tcpServer !== undefined) {
    const closing = tcpServer;
    tcpServer = undefined;
    await new Promise<void>((resolve) => closing.close(() => {
      resolve();
    }));
  }
});

type Credential = string | (() => string | undefined);

/**
 * A vendor reader in the manner of a provider definition's `readErrorBody`: the generic summary plus a field the
 * generic reader leaves out (`error.hint`), so that text from the body reaches the message through a vendor's code too.
 */
function readErrorBody(body: unknown) {
  const summary = summarizeErrorBody(body);
  const envelope = (body as { error?: { hint?: unknown } } | null)?.error;
  const hint = typeof envelope?.hint === 'string' ? envelope.hint : undefined;
  return { ...summary, message: [summary.message, hint === undefined ? undefined : `hint: ${hint}`].filter(Boolean).join(' — ') || undefined };
}

function client(url: string, credential: Credential = SECRET, options: BaseClientOptions = {}) {
  return createApiClient<TestPaths>(
    { clock: virtualClock(), random: () => 0.5, ...options },
    { provider: TEST_PROVIDER, defaultBaseUrl: url, authorization: bearer(credential), readErrorBody },
  );
}

function getPart(url: string, credential: Credential = SECRET, options: BaseClientOptions = {}, call: CallOptions = {}) {
  return client(url, credential, options).get(ITEM_PATH)({ item_id: 'i1', part_id: 'p1' }, call);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: errors.UpstatError };

async function settle(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    (value: unknown) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error: error as errors.UpstatError }),
  );
}

function failed(outcome: Outcome): errors.UpstatError {
  if (outcome.ok) throw new Error(`expected a failure, got ${inspect(outcome.value)}`);
  return outcome.error;
}

function safeJson(value: unknown): string {
  try {
    // undefined for a function or undefined, whatever the declared type says.
    const text = JSON.stringify(value) as unknown;
    return typeof text === 'string' ? text : '';
  } catch (error) {
    return `unserialisable: ${String(error)}`;
  }
}

/**
 * Every place a credential could show: the error's message, String(), JSON.stringify(), util.inspect (with
 * and without hidden properties), its stack, and the same for every error in its cause chain; for a returned
 * value, its JSON and inspect forms.
 */
function places(outcome: Outcome): { where: string; text: string }[] {
  if (outcome.ok) {
    return [
      { where: 'JSON.stringify(value)', text: safeJson(outcome.value) },
      { where: 'inspect(value)', text: inspect(outcome.value, { depth: Infinity }) },
    ];
  }
  const found: { where: string; text: string }[] = [];
  const error = outcome.error;
  found.push(
    { where: 'message', text: error.message },
    { where: 'String(error)', text: String(error) },
    { where: 'JSON.stringify(error)', text: safeJson(error) },
    { where: 'inspect(error)', text: inspect(error, { depth: Infinity }) },
    { where: 'inspect(error, showHidden)', text: inspect(error, { depth: Infinity, showHidden: true }) },
    { where: 'stack', text: error.stack ?? '' },
  );
  let cause: unknown = error.cause;
  for (let level = 1; cause !== undefined && level < 20; level++) {
    const where = `cause#${level}`;
    if (cause instanceof Error) {
      found.push(
        { where: `${where}.message`, text: cause.message },
        { where: `${where}.stack`, text: cause.stack ?? '' },
        { where: `String(${where})`, text: String(cause) },
        { where: `inspect(${where})`, text: inspect(cause, { depth: Infinity, showHidden: true }) },
        { where: `JSON.stringify(${where})`, text: safeJson(cause) },
      );
      cause = cause.cause;
    } else {
      found.push({ where: `inspect(${where})`, text: inspect(cause, { depth: Infinity }) }, { where: `JSON.stringify(${where})`, text: safeJson(cause) });
      cause = undefined;
    }
  }
  return found;
}

/** The forms a credential of 8 characters or more may be echoed in. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])];
}

function expectNoCredential(outcome: Outcome, secrets: readonly string[]): void {
  for (const { where, text } of places(outcome)) {
    for (const secret of secrets) {
      for (const form of forms(secret)) {
        expect(text.includes(form), `${where} holds the credential (${JSON.stringify(form)}):\n${text}`).toBe(false);
      }
    }
  }
}

const wholeWord = (word: string) => new RegExp(`(?<![A-Za-z0-9])${word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![A-Za-z0-9])`);

function everything(outcome: Outcome): string {
  return places(outcome)
    .map(({ text }) => text)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// The channels a hostile server echoes through. `auth` is the Authorization header it received, `bare` the
// credential alone. `evidence` checks that the echo did reach the outcome, redacted — so a test cannot pass
// because the echoed text was dropped somewhere on the way.

interface Channel {
  name: string;
  /** The body is JSON (a 200 then succeeds). */
  json: boolean;
  respond(response: ServerResponse, status: number, auth: string, bare: string): void;
  evidence(outcome: Outcome, status: number): void;
}

function unicodeEscaped(text: string): string {
  return Array.from(text).map((char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`).join('');
}

function body(outcome: Outcome): unknown {
  return outcome.ok ? outcome.value : outcome.error.body;
}

function rawText(outcome: Outcome): string | undefined {
  return (failed(outcome) as { rawText?: string }).rawText;
}

function sendJsonText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

const headerChannel = (header: string): Channel => ({
  name: `${header} header`,
  json: true,
  respond: (response, status, auth) => {
    sendJsonText(response, status, JSON.stringify({ note: 'see header' }), { [header]: auth });
  },
  evidence: (outcome, status) => {
    if (status === 200) {
      expect(body(outcome)).toEqual({ note: 'see header' });
      return;
    }
    const error = failed(outcome);
    expect(error.requestId).toBe(`Bearer ${R}`);
    expect(error.message).toContain(`(request id Bearer ${R})`);
  },
});

const longPrefix = 'x'.repeat(RAW_TEXT_CAP - 6);

const CHANNELS: Channel[] = [
  {
    name: 'JSON body value',
    json: true,
    respond: (response, status, auth, bare) => {
      sendJsonText(response, status, JSON.stringify({ detail: `rejected ${auth}`, token: bare }));
    },
    evidence: (outcome) => {
      expect(body(outcome)).toEqual({ detail: `rejected Bearer ${R}`, token: R });
      if (!outcome.ok) expect(outcome.error.message).toContain(`: rejected Bearer ${R}`);
    },
  },
  {
    name: 'JSON body key',
    json: true,
    respond: (response, status, auth, bare) => {
      sendJsonText(response, status, JSON.stringify({ [bare]: 'key', [auth]: { [`x-${bare}`]: 1 } }));
    },
    evidence: (outcome) => {
      expect(body(outcome)).toEqual({ [R]: 'key', [`Bearer ${R}`]: { [`x-${R}`]: 1 } });
    },
  },
  {
    name: 'nested JSON (error envelope, arrays, request id)',
    json: true,
    respond: (response, status, auth, bare) => {
      const nested = {
        error: { message: `bad ${bare}`, code: 'E1', hint: `send ${auth}`, request_id: `req-${bare}`, details: [{ field: [bare, { [bare]: [auth] }] }] },
      };
      sendJsonText(response, status, JSON.stringify(nested));
    },
    evidence: (outcome) => {
      expect(body(outcome)).toEqual({
        error: { message: `bad ${R}`, code: 'E1', hint: `send Bearer ${R}`, request_id: `req-${R}`, details: [{ field: [R, { [R]: [`Bearer ${R}`] }] }] },
      });
      if (!outcome.ok) {
        expect(outcome.error.message).toContain(`bad ${R} [E1] — hint: send Bearer ${R}`);
        expect(outcome.error.requestId).toBe(`req-${R}`);
      }
    },
  },
  {
    name: 'JSON with every character \\u-escaped',
    json: true,
    respond: (response, status, auth, bare) => {
      sendJsonText(response, status, `{"detail": "bad ${unicodeEscaped(bare)}", "${unicodeEscaped(bare)}": "${unicodeEscaped(auth)}"}`);
    },
    evidence: (outcome) => {
      expect(body(outcome)).toEqual({ detail: `bad ${R}`, [R]: `Bearer ${R}` });
    },
  },
  {
    name: 'percent-encoded in a JSON value',
    json: true,
    respond: (response, status, auth, bare) => {
      sendJsonText(response, status, JSON.stringify({ detail: `callback?token=${encodeURIComponent(bare)}&auth=${encodeURIComponent(auth)}` }));
    },
    evidence: (outcome) => {
      expect(body(outcome)).toEqual({ detail: `callback?token=${R}&auth=Bearer%20${R}` });
    },
  },
  ...['x-request-id', 'request-id', 'x-trace-id', 'x-correlation-id'].map(headerChannel),
  {
    name: 'content-type header',
    json: false,
    respond: (response, status, _auth, bare) => {
      response.writeHead(status, { 'content-type': `text/plain; key=${bare}` });
      response.end('not json');
    },
    evidence: (outcome) => {
      expect(failed(outcome).message).toContain(`content-type text/plain; key=${R}`);
    },
  },
  {
    name: 'HTTP status text',
    json: true,
    respond: (response, status, auth) => {
      response.statusMessage = `Denied ${auth}`;
      sendJsonText(response, status, JSON.stringify({ note: 'see status line' }));
    },
    evidence: (outcome, status) => {
      if (status === 200) expect(body(outcome)).toEqual({ note: 'see status line' });
      else expect(failed(outcome).message).toContain(`${status} Denied Bearer ${R}`);
    },
  },
  {
    name: 'non-JSON body that is exactly the credential',
    json: false,
    respond: (response, status, _auth, bare) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(bare);
    },
    evidence: (outcome) => {
      expect(rawText(outcome)).toBe(R);
    },
  },
  {
    name: 'JSON-escaped in an HTML page',
    json: false,
    respond: (response, status, _auth, bare) => {
      response.writeHead(status, { 'content-type': 'text/html' });
      response.end(`<script>var key = ${JSON.stringify(bare)};</script>`);
    },
    evidence: (outcome) => {
      expect(rawText(outcome)).toBe(`<script>var key = "${R}";</script>`);
    },
  },
  {
    name: 'non-JSON body with the credential across the 2048-character rawText cap',
    json: false,
    respond: (response, status, _auth, bare) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(`${longPrefix}${bare} tail`);
    },
    evidence: (outcome) => {
      // Whatever is kept of it after the prefix starts the marker: no first characters of the credential.
      expect(rawText(outcome)?.startsWith(`${longPrefix}[RED`)).toBe(true);
    },
  },
  {
    name: 'non-JSON body with the credential across the 16 KiB error-body read cap',
    json: false,
    respond: (response, status, _auth, bare) => {
      const filler = 'y'.repeat(ERROR_BODY_LIMIT - bare.length - 1 - 6);
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(`${bare} ${filler}${bare} and more after the limit`);
    },
    evidence: (outcome) => {
      expect(rawText(outcome)?.startsWith(`${R} yyyy`)).toBe(true);
    },
  },
];

const STATUSES: [number, string][] = [
  [400, 'BadRequestError'],
  [401, 'AuthenticationError'],
  [403, 'PermissionError'],
  [404, 'NotFoundError'],
  [409, 'ConflictError'],
  [418, 'ApiError'],
  [429, 'RateLimitError'],
  [500, 'ServerError'],
  [502, 'ServerError'],
  [200, 'success'],
];
/** Retried by the default policy: 3 attempts. */
const RETRIED = new Set([429, 502]);

function classByName(name: string): new (...args: never[]) => Error {
  const found = (errors as unknown as Record<string, unknown>)[name];
  if (typeof found !== 'function') throw new Error(`no error class ${name} in this build`);
  return found as new (...args: never[]) => Error;
}

function expectOutcomeClass(outcome: Outcome, status: number, expected: string, json: boolean): void {
  if (status === 200) {
    if (json) {
      expect(outcome.ok, outcome.ok ? '' : `${outcome.error.name}: ${outcome.error.message}`).toBe(true);
    } else {
      const error = failed(outcome);
      expect(error).toBeInstanceOf(errors.UnexpectedResponseError);
      expect(error.name).toBe('UnexpectedResponseError');
      expect(error.status).toBe(200);
    }
    return;
  }
  const error = failed(outcome);
  expect(error).toBeInstanceOf(classByName(expected));
  expect(error.name).toBe(expected);
  expect(error.status).toBe(status);
  expect(error.attempts).toBe(RETRIED.has(status) ? 3 : 1);
}

/** A server that echoes through `channel` with `status` on every request. */
async function echoServer(channel: Channel, status: number): Promise<LocalServer> {
  server = await startLocalServer((request, response) => {
    const auth = request.headers.authorization ?? '';
    channel.respond(response, status, auth, auth.replace(/^Bearer /, ''));
  });
  return server;
}

const TABLE = STATUSES.flatMap(([status, expected]) => CHANNELS.map((channel) => ({ status, expected, channel })));

describe('a server echoing the credential through every channel, for every status', () => {
  it.each(TABLE)('$status × $channel.name', async ({ status, expected, channel }) => {
    const { url, requests } = await echoServer(channel, status);
    const outcome = await settle(getPart(url));
    expectOutcomeClass(outcome, status, expected, channel.json);
    expect(requests).toHaveLength(RETRIED.has(status) ? 3 : 1);
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    channel.evidence(outcome, status);
    expectNoCredential(outcome, [SECRET]);
  });
});

describe('failures after the server has echoed the credential', () => {
  /** Sends a status line and headers full of the credential and the start of a body that holds it. */
  function echoHeadersAndBodyStart(response: ServerResponse, status: number, auth: string, bare: string): void {
    response.statusMessage = `Echo ${auth}`;
    response.writeHead(status, {
      'content-type': `application/json; key=${bare}`,
      'x-request-id': auth,
      'x-trace-id': bare,
      'content-length': '100000',
    });
    response.write(`{"detail": "${JSON.stringify(bare).slice(1, -1)} ${JSON.stringify(auth).slice(1, -1)}`);
  }

  function hostile(handle: (response: ServerResponse, auth: string, bare: string) => void) {
    return startLocalServer((request, response) => {
      const auth = request.headers.authorization ?? '';
      handle(response, auth, auth.replace(/^Bearer /, ''));
    });
  }

  it.each([200, 401, 503])('TimeoutError: status %i, headers and body start echoed, then the server hangs', async (status) => {
    server = await hostile((response, auth, bare) => {
      echoHeadersAndBodyStart(response, status, auth, bare);
    });
    const started = Date.now();
    const outcome = await settle(getPart(server.url, SECRET, { timeoutMs: 200, retry: false }));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(errors.TimeoutError);
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toContain('200 ms');
    expect(Date.now() - started).toBeLessThan(3 * 2_000);
    expect(server.requests).toHaveLength(1);
    expectNoCredential(outcome, [SECRET]);
  });

  it.each([200, 500])('ConnectionError: status %i, headers and body start echoed, then the socket is destroyed', async (status) => {
    server = await hostile((response, auth, bare) => {
      echoHeadersAndBodyStart(response, status, auth, bare);
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const outcome = await settle(getPart(server.url, SECRET, { retry: false }));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(errors.ConnectionError);
    expect(error.name).toBe('ConnectionError');
    expect(server.requests).toHaveLength(1);
    expectNoCredential(outcome, [SECRET]);
  });

  it('ConnectionError: a response that breaks HTTP right after echoing the credential (the parser quotes what it read)', async () => {
    let received = '';
    tcpServer = createTcpServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (!received.includes('\r\n\r\n')) return;
        const auth = /\r\nauthorization: ([^\r\n]*)/i.exec(received)?.[1] ?? '';
        const bare = auth.replace(/^Bearer /, '');
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Echo: ${auth}\r\nX-Bad: a\u0001${bare}\r\nContent-Length: 2\r\n\r\n{}`);
      });
    });
    const listening = tcpServer;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as { port: number };
    const outcome = await settle(getPart(`http://127.0.0.1:${port}`, SECRET, { retry: false }));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(errors.ConnectionError);
    expect(received).toContain(`Bearer ${SECRET}`);
    // The parser's error kept what it read, redacted.
    expect(inspect(error, { depth: Infinity })).toContain(R);
    expectNoCredential(outcome, [SECRET]);
  });

  it('ConnectionError: a redirect to an unparsable Location that holds the credential', async () => {
    server = await hostile((response, _auth, bare) => {
      response.writeHead(302, { location: `http://[${bare}` });
      response.end();
    });
    const outcome = await settle(getPart(server.url, SECRET, { retry: false }));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(errors.ConnectionError);
    expect(server.requests).toHaveLength(1);
    expectNoCredential(outcome, [SECRET]);
  });

  it('RedirectError: a redirect loop whose Location carries the credential, 21 requests', async () => {
    server = await hostile((response, auth, bare) => {
      response.writeHead(302, { location: `/loop?k=${encodeURIComponent(bare)}&a=${encodeURIComponent(auth)}`, 'x-request-id': auth });
      response.end(JSON.stringify({ detail: auth }));
    });
    const outcome = await settle(getPart(server.url));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(classByName('RedirectError'));
    expect(error.name).toBe('RedirectError');
    expect(server.requests).toHaveLength(21);
    expectNoCredential(outcome, [SECRET]);
  });

  it('DeadlineExceededError: cut off at the deadline while the server hangs after echoing', async () => {
    server = await hostile((response, auth, bare) => {
      echoHeadersAndBodyStart(response, 200, auth, bare);
    });
    const clock = virtualClock();
    const outcome = await settle(getPart(server.url, SECRET, { clock, timeoutMs: 5_000 }, { deadline: clock.now() + 200 }));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(classByName('DeadlineExceededError'));
    expect(error.name).toBe('DeadlineExceededError');
    expect(server.requests).toHaveLength(1);
    expectNoCredential(outcome, [SECRET]);
  });

  it('DeadlineExceededError: a 503 echoing the credential whose Retry-After passes the deadline', async () => {
    server = await hostile((response, auth, bare) => {
      response.statusMessage = `Busy ${auth}`;
      sendJsonText(response, 503, JSON.stringify({ detail: `busy for ${bare}` }), { 'retry-after': '20', 'x-request-id': auth });
    });
    const clock = virtualClock();
    const outcome = await settle(getPart(server.url, SECRET, { clock }, { deadline: clock.now() + 10_000 }));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(classByName('DeadlineExceededError'));
    // The error that would have been retried is its message and its cause, both redacted.
    expect(error.message).toContain(`busy for ${R}`);
    expect(error.cause).toBeInstanceOf(errors.ServerError);
    expect(server.requests).toHaveLength(1);
    expectNoCredential(outcome, [SECRET]);
  });

  it('AbortError: aborted while the server hangs after echoing', async () => {
    let answered: () => void = () => undefined;
    const echoed = new Promise<void>((resolve) => {
      answered = resolve;
    });
    server = await hostile((response, auth, bare) => {
      echoHeadersAndBodyStart(response, 401, auth, bare);
      answered();
    });
    const controller = new AbortController();
    const pending = settle(getPart(server.url, SECRET, {}, { signal: controller.signal }));
    await echoed;
    controller.abort();
    const outcome = await pending;
    const error = failed(outcome);
    expect(error).toBeInstanceOf(errors.AbortError);
    expect(error.name).toBe('AbortError');
    expectNoCredential(outcome, [SECRET]);
  });

  it('ResponseTooLargeError: a success body over maxResponseBytes that echoes the credential', async () => {
    server = await hostile((response, auth, bare) => {
      sendJsonText(response, 200, JSON.stringify({ detail: auth, token: bare, pad: 'p'.repeat(500) }), { 'x-request-id': auth });
    });
    const outcome = await settle(getPart(server.url, SECRET, { maxResponseBytes: 100 }));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(classByName('ResponseTooLargeError'));
    expect(error.name).toBe('ResponseTooLargeError');
    expect(server.requests).toHaveLength(1);
    expectNoCredential(outcome, [SECRET]);
  });

  it('a numeric credential echoed as a JSON number is not kept either', async () => {
    const numeric = '4242424242424242';
    server = await startLocalServer((_request, response) => {
      sendJsonText(response, 401, `{"detail": "bad key", "key": ${numeric}, "keys": [${numeric}]}`);
    });
    const outcome = await settle(getPart(server.url, numeric));
    expect(failed(outcome)).toBeInstanceOf(errors.AuthenticationError);
    expectNoCredential(outcome, [numeric]);
  });
});

describe('a credential function that returns a different token on each call', () => {
  const ROTATING_CHANNELS = CHANNELS.filter((channel) =>
    ['JSON body value', 'JSON body key', 'nested JSON (error envelope, arrays, request id)', 'x-request-id header', 'HTTP status text', 'non-JSON body that is exactly the credential'].includes(
      channel.name,
    ),
  );

  it.each(ROTATING_CHANNELS)('no token it ever returned shows, echoed through $name', async (channel) => {
    let issued = 0;
    const tokens: string[] = [];
    const credential = () => {
      const token = `tok_rotating_${String(++issued).padStart(4, '0')}_${'abcdefgh'.slice(issued)}`;
      tokens.push(token);
      return token;
    };
    // The server echoes every token it has seen so far, not only the current one.
    const seen: string[] = [];
    server = await startLocalServer((request, response) => {
      const auth = request.headers.authorization ?? '';
      seen.push(auth.replace(/^Bearer /, ''));
      channel.respond(response, 401, `Bearer ${seen.join(' ')}`, seen.join(' '));
    });
    const api = client(server.url, credential);
    const outcomes: Outcome[] = [];
    for (let call = 0; call < 3; call++) outcomes.push(await settle(api.get(ITEM_PATH)({ item_id: 'i', part_id: 'p' })));
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(3);
    expect(seen).toEqual(tokens);
    for (const outcome of outcomes) {
      expect(failed(outcome)).toBeInstanceOf(errors.AuthenticationError);
      expect(everything(outcome)).toContain(R);
      expectNoCredential(outcome, tokens);
    }
  });
});

describe('a 3-character key: redacted as a whole word, other words intact', () => {
  const KEY = 'als';
  const cases: { name: string; respond: (response: ServerResponse, auth: string) => void; shows: (error: errors.UpstatError) => void }[] = [
    {
      name: 'JSON body value',
      respond: (response, auth) => {
        sendJsonText(response, 401, JSON.stringify({ detail: `false alarm, also signals: ${auth} is not als` }));
      },
      shows: (error) => {
        expect(error.message).toContain(`false alarm, also signals: Bearer ${R} is not ${R}`);
        expect(error.body).toEqual({ detail: `false alarm, also signals: Bearer ${R} is not ${R}` });
      },
    },
    {
      name: 'JSON body key',
      respond: (response) => {
        sendJsonText(response, 401, JSON.stringify({ als: 'false', falsely: 'als' }));
      },
      shows: (error) => {
        expect(error.body).toEqual({ [R]: 'false', falsely: R });
      },
    },
    {
      name: 'status text',
      respond: (response, auth) => {
        response.statusMessage = `False ${auth} also`;
        sendJsonText(response, 403, JSON.stringify({ detail: 'false' }));
      },
      shows: (error) => {
        expect(error.message).toContain(`403 False Bearer ${R} also: false`);
      },
    },
    {
      name: 'x-request-id header',
      respond: (response, auth) => {
        sendJsonText(response, 404, '{}', { 'x-request-id': `${auth}-false` });
      },
      shows: (error) => {
        expect(error.requestId).toBe(`Bearer ${R}-false`);
      },
    },
    {
      name: 'non-JSON body',
      respond: (response) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=als' });
        response.end('als: false (signals also)');
      },
      shows: (error) => {
        expect(error).toMatchObject({ rawText: `${R}: false (signals also)` });
        expect(error.message).toContain(`content-type text/plain; charset=${R}`);
      },
    },
  ];

  it.each(cases)('$name', async ({ respond, shows }) => {
    server = await startLocalServer((request, response) => {
      respond(response, request.headers.authorization ?? '');
    });
    const outcome = await settle(getPart(server.url, KEY));
    const error = failed(outcome);
    expect(error).toBeInstanceOf(errors.ApiError);
    shows(error);
    const text = [error.message, String(error), safeJson(error), inspect(error, { depth: Infinity }), error.stack ?? ''].join('\n');
    expect(text).not.toMatch(wholeWord(KEY));
    expect(text).not.toContain(`fa${R}e`);
  });
});

describe('property: any credential, any echo channel, any position', () => {
  /** Visible ASCII: what a credential in a header can be made of. */
  const visible = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
  const fillerChar = fc.constantFrom(...Array.from('abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-_'));
  const placements = ['JSON value', 'JSON key', 'unicode-escaped JSON value', 'x-request-id header', 'status text', 'content-type header', 'non-JSON body'] as const;
  type Placement = (typeof placements)[number];

  interface Run {
    placement: Placement;
    status: number;
    text: string;
  }

  function respond(response: ServerResponse, { placement, status, text }: Run): void {
    switch (placement) {
      case 'JSON value':
        sendJsonText(response, status, JSON.stringify({ detail: text, nested: [{ message: text }] }));
        return;
      case 'JSON key':
        sendJsonText(response, status, JSON.stringify({ [text]: 1 }));
        return;
      case 'unicode-escaped JSON value':
        sendJsonText(response, status, `{"detail": "${unicodeEscaped(text)}"}`);
        return;
      case 'x-request-id header':
        sendJsonText(response, status, '{}', { 'x-request-id': text });
        return;
      case 'status text':
        response.statusMessage = text;
        sendJsonText(response, status, '{}');
        return;
      case 'content-type header':
        response.writeHead(status, { 'content-type': `text/plain; x=${text}` });
        response.end('<p>not json</p>');
        return;
      case 'non-JSON body':
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(`<p>${text}</p>`);
        return;
    }
  }

  it('never shows the credential', async () => {
    let current: Run | undefined;
    server = await startLocalServer((_request, response) => {
      if (current === undefined) throw new Error('no run set up');
      respond(response, current);
    });
    const url = server.url;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: visible, minLength: 8, maxLength: 40 }),
        fc.constantFrom(...placements),
        fc.constantFrom(400, 401, 403, 404, 409, 418, 429, 500, 502, 200),
        fc.string({ unit: fillerChar, maxLength: 60 }),
        fc.nat(),
        async (secret, placement, status, filler, at) => {
          const position = at % (filler.length + 1);
          current = { placement, status, text: `${filler.slice(0, position)}${secret}${filler.slice(position)}` };
          const outcome = await settle(getPart(url, secret));
          const silent = status === 200 && (placement === 'x-request-id header' || placement === 'status text');
          if (!silent) expect(everything(outcome)).toContain(R);
          expectNoCredential(outcome, [secret]);
        },
      ),
      { numRuns: 40 },
    );
  });
});

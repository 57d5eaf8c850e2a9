/**
 * Bounded memory and redirects against real local HTTP servers: huge or endless bodies are cut off at the
 * limit (the server sees its response closed early), error bodies are read only up to their small cap on
 * every attempt, redirect loops end in one RedirectError, and Authorization never follows a redirect to
 * another origin. Byte counts are what the server managed to write, so they hold whatever the client buffers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { startLocalServer, virtualClock, type LocalServer } from '@upstat/test-support';
import { sendai, type SendaiClientOptions } from '@upstat/sendai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createUpstat,
  RedirectError,
  ResponseTooLargeError,
  ServerError,
  TimeoutError,
  type UpstatConfig,
} from '../src/index.js';

type Responder = (request: IncomingMessage, response: ServerResponse) => void;

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Responder): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}

const REF = 'sendai:team_1/proj_1/upl_1';
const PATH = '/v2/team_1/project/proj_1/upload/upl_1';
const KEY = 'limits-test-key';
const MiB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

function upstatFor(url: string, extra: Omit<UpstatConfig, 'providers'> = {}, options: Partial<SendaiClientOptions> = {}) {
  return createUpstat({ providers: [sendai({ apiKey: KEY, baseUrl: url, ...options })], ...extra });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value: unknown) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** What a streaming server saw of each response it sent. */
interface Streamed {
  /** Bytes handed to `response.write` so far, over every response. */
  written: number;
  /** Responses that closed before their whole body was written. */
  closedEarly: number;
  /** Responses that closed, early or not. */
  closed: number;
}

/**
 * A responder that sends `status` with a body of `total` bytes (Infinity: endless) in 64 KiB chunks, writing
 * the next chunk only when the socket has drained (back-pressure), and stopping as soon as the response closes.
 * With `paceMs`, at most one chunk per `paceMs`, like a server behind a real network link. Unpaced, loopback's
 * socket buffers take about 4 MB per connection within milliseconds, before any client could react (even one
 * that reads nothing); paced, the bytes written show how soon the client let go.
 */
function streaming(status: number, contentType: string, total: number, headers: Record<string, string> = {}, paceMs?: number) {
  const seen: Streamed = { written: 0, closedEarly: 0, closed: 0 };
  const responder: Responder = (_request, response) => {
    let sent = 0;
    let open = true;
    response.on('close', () => {
      open = false;
      seen.closed += 1;
      if (sent < total) seen.closedEarly += 1;
    });
    response.writeHead(status, { 'content-type': contentType, ...headers });
    const pump = () => {
      while (open && sent < total) {
        const chunk = total - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, total - sent);
        sent += chunk.length;
        seen.written += chunk.length;
        const next = paceMs === undefined ? pump : () => setTimeout(pump, paceMs);
        if (!response.write(chunk)) {
          response.once('drain', next);
          return;
        }
        if (paceMs !== undefined) {
          next();
          return;
        }
      }
      if (open) response.end();
    };
    pump();
  };
  return { seen, responder };
}

/** Polls until `condition` holds or `ms` pass; the assertion after it says what was expected. */
async function eventually(condition: () => boolean, ms = 3_000): Promise<void> {
  const until = performance.now() + ms;
  while (!condition() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Runs `action` and records the largest growth of the process's resident memory while it runs. */
async function peakRssGrowth<T>(action: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const result = await action();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

describe('success bodies are bounded (default 1 MiB)', () => {
  it('a 200 streaming 200 MB: ResponseTooLargeError after one request, cut off early, memory stays flat', async () => {
    const { seen, responder } = streaming(200, 'application/json', 200 * MiB);
    const server = await serve(responder);
    const upstat = upstatFor(server.url);
    const { result: error, growth } = await peakRssGrowth(() => failure(upstat.status(REF)));
    await eventually(() => seen.closed === 1);
    expect(seen.closedEarly).toBe(1);
    expect(seen.written).toBeLessThan(20 * MiB);
    expect(growth).toBeLessThan(64 * MiB);
    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ limitBytes: 1_048_576, status: 200 });
  }, 30_000);

  it('a 200 declaring Content-Length 200 MB: ResponseTooLargeError without reading the body', async () => {
    const total = 200 * MiB;
    const { seen, responder } = streaming(200, 'application/json', total, { 'content-length': String(total) });
    const server = await serve(responder);
    const { result: error, growth } = await peakRssGrowth(() => failure(upstatFor(server.url).status(REF)));
    await eventually(() => seen.closed === 1);
    expect(seen.closedEarly).toBe(1);
    expect(seen.written).toBeLessThan(20 * MiB);
    expect(growth).toBeLessThan(64 * MiB);
    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ limitBytes: 1_048_576 });
  }, 30_000);

  it('an endless 200 body: ResponseTooLargeError (not a TimeoutError), long before the 10 s attempt timeout', async () => {
    const { seen, responder } = streaming(200, 'application/json', Number.POSITIVE_INFINITY);
    const server = await serve(responder);
    const start = performance.now();
    const error = await failure(upstatFor(server.url).status(REF));
    const ms = performance.now() - start;
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(ms).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
    await eventually(() => seen.closed === 1);
    expect(seen.closedEarly).toBe(1);
  }, 40_000);

  it('maxResponseBytes: 100 on a client: a 100-byte status body is read, a 300-byte one fails with ResponseTooLargeError', async () => {
    const sized = (bytes: number) => {
      const body = { payload: { id: 'upl_1', name: '', status: 'COMPLETED' } };
      body.payload.name = 'n'.repeat(bytes - JSON.stringify(body).length);
      const text = JSON.stringify(body);
      expect(Buffer.byteLength(text)).toBe(bytes);
      return text;
    };
    let size = 100;
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(sized(size));
    });
    const upstat = upstatFor(server.url, {}, { maxResponseBytes: 100 });
    await expect(upstat.status(REF)).resolves.toMatchObject({ state: 'succeeded' });
    size = 300;
    const error = await failure(upstat.status(REF));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ limitBytes: 100 });
    expect(server.requests).toHaveLength(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('maxResponseBytes %d: ConfigurationError at creation', (maxResponseBytes) => {
    let thrown: unknown;
    try {
      upstatFor('http://127.0.0.1:9', {}, { maxResponseBytes });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toContain('maxResponseBytes');
  });
});

describe('a Content-Length that lies, or a compressed body, is not trusted', () => {
  const STATUS = JSON.stringify({ payload: { id: 'upl_1', name: 'report.pdf', status: 'COMPLETED' } });

  it('a gzip body of 1 MiB + 1 byte (a few kilobytes on the wire, Content-Length small): ResponseTooLargeError', async () => {
    const inflated = Buffer.concat([Buffer.from(STATUS), Buffer.alloc(1 + MiB - Buffer.byteLength(STATUS), ' ')]);
    const wire = gzipSync(inflated);
    expect(wire.length).toBeLessThan(16 * 1024);
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(wire.length) });
      response.end(wire);
    });
    const error = await failure(upstatFor(server.url).status(REF));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ limitBytes: 1_048_576, status: 200 });
  });

  it('a gzip body of exactly 1 MiB is read whole (the limit counts decoded bytes)', async () => {
    const inflated = Buffer.concat([Buffer.from(STATUS), Buffer.alloc(MiB - Buffer.byteLength(STATUS), ' ')]);
    const wire = gzipSync(inflated);
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(wire.length) });
      response.end(wire);
    });
    await expect(upstatFor(server.url).status(REF)).resolves.toMatchObject({ state: 'succeeded' });
  });

  it('a custom fetch whose Response declares Content-Length 2 over a 5 MiB body: ResponseTooLargeError, body cut off', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += CHUNK.length;
        controller.enqueue(new Uint8Array(CHUNK));
        if (pulled >= 5 * MiB) controller.close();
      },
    });
    const headers = { 'content-type': 'application/json', 'content-length': '2' };
    const fetch = () => Promise.resolve(new Response(body, { status: 200, headers }));
    const error = await failure(upstatFor('http://127.0.0.1:9', {}, { fetch }).status(REF));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(pulled).toBeLessThan(2 * MiB);
  });

  it('a server that declares a short Content-Length and keeps sending: only the declared bytes are the body', async () => {
    // Node's fetch frames the body by the declared length; what follows is not part of the response.
    let sent = 0;
    const server = createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(STATUS)}\r\n\r\n${STATUS}`);
        const flood = (): void => {
          while (sent < 50 * MiB && !socket.destroyed) {
            sent += CHUNK.length;
            if (!socket.write(CHUNK)) {
              socket.once('drain', flood);
              return;
            }
          }
          socket.end();
        };
        flood();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { result, growth } = await peakRssGrowth(() => upstatFor(`http://127.0.0.1:${port}`).status(REF));
      expect(result).toMatchObject({ state: 'succeeded' });
      expect(growth).toBeLessThan(64 * MiB);
    } finally {
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    }
  }, 30_000);
});

describe('error bodies are read only up to their cap, on every attempt', () => {
  it('a 502 with a 100 MB HTML body: ServerError after 3 attempts, far less than 300 MB sent, short rawText', async () => {
    // Paced at one 64 KiB chunk per 4 ms (16 MB/s): a client reading every body would get 300 MB in about 19 s.
    const { seen, responder } = streaming(502, 'text/html', 100 * MiB, {}, 4);
    const server = await serve(responder);
    const clock = virtualClock();
    const upstat = upstatFor(server.url, { defaults: { clock, random: () => 0.5 } });
    const { result: error, growth } = await peakRssGrowth(() => failure(upstat.status(REF)));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, attempts: 3 });
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
    await eventually(() => seen.closed === 3);
    expect(seen.closedEarly).toBe(3);
    expect(seen.written).toBeLessThan(10 * MiB);
    const { rawText } = error as ServerError;
    expect(typeof rawText).toBe('string');
    expect(rawText?.startsWith('xxxx')).toBe(true);
    expect(rawText?.length).toBeLessThanOrEqual(2_100);
    expect(growth).toBeLessThan(64 * MiB);
  }, 60_000);
});

describe('redirects', () => {
  it.each([
    ['to itself', () => PATH],
    ['between two paths', (target: string) => (target === PATH ? '/elsewhere' : PATH)],
  ])('a redirect loop %s: one RedirectError after exactly 21 requests, not retried', async (_name, next) => {
    const server = await serve((request, response) => {
      response.writeHead(302, { location: next(request.url ?? '') });
      response.end();
    });
    const clock = virtualClock();
    const error = await failure(upstatFor(server.url, { defaults: { clock, random: () => 0.5 } }).status(REF));
    expect(server.requests).toHaveLength(21);
    expect(clock.sleeps).toEqual([]);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ attempts: 1 });
  });

  it('a redirect to another origin does not carry Authorization; the call gets the second server’s answer', async () => {
    const other = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ payload: { id: 'upl_1', name: 'from the other origin', status: 'COMPLETED' } }));
    });
    const first = await serve((_request, response) => {
      response.writeHead(302, { location: `${other.url}${PATH}` });
      response.end();
    });
    const status = await upstatFor(first.url).status(REF);
    expect(status).toMatchObject({ state: 'succeeded', raw: { body: { payload: { name: 'from the other origin' } } } });
    expect(first.requests).toHaveLength(1);
    expect(first.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]?.headers).not.toHaveProperty('authorization');
    expect(JSON.stringify(other.requests[0]?.headers)).not.toContain(KEY);
  });

  it('a redirect within the same origin keeps Authorization', async () => {
    const server = await serve((request, response) => {
      if (request.url === PATH) {
        response.writeHead(302, { location: '/moved/here' });
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ payload: { id: 'upl_1', name: 'moved', status: 'COMPLETED' } }));
    });
    const status = await upstatFor(server.url).status(REF);
    expect(status).toMatchObject({ state: 'succeeded', raw: { body: { payload: { name: 'moved' } } } });
    expect(server.requests.map((request) => request.target)).toEqual([PATH, '/moved/here']);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
  });
});

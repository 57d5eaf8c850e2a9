/** startMockServers, from the outside: real Prism servers in this process, reached over loopback with fetch. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MockStartError, startMockServers, stopMockServers, type MockServer } from '../src/index.js';

const SECRET = 'mock-test-secret-Zk81pQ';

/** A small spec: one GET whose 200 has a valid example first and one that breaks its own schema. */
const SPEC = {
  openapi: '3.1.0',
  info: { title: 'things', version: '1' },
  security: [{ bearer: [] }],
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'a thing',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['count'], properties: { count: { type: 'integer' } } },
                examples: { good: { value: { count: 1 } }, bad: { value: { count: 'many' } } },
              },
            },
          },
          '401': { description: 'no credential' },
        },
      },
    },
  },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
};

let dir: string;
let specPath: string;
const running: MockServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upstat-mocks-'));
  specPath = join(dir, 'things.json');
  await writeFile(specPath, JSON.stringify(SPEC));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await stopMockServers(running.splice(0));
  vi.restoreAllMocks();
});

async function start(...args: Parameters<typeof startMockServers>): Promise<MockServer[]> {
  const servers = await startMockServers(...args);
  running.push(...servers);
  return servers;
}

function get(server: MockServer, path: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${SECRET}`, ...headers } });
}

/** Listening sockets of this process: in-process servers add to them, child processes would not. */
const listeningSockets = () => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('startMockServers', () => {
  it('hosts every mock in this process, each on its own loopback port, printing nothing', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const before = listeningSockets();
    const servers = await start([
      { name: 'one', specPath },
      { name: 'two', specPath },
    ]);
    expect(servers.map((server) => server.name)).toEqual(['one', 'two']);
    const ports = servers.map((server) => new URL(server.url).port);
    expect(new Set(ports).size).toBe(2);
    for (const server of servers) expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Each mock is two listening sockets of this process: the front layer and Prism behind it.
    expect(listeningSockets() - before).toBe(4);

    const response = await get(servers[0] as MockServer, '/things/abc');
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ count: 1 });
    expect(stdout).not.toHaveBeenCalled();
    expect(servers[0]?.specPath).toBe(specPath);
  });

  it('turns a response that breaks the spec into an error and lists the violation; the log holds no credential', async () => {
    const [server] = (await start([{ name: 'things', specPath }])) as [MockServer];
    expect(server.violations()).toEqual([]);
    const response = await get(server, '/things/abc', { prefer: 'example=bad' });
    expect(response.status).toBe(500);
    expect(response.headers.get('sl-violations')).toContain('count');
    const violations = server.violations();
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.join('\n')).toMatch(/Violation: .*count/);
    expect(server.output()).toContain('Request received');
    expect(server.output()).toContain('GET /things/abc');
    expect(server.output()).not.toContain(SECRET);
  });

  it('checks security as Prism does: no credential, 401', async () => {
    const [server] = (await start([{ name: 'things', specPath }])) as [MockServer];
    const response = await fetch(`${server.url}/things/abc`);
    expect(response.status).toBe(401);
  });

  it('with errors: false, answers the broken example and still lists the violation', async () => {
    const [server] = (await start([{ name: 'things', specPath }], { errors: false })) as [MockServer];
    const response = await get(server, '/things/abc', { prefer: 'example=bad' });
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ count: 'many' });
    expect(server.violations().length).toBeGreaterThan(0);
  });

  it('still generates dynamic examples on request (Prism loads its faker on first use)', async () => {
    const [server] = (await start([{ name: 'things', specPath }])) as [MockServer];
    const response = await get(server, '/things/abc', { prefer: 'dynamic=true' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { count: unknown };
    expect(Number.isInteger(body.count)).toBe(true);
    expect(response.headers.get('sl-violations')).toBeNull();
  });

  it('names a missing spec path, resolved, without Prism help text, and starts nothing', async () => {
    const before = listeningSockets();
    const missing = join(dir, 'nope', 'openapi.json');
    const error = await rejection(start([{ name: 'good', specPath }, { name: 'ghost', specPath: missing }]));
    expect(error).toBeInstanceOf(AggregateError);
    const [cause] = (error as AggregateError).errors as [MockStartError];
    expect(cause).toBeInstanceOf(MockStartError);
    expect(cause).toMatchObject({ mock: 'ghost', specPath: missing });
    expect(cause.message).toBe(`mock "ghost": cannot read the spec ${missing}: no such file`);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).not.toMatch(/Usage|Options|--help/);
    // The good one was stopped again.
    expect(listeningSockets()).toBe(before);
  });

  it('shows a relative spec path as given and as resolved', async () => {
    const given = relative(process.cwd(), join(dir, 'missing.json'));
    const error = (await rejection(start([{ name: 'rel', specPath: given }]))) as AggregateError;
    expect(error.message).toBe(`mock "rel": cannot read the spec ${given} (${join(dir, 'missing.json')}): no such file`);
  });

  it('names a file that is not an OpenAPI document', async () => {
    const notSpec = join(dir, 'not-a-spec.json');
    await writeFile(notSpec, JSON.stringify({ hello: 'world' }));
    const error = (await rejection(start([{ name: 'odd', specPath: notSpec }]))) as AggregateError;
    expect(error.message).toContain(`mock "odd": Prism cannot load the spec ${notSpec}`);
    const directory = (await rejection(start([{ name: 'dir', specPath: dir }]))) as AggregateError;
    expect(directory.message).toBe(`mock "dir": the spec path ${dir} is not a file`);
  });

  it('rejects specs without a name or path before starting anything', async () => {
    await expect(startMockServers([{ name: '', specPath }])).rejects.toThrow(TypeError);
    await expect(startMockServers([{ name: 'x' } as never])).rejects.toThrow('non-empty name and specPath');
  });

  it('stop() closes open keep-alive connections and frees the port', async () => {
    const [server] = (await start([{ name: 'things', specPath }])) as [MockServer];
    const port = Number(new URL(server.url).port);
    // fetch keeps the connection open after this answer.
    expect((await get(server, '/things/abc')).status).toBe(200);
    await server.stop();
    await server.stop(); // a second stop is harmless
    await expect(get(server, '/things/abc')).rejects.toThrow();
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => {
      probe.close(() => {
        resolve();
      });
    });
  });
});

import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { createFront, type MockScenarios } from './front.js';
import { MockLog } from './log.js';
import { prism, type PrismLibraries, type PrismServer } from './prism.js';

/** One running Prism mock server. */
export interface MockServer {
  /** The name it was started under (the provider id). */
  name: string;
  /** `http://127.0.0.1:<port>`: use as the client's base URL. */
  url: string;
  /** Where it answers OAuth2 client-credentials token requests (`tokenPath`), to pass as the client's `tokenUrl`. */
  tokenUrl?: string | undefined;
  specPath: string;
  /**
   * Prism's log so far, one line per entry (`info [NEGOTIATOR] …`, `error [VALIDATOR] Violation: …`), and the
   * scenario layer's lines (`[SCENARIO]`). Request headers (credentials included) are never in it. The last
   * 10,000 lines are kept.
   */
  output(): string;
  /** Lines in which Prism reported a request or response that breaks the spec. */
  violations(): string[];
  /** Stops the server and closes its connections; the port is free when this resolves. */
  stop(): Promise<void>;
}

export interface MockSpec {
  name: string;
  /** Path of an OpenAPI file; a relative path is resolved against the current directory. */
  specPath: string;
  /** Upload scenarios this mock plays (see the README); none by default. */
  scenarios?: MockScenarios | undefined;
  /**
   * A path at which the mock answers OAuth2 client-credentials token requests itself (for a provider whose token
   * endpoint is on another server, or not in its spec): any client id and secret get a bearer token.
   */
  tokenPath?: string | undefined;
}

export interface StartMockOptions {
  /** Loopback only by default; mocks are never exposed beyond this machine. */
  host?: string;
  /** Turn spec violations into error responses (Prism's `--errors`). Default true. */
  errors?: boolean;
  /** How long starting may take, loading Prism included. Default 60 s (slow CI machines). */
  startTimeoutMs?: number;
}

/** A mock that could not start: its spec is missing or unreadable, it has no operations, or it could not listen. */
export class MockStartError extends Error {
  override readonly name = 'MockStartError';
  /** The name the mock was to start under. */
  readonly mock: string;
  /** The spec path, resolved. */
  readonly specPath: string;

  constructor(mock: string, specPath: string, problem: string, options?: ErrorOptions) {
    super(`mock ${JSON.stringify(mock)}: ${problem}`, options);
    this.mock = mock;
    this.specPath = specPath;
  }
}

/** Asks the OS for a free port on the host (there is a small race until something else binds it). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not read the port of a probe server'));
      });
    });
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `http://host:port`, with an IPv6 host in brackets. */
function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(0, host, () => {
      server.off('error', fail);
      const address = server.address();
      if (address !== null && typeof address === 'object') ready(address.port);
      else fail(new Error('could not read the port it listens on'));
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    if (!server.listening) {
      done();
      return;
    }
    server.close(() => {
      done();
    });
  });
}

/** Checks the spec's steps before Prism sees them: each is sent as `Prefer: example="<name>"`. */
function checkScenarios(spec: MockSpec, specPath: string): void {
  for (const [scenario, steps] of Object.entries(spec.scenarios?.steps ?? {})) {
    if (steps.length === 0) throw new MockStartError(spec.name, specPath, `scenario ${JSON.stringify(scenario)} has no steps`);
    const bad = steps.find((step) => step === '' || /["\p{Cc}]/u.test(step));
    if (bad !== undefined) throw new MockStartError(spec.name, specPath, `scenario ${JSON.stringify(scenario)}: ${JSON.stringify(bad)} cannot be sent as an example name`);
  }
}

async function startOne(spec: MockSpec, options: Required<StartMockOptions>, libraries: () => PrismLibraries): Promise<MockServer> {
  const specPath = resolve(spec.specPath);
  const fail = (problem: string, cause?: unknown) => new MockStartError(spec.name, specPath, problem, cause === undefined ? undefined : { cause });
  try {
    const file = await stat(specPath);
    if (!file.isFile()) throw fail(`the spec path ${specPath} is not a file`);
  } catch (error) {
    if (error instanceof MockStartError) throw error;
    const shown = spec.specPath === specPath ? specPath : `${spec.specPath} (${specPath})`;
    throw fail(`cannot read the spec ${shown}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : messageOf(error)}`, error);
  }
  checkScenarios(spec, specPath);

  const { loadOperations, createServer: createPrismServer } = libraries();
  let operations: readonly unknown[];
  try {
    operations = await loadOperations(specPath);
  } catch (error) {
    throw fail(`Prism cannot load the spec ${specPath}: ${messageOf(error)}`, error);
  }
  if (operations.length === 0) throw fail(`the spec ${specPath} has no operations`);

  const log = new MockLog();
  const prismServer: PrismServer = createPrismServer(operations, { errors: options.errors, log });
  const prismHost = '127.0.0.1';
  let prismPort: number;
  try {
    // Prism's listen rejects with a bare message.
    prismPort = Number(new URL(await prismServer.listen(0, prismHost)).port);
  } catch (error) {
    throw fail(`Prism could not listen on ${prismHost}: ${messageOf(error)}`);
  }

  const front = createFront({
    name: spec.name,
    prism: { host: prismHost, port: prismPort },
    scenarios: spec.scenarios,
    errors: options.errors,
    log,
    tokenPath: spec.tokenPath,
  });
  const stopPrism = () => prismServer.close().catch((error: unknown) => {
    log.add(`error [MOCKS] closing Prism: ${messageOf(error)}`);
  });
  let port: number;
  try {
    port = await listen(front.server, options.host);
  } catch (error) {
    await stopPrism();
    throw fail(`could not listen on ${options.host}: ${messageOf(error)}`, error);
  }

  let stopping: Promise<void> | undefined;
  const url = urlOf(options.host, port);
  return {
    name: spec.name,
    url,
    ...(spec.tokenPath === undefined ? {} : { tokenUrl: `${url}${spec.tokenPath}` }),
    specPath,
    output: () => log.output(),
    violations: () => log.violations(),
    stop: () => {
      stopping ??= (async () => {
        const closed = closeServer(front.server);
        front.closeConnections();
        await closed;
        await stopPrism();
      })();
      return stopping;
    },
  };
}

/** `promise`, or a MockStartError after `ms`; whatever starts after that is stopped. */
function withinTime(spec: MockSpec, ms: number, promise: Promise<MockServer>): Promise<MockServer> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new MockStartError(spec.name, resolve(spec.specPath), `did not start within ${ms} ms`));
    }, ms);
  });
  promise.then(
    (server) => {
      if (late) void server.stop();
    },
    () => undefined,
  );
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * Starts one Prism mock server per spec, all in this process and in parallel, each on its own free port of the
 * host (loopback by default). Rejects with an AggregateError of MockStartErrors if any cannot start (the
 * others are stopped first).
 */
export async function startMockServers(specs: MockSpec[], options: StartMockOptions = {}): Promise<MockServer[]> {
  const resolved: Required<StartMockOptions> = {
    host: options.host ?? '127.0.0.1',
    errors: options.errors ?? true,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
  };
  if (!Array.isArray(specs)) throw new TypeError(`startMockServers: specs must be an array of { name, specPath }, got ${typeof specs}`);
  for (const spec of specs as unknown[]) {
    const { name, specPath } = (spec ?? {}) as Partial<MockSpec>;
    if (typeof name !== 'string' || name === '' || typeof specPath !== 'string' || specPath === '') {
      throw new TypeError(`startMockServers: each spec needs a non-empty name and specPath, got ${JSON.stringify(spec)}`);
    }
  }
  const results = await Promise.allSettled(specs.map((spec) => withinTime(spec, resolved.startTimeoutMs, startOne(spec, resolved, prism))));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
  if (failures.length > 0) {
    // Do not leave the ones that did start running.
    await Promise.all(started.map((server) => server.stop()));
    throw new AggregateError(failures, failures.map((failure) => failure.message).join('\n'));
  }
  return started;
}

export async function stopMockServers(servers: MockServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}

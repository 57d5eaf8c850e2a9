import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** One running Prism mock server. */
export interface MockServer {
  /** The name it was started under (the provider id). */
  name: string;
  /** `http://127.0.0.1:<port>`: use as the client's base URL. */
  url: string;
  specPath: string;
  /** Everything Prism printed so far. */
  output(): string;
  /** Lines in which Prism reported a request or response that breaks the spec. */
  violations(): string[];
  stop(): Promise<void>;
}

export interface MockSpec {
  name: string;
  specPath: string;
}

export interface StartMockOptions {
  /** Loopback only by default; mocks are never exposed beyond this machine. */
  host?: string;
  /** Turn spec violations into error responses (Prism's `--errors`). Default true. */
  errors?: boolean;
  /** How long to wait for Prism to listen. Default 60 s (slow CI machines). */
  startTimeoutMs?: number;
}

const require = createRequire(import.meta.url);

function prismBin(): string {
  const manifestPath = require.resolve('@stoplight/prism-cli/package.json');
  const manifest = require(manifestPath) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.prism;
  if (bin === undefined) throw new Error('@stoplight/prism-cli has no "prism" bin');
  return join(dirname(manifestPath), bin);
}

/** Asks the OS for a free port on the host (there is a small race until Prism binds it; startup retries once). */
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

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => {
      child.kill('SIGKILL');
    }, 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

const VIOLATION_LINE = /Violation:|did not pass the validation rules/;

async function startOne(spec: MockSpec, options: Required<StartMockOptions>, attempt = 1): Promise<MockServer> {
  const port = await freePort(options.host);
  const args = [prismBin(), 'mock', spec.specPath, '--host', options.host, '--port', String(port)];
  if (options.errors) args.push('--errors');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const url = `http://${options.host}:${port}`;

  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => {
        fail(new Error(`Prism for ${spec.name} did not start within ${options.startTimeoutMs} ms`));
      }, options.startTimeoutMs);
      const check = () => {
        if (output.includes('Prism is listening on')) {
          clearTimeout(timer);
          ready();
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`Prism for ${spec.name} exited with code ${code} before listening`));
      });
    });
  } catch (error) {
    await stopChild(child);
    if (attempt < 2 && output.includes('EADDRINUSE')) return startOne(spec, options, attempt + 1);
    throw new Error(`${(error as Error).message}. Prism said:\n${output.trim()}`, { cause: error });
  }

  return {
    name: spec.name,
    url,
    specPath: spec.specPath,
    output: () => output,
    violations: () => output.split('\n').filter((line) => VIOLATION_LINE.test(line)),
    stop: () => stopChild(child),
  };
}

/** Starts one Prism mock server per spec, in parallel, each on a free loopback port. */
export async function startMockServers(specs: MockSpec[], options: StartMockOptions = {}): Promise<MockServer[]> {
  const resolved: Required<StartMockOptions> = {
    host: options.host ?? '127.0.0.1',
    errors: options.errors ?? true,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
  };
  const results = await Promise.allSettled(specs.map((spec) => startOne(spec, resolved)));
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

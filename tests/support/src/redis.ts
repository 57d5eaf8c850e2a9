import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's redis-server (`apt-get install redis-server`; `.ci/run` installs it). */
export const REDIS_SERVER = 'redis-server';
export const MISSING = `${REDIS_SERVER} not found on PATH: install Debian's redis-server (.ci/run does)`;
export const hasRedis = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' }).status === 0;
/** Outside CI a missing redis-server only skips these tests (with a notice); in CI they must fail, never pass silently. */
export const skipRedis = !hasRedis && process.env.CI === undefined;

export const hasOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

/** A self-signed certificate (its own CA) and key for 127.0.0.1, made with openssl in `dir`. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export function selfSignedCertificate(dir: string): TlsFiles {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return { cert, key };
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM) and deletes its directory. */
  stop(): Promise<void>;
  /**
   * Ends the server with `signal` (SIGKILL: a crash) and starts it again on the same port and directory: with its
   * append-only file it comes back with its data; with `--appendonly no` it comes back empty. `downMs` keeps the port
   * closed that long in between.
   */
  restart(options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
}

/** A loopback port that was free a moment ago: nothing listens on it (a server may take it, or a test use it as closed). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * A redis-server of the test's own: loopback only, a free port, a temporary directory, its append-only file there
 * (as @upstat/queue requires by default; no RDB snapshots). `extra` adds arguments (`--requirepass`, or
 * `--appendonly no` for a Redis that a restart leaves empty: later arguments win).
 */
export async function startRedis(extra: string[] = [], options: { tls?: TlsFiles } = {}): Promise<RedisServer> {
  if (!hasRedis) throw new Error(MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'upstat-redis-'));
  const port = await freePort();
  // With TLS, plain TCP is off (`--port 0`) and the port speaks TLS only.
  const listen = options.tls === undefined
    ? ['--port', String(port)]
    : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.cert, '--tls-auth-clients', 'no'];
  const args = [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--daemonize', 'no', '--loglevel', 'warning', ...extra];

  async function launch(): Promise<{ child: ChildProcess; exited: Promise<void> }> {
    const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
    // Ready when it accepts a connection (its log level hides the "ready" line).
    for (let tries = 0; ; tries += 1) {
      if (child.exitCode !== null) throw new Error(`redis-server exited at start (${child.exitCode}): ${output}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.once('connect', () => { socket.destroy(); resolve(true); });
        socket.once('error', () => { resolve(false); });
      });
      if (open) break;
      if (tries > 200) throw new Error(`redis-server did not start on port ${port}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return { child, exited };
  }

  let current = await launch();
  const end = async (signal: NodeJS.Signals) => {
    if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill(signal);
    await current.exited;
  };
  return {
    url: `${options.tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async ({ signal = 'SIGKILL', downMs = 0 } = {}) => {
      await end(signal);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      current = await launch();
    },
  };
}

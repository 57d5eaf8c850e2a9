/**
 * `upstat wait --timeout` is a deadline: the built CLI, run as a child process against a real local server that
 * hangs or rate-limits, exits 4 (timed out) soon after the timeout, whatever the server does.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startLocalServer, type LocalServer } from '@upstat/test-support';
import { afterEach, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/upstat.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit, in milliseconds. */
  ms: number;
}

/** Runs the CLI with credentials only from `env`. */
function upstat(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('UPSTAT_')));
    const start = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr, ms: performance.now() - start });
    });
  });
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const REF = 'sendai:team_1/proj_1/upl_1';
const KEY = 'cli-deadline-key';
const envFor = (local: LocalServer) => ({ UPSTAT_SENDAI_API_KEY: KEY, UPSTAT_SENDAI_BASE_URL: local.url });

describe('upstat wait --timeout', () => {
  it('against a server that never answers: exit 4 soon after 1 s, saying it timed out', async () => {
    server = await startLocalServer(() => undefined);
    const run = await upstat(['wait', REF, '--timeout', '1s'], envFor(server));
    expect(run.code).toBe(4);
    // Node's start-up is included; the old code ran into the 10 s attempt timeout (exit 5).
    expect(run.ms).toBeLessThan(4_000);
    expect(run.stderr).toMatch(/did not finish within/);
    expect(run.stderr).toContain('--timeout');
    expect(run.stderr).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('against a 429 asking for Retry-After: 120: exit 4 at once, not after the Retry-After or the 5 s timeout', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '120' });
      response.end('{}');
    });
    const run = await upstat(['wait', REF, '--timeout', '5s'], envFor(server));
    expect(run.code).toBe(4);
    expect(run.ms).toBeLessThan(4_000);
    expect(run.stderr).toMatch(/did not finish within/);
    expect(run.stderr).toContain('--timeout');
    expect(server.requests).toHaveLength(1);
  });
});

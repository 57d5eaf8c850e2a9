import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest } from '@upstat/test-support';

export { PNPM, TSC, publishedPackages, readManifest, repoRoot, workspacePackages, type Manifest, type WorkspacePackage } from '@upstat/test-support';

/**
 * How each published package is meant to be consumed (README "Installing and using the packages"). The tests
 * derive what they check from this, and fail when a published package is missing here, so a new package is
 * classified on purpose rather than silently skipped.
 */
export type PackageKind =
  /** ESM + CommonJS with declarations for each, web APIs only: runs in Node and browsers. */
  | 'runtime'
  /** A runtime package that also ships its effective spec as `./openapi.json`. */
  | 'provider'
  /** An ESM-only Node library with types (and maybe a bin). */
  | 'node-tool'
  /** A command only: a bin, no importable entry point. */
  | 'command';

export const PACKAGE_KINDS: Readonly<Record<string, PackageKind>> = {
  '@upstat/core': 'runtime',
  upstat: 'runtime',
  '@upstat/pandadoc': 'provider',
  '@upstat/document360': 'provider',
  '@upstat/sendai': 'provider',
  '@upstat/nullspace': 'provider',
  '@upstat/mocks': 'node-tool',
  '@upstat/spec-tools': 'node-tool',
  '@upstat/cli': 'command',
};

export function kindOf(name: string): PackageKind {
  const kind = PACKAGE_KINDS[name];
  if (kind === undefined) throw new Error(`${name} is published but not classified in PACKAGE_KINDS (tests/packaging/src/workspace.ts)`);
  return kind;
}

/** Runs in browsers and from CommonJS too: what the consumer projects install. */
export const isRuntime = (name: string): boolean => ['runtime', 'provider'].includes(kindOf(name));

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs a Node script (never a shell), capturing its output. */
export function runNode(args: string[], { cwd, env = process.env, timeoutMs = 240_000 }: RunOptions): RunResult {
  const run = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Like runNode, but without blocking the event loop: needed while an in-process server (the mock's client, http) must answer. */
export function runNodeAsync(args: string[], { cwd, env = process.env, timeoutMs = 240_000 }: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}

/** The command line and everything it printed, for failure messages. */
export function describeRun(what: string, run: RunResult): string {
  return `${what} exited with ${String(run.status)}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** Runs a Node script and throws, with its output, unless it exits 0. */
export function mustRunNode(what: string, args: string[], options: RunOptions): RunResult {
  const run = runNode(args, options);
  if (run.status !== 0) throw new Error(describeRun(what, run));
  return run;
}

/** The file a dependency of this test package declares as its bin, e.g. `binOf('publint', 'publint')`. */
export function binOf(dependency: string, bin: string): string {
  // Read from this package's own node_modules: the pinned version it declares, whatever its exports allow.
  const dir = fileURLToPath(new URL(`../node_modules/${dependency}/`, import.meta.url));
  const manifest = readManifest(dir);
  const file = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  if (file === undefined) throw new Error(`${dependency} has no "${bin}" bin`);
  return join(dir, file);
}

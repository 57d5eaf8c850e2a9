import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedPackages, readManifest, type Manifest } from '@upstat/test-support';

export { PNPM, TSC, publishedPackages, readManifest, repoRoot, workspacePackages, type Manifest, type WorkspacePackage } from '@upstat/test-support';

/**
 * How each published package is meant to be consumed (README "Installing and using the packages"), read from its
 * manifest: `upstat.provider` (a provider package, generated from its definition), `upstat.runtime: "web"` (runs in
 * Node and browsers); otherwise an entry point makes it a Node tool, and a bin without one a command. The tests
 * derive what they check from this; a published package that fits none of these fails them, so a new kind of
 * package is classified on purpose rather than silently skipped.
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

/** upstat's own section of a package.json. */
interface UpstatSection {
  /** The provider id of a provider package (`@upstat/<id>`). */
  provider?: unknown;
  /** `web` for packages that run in Node and browsers. */
  runtime?: unknown;
}

/** The kind of a published package, from its manifest; throws for a package that fits no kind. */
export function packageKind(manifest: Manifest): PackageKind {
  const upstat = (manifest as Manifest & { upstat?: UpstatSection }).upstat ?? {};
  const { name } = manifest;
  if (upstat.runtime !== undefined && upstat.runtime !== 'web') throw new Error(`${name}: upstat.runtime must be "web", not ${JSON.stringify(upstat.runtime)}`);
  if (upstat.provider !== undefined) {
    if (typeof upstat.provider !== 'string' || name !== `@upstat/${upstat.provider}`) {
      throw new Error(`${name}: upstat.provider must be the id the package is named after, not ${JSON.stringify(upstat.provider)}`);
    }
    if (upstat.runtime !== 'web') throw new Error(`${name}: a provider package runs in browsers too (upstat.runtime "web")`);
    return 'provider';
  }
  if (upstat.runtime === 'web') return 'runtime';
  const exportsMap = manifest.exports;
  if (typeof exportsMap === 'object' && '.' in exportsMap) return 'node-tool';
  if (manifest.bin !== undefined) return 'command';
  throw new Error(`${name} is published but has no upstat.runtime or upstat.provider, no entry point and no bin: what is it for?`);
}

let published: Map<string, Manifest> | undefined;

/** The kind of a published package of this workspace, by name. */
export function kindOf(name: string): PackageKind {
  published ??= new Map(publishedPackages().map((pkg) => [pkg.name, pkg.manifest]));
  const manifest = published.get(name);
  if (manifest === undefined) throw new Error(`${name} is not a published package of this workspace`);
  return packageKind(manifest);
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
export function runNodeAsync(args: string[], options: RunOptions): Promise<RunResult> {
  return runAsync(process.execPath, args, options);
}

/** Runs any command without blocking the event loop, collecting its output. */
export function runAsync(command: string, args: string[], { cwd, env = process.env, timeoutMs = 240_000 }: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
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

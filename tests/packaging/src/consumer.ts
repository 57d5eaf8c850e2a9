import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeRun, isRuntime, publishedPackages, PNPM, readManifest, runNodeAsync } from './workspace.js';

/** The directory Node's resolution finds `name` in, starting from `fromDir` (pnpm's layout: follow the symlinks). */
function installedDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} is not installed where ${fromDir} can resolve it; run the workspace install first`);
  }
}

/**
 * The third-party packages the runtime packages depend on (openapi-fetch and what it needs), transitively, each as
 * the directory the workspace's frozen-lockfile install put it in. The consumer projects take them from there, at
 * exactly the versions the lockfile pins: tests never reach the registry, and pnpm's offline mode would need
 * registry metadata that a frozen install never downloads.
 */
function thirdPartyRuntimeDependencies(): Record<string, string> {
  const found: Record<string, string> = {};
  const visit = (dependencies: Record<string, string> | undefined, fromDir: string) => {
    for (const name of Object.keys(dependencies ?? {})) {
      if (name === 'upstat' || name.startsWith('@upstat/') || name in found) continue;
      const dir = installedDir(name, fromDir);
      found[name] = dir;
      visit(readManifest(dir).dependencies, dir);
    }
  };
  for (const pkg of publishedPackages().filter((published) => isRuntime(published.name))) visit(pkg.manifest.dependencies, pkg.dir);
  return found;
}

export interface Consumer {
  dir: string;
  remove: () => void;
}

export interface ConsumerOptions {
  /** Short label for the temp directory name. */
  label: string;
  /** Tarball path of every published package, keyed by name. */
  tarballs: Record<string, string>;
  /** Extra package.json fields, e.g. `{ type: 'module' }`. */
  manifest?: Record<string, unknown>;
  /** Files to write, path relative to the project → content. */
  files: Record<string, string>;
}

/**
 * A fresh project outside the workspace (under the OS temp dir, so no pnpm-workspace.yaml or node_modules of the
 * repo is in reach) with the runtime packages installed from their tarballs, the way a user installs them.
 */
export async function createConsumer({ label, tarballs, manifest = {}, files }: ConsumerOptions): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), `upstat-consumer-${label}-`));
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const spec = (path: string) => `file:${path}`;
    // Dependencies: the runtime packages. The Node tools (mocks, spec-tools, cli) pull in Prism, Redocly and
    // TypeScript, hundreds of packages that could only come from the registry; lint.test.ts checks their tarballs.
    const dependencies = Object.fromEntries(Object.entries(tarballs).filter(([name]) => isRuntime(name)).map(([name, path]) => [name, spec(path)]));
    // Overrides for every package: upstat's own `@upstat/core@0.1.0` etc. must resolve to these tarballs, not to
    // whatever the registry has under that version; third-party ones to the workspace's installed copies.
    const overrides = {
      ...Object.fromEntries(Object.entries(thirdPartyRuntimeDependencies()).map(([name, dir]) => [name, spec(dir)])),
      ...Object.fromEntries(Object.entries(tarballs).map(([name, path]) => [name, spec(path)])),
    };
    const packageJson = { name: `upstat-consumer-${label}`, version: '0.0.0', private: true, ...manifest, dependencies, pnpm: { overrides } };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }

    // Offline: every dependency is a local tarball or directory, so a registry request would be a bug and fails.
    // No lockfile exists yet, hence --no-frozen-lockfile (CI defaults to frozen).
    const install = await runNodeAsync([PNPM, 'install', '--offline', '--no-frozen-lockfile', '--reporter=append-only'], { cwd: dir });
    if (install.status !== 0) throw new Error(describeRun(`pnpm install in ${dir}`, install));
    return { dir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * The @upstat packages pnpm put into the project's virtual store (`node_modules/.pnpm/<name>@<version or source>`),
 * to prove each came from a tarball (`file+...`) and none from a registry.
 */
export function installedUpstatPackages(dir: string): string[] {
  return readdirSync(join(dir, 'node_modules', '.pnpm')).filter((entry) => /^(?:@upstat\+|upstat@)/.test(entry));
}

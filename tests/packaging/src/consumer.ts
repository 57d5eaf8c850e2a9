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
 * The third-party packages the given published packages depend on (openapi-fetch and what it needs, for the
 * runtime packages), transitively, each as the directory the workspace's frozen-lockfile install put it in. The
 * consumer projects take them from there, at exactly the versions the lockfile pins: tests never reach the
 * registry, and pnpm's offline mode would need registry metadata that a frozen install never downloads. Names in
 * `linked` are left out (they are symlinked, with their own dependencies resolved in the workspace).
 */
function thirdPartyDependencies(names: readonly string[], linked: ReadonlySet<string>): Record<string, string> {
  const found: Record<string, string> = {};
  const visit = (dependencies: Record<string, string> | undefined, fromDir: string) => {
    for (const name of Object.keys(dependencies ?? {})) {
      if (name === 'upstat' || name.startsWith('@upstat/') || name in found || linked.has(name)) continue;
      const dir = installedDir(name, fromDir);
      found[name] = dir;
      visit(readManifest(dir).dependencies, dir);
    }
  };
  const wanted = new Set(names);
  for (const pkg of publishedPackages().filter((published) => wanted.has(published.name) || isRuntime(published.name))) {
    visit(pkg.manifest.dependencies, pkg.dir);
  }
  return found;
}

/**
 * The third-party dependencies of a published package as the workspace installed them, by name: for `link`, so that
 * a consumer gets a large tree (Prism's libraries) as a symlink rather than hundreds of copied packages.
 */
export function workspaceDependencyDirs(packageName: string): Record<string, string> {
  const pkg = publishedPackages().find((published) => published.name === packageName);
  if (pkg === undefined) throw new Error(`${packageName} is not a published package of the workspace`);
  return Object.fromEntries(
    Object.keys(pkg.manifest.dependencies ?? {})
      .filter((name) => name !== 'upstat' && !name.startsWith('@upstat/'))
      .map((name) => [name, installedDir(name, pkg.dir)]),
  );
}

export { installedDir };

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
  /** Published packages to install besides the runtime packages (e.g. `@upstat/cli`, `@upstat/mocks`). */
  extra?: readonly string[];
  /**
   * Third-party packages symlinked (`link:`) from the workspace's install instead of installed from a copy, name →
   * directory: their own dependencies resolve inside the workspace's store, so no registry is needed for them.
   * Given to the project as dependencies (and overrides, for the tarballs that depend on them).
   */
  link?: Record<string, string>;
}

/**
 * A fresh project outside the workspace (under the OS temp dir, so no pnpm-workspace.yaml or node_modules of the
 * repo is in reach) with the runtime packages installed from their tarballs, the way a user installs them.
 */
export async function createConsumer({ label, tarballs, manifest = {}, files, extra = [], link = {} }: ConsumerOptions): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), `upstat-consumer-${label}-`));
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const spec = (path: string) => `file:${path}`;
    // Dependencies: the runtime packages, and the Node tools asked for. The Node tools pull in Prism, Redocly and
    // TypeScript, hundreds of packages that could only come from the registry: a project that installs one links
    // those (`link`); lint.test.ts checks every tarball.
    const linked = Object.fromEntries(Object.entries(link).map(([name, dir]) => [name, `link:${dir}`]));
    const dependencies = {
      ...Object.fromEntries(Object.entries(tarballs).filter(([name]) => isRuntime(name) || extra.includes(name)).map(([name, path]) => [name, spec(path)])),
      ...linked,
    };
    // Overrides for every package: upstat's own `@upstat/core@0.1.0` etc. must resolve to these tarballs, not to
    // whatever the registry has under that version; third-party ones to the workspace's installed copies.
    const overrides = {
      ...Object.fromEntries(Object.entries(thirdPartyDependencies(extra, new Set(Object.keys(link)))).map(([name, dir]) => [name, spec(dir)])),
      ...Object.fromEntries(Object.entries(tarballs).map(([name, path]) => [name, spec(path)])),
      ...linked,
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

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The root of the repository these helpers live in: the nearest directory above this file with a
 * pnpm-workspace.yaml. Found rather than counted, so it stays right when a tool bundles these helpers
 * into another directory (benchmarks/dist).
 */
export const repoRoot = ((): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${fileURLToPath(import.meta.url)}`);
  }
})();

/**
 * A throwaway copy of the repository that shares the installed dependencies: the root node_modules is
 * a link to the real one, and each package's node_modules is copied link for link, so workspace
 * packages resolve to the copies. Build outputs and turbo's cache come along, so unchanged packages
 * are not rebuilt.
 */
export function copyRepo(): { root: string; remove: () => void } {
  const target = mkdtempSync(join(tmpdir(), 'upstat-repo-'));
  const skip = new Set(['.git', join('tools', 'pnpm', 'node_modules')]);
  cpSync(repoRoot, target, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => {
      const path = relative(repoRoot, source);
      return path !== 'node_modules' && !skip.has(path) && !path.startsWith(`node_modules${sep}`);
    },
  });
  symlinkSync(join(repoRoot, 'node_modules'), join(target, 'node_modules'), 'dir');
  return { root: target, remove: () => { rmSync(target, { recursive: true, force: true }); } };
}

/**
 * A throwaway copy of the repository with an install of its own (hard links from pnpm's store, offline), for
 * tests that change the workspace itself (add a package): nothing they install or link reaches this checkout.
 * Sources, committed files, build outputs and turbo's cache come along (so that turbo rebuilds only the packages a
 * test changes, not all of them); node_modules is made afresh.
 */
export function isolatedRepoCopy(): { root: string; remove: () => void } {
  const target = mkdtempSync(join(tmpdir(), 'upstat-isolated-'));
  const skipped = new Set(['node_modules', '.git', 'coverage', '.tmp']);
  cpSync(repoRoot, target, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !relative(repoRoot, source).split(sep).some((part) => skipped.has(part)),
  });
  const install = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs'), 'install', '--offline', '--frozen-lockfile', '--reporter=silent'], {
    cwd: target,
    encoding: 'utf8',
  });
  if (install.status !== 0) {
    rmSync(target, { recursive: true, force: true });
    throw new Error(`pnpm install in a copy of the repository failed (${String(install.status)}):\n${install.stdout}${install.stderr}`);
  }
  return { root: target, remove: () => { rmSync(target, { recursive: true, force: true }); } };
}

/** Runs a repo script the way `pnpm spec:...` does, in the given copy. */
export function spec(root: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'spec.mjs'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Every file below a directory with its content, to prove that nothing was written. */
export function snapshot(root: string, dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (entry === 'node_modules' || entry === 'dist' || entry === '.turbo') continue;
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  for (const dir of dirs) walk(join(root, dir));
  return files;
}

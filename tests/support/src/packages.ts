import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-copy.js';

/** The workspace's own pnpm and tsc, so packing, installing and type-checking use the pinned versions. */
export const PNPM = join(repoRoot, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
export const TSC = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** The package.json fields the packaging tests and the benchmarks read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  description?: string;
  keywords?: string[];
  license?: string;
  repository?: { type?: string; url?: string; directory?: string } | string;
  sideEffects?: boolean | string[];
  engines?: Record<string, string>;
  exports?: Record<string, unknown> | string;
  main?: string;
  module?: string;
  types?: string;
  bin?: Record<string, string> | string;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  name: string;
  /** Absolute path of the package directory. */
  dir: string;
  /** Path relative to the repository root, e.g. `packages/pandadoc`. */
  relativeDir: string;
  manifest: Manifest;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every workspace package under `<root>/<group>/*`, private ones included (default groups: packages/ and tests/). */
export function workspacePackages(root: string = repoRoot, groups: string[] = ['packages', 'tests']): WorkspacePackage[] {
  return groups.flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, 'package.json')))
      .map((entry) => {
        const dir = join(root, group, entry.name);
        const manifest = readManifest(dir);
        return { name: manifest.name, dir, relativeDir: `${group}/${entry.name}`, manifest };
      }),
  );
}

/** The packages that get published: every non-private package in packages/. */
export function publishedPackages(root: string = repoRoot): WorkspacePackage[] {
  return workspacePackages(root, ['packages']).filter((pkg) => pkg.manifest.private !== true);
}

export interface PackedTarball {
  name: string;
  version: string;
  /** Absolute path of the .tgz. */
  filename: string;
}

/**
 * `pnpm pack` of one package into `destination`: what `pnpm publish` uploads (it applies `files` and rewrites
 * `workspace:*` to real versions).
 */
export async function packPackage(dir: string, destination: string): Promise<PackedTarball> {
  const { stdout } = await promisify(execFile)(process.execPath, [PNPM, 'pack', '--pack-destination', destination, '--json'], { cwd: dir });
  const packed = JSON.parse(stdout) as Partial<Record<keyof PackedTarball, unknown>>;
  if (typeof packed.name !== 'string' || typeof packed.version !== 'string' || typeof packed.filename !== 'string' || !existsSync(packed.filename)) {
    throw new Error(`pnpm pack in ${dir} named no tarball:\n${stdout}`);
  }
  return { name: packed.name, version: packed.version, filename: packed.filename };
}

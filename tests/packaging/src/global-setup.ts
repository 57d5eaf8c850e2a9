import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packPackage } from '@upstat/test-support';
import { publishedPackages } from './workspace.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of each published package's tarball, keyed by package name. */
    tarballs: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const packages = publishedPackages();
  // The tarballs hold dist/; packing unbuilt packages would only produce confusing failures later.
  const unbuilt = packages.filter((pkg) => !existsSync(join(pkg.dir, 'dist')));
  if (unbuilt.length > 0) {
    throw new Error(`build first (node scripts/turbo.mjs run build): no dist/ in ${unbuilt.map((pkg) => pkg.relativeDir).join(', ')}`);
  }

  const destination = mkdtempSync(join(tmpdir(), 'upstat-tarballs-'));
  const remove = () => {
    rmSync(destination, { recursive: true, force: true });
  };
  try {
    const tarballs: Record<string, string> = {};
    // Two at a time: the reference machine has two cores.
    const queue = [...packages];
    const worker = async () => {
      for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) tarballs[pkg.name] = (await packPackage(pkg.dir, destination)).filename;
    };
    await Promise.all([worker(), worker()]);
    project.provide('tarballs', tarballs);
  } catch (error) {
    remove();
    throw error;
  }
  return remove;
}

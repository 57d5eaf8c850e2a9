import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The nearest directory at or above `from` that holds a workspace or git root marker. */
export function findRepoRoot(from: string = process.cwd()): string {
  let current = resolve(from);
  for (;;) {
    if (existsSync(join(current, 'pnpm-workspace.yaml')) || existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return resolve(from);
    current = parent;
  }
}

/** A path as a person at the repo root would type it. */
export function displayPath(path: string): string {
  const shown = relative(findRepoRoot(), path);
  return shown === '' ? '.' : shown;
}

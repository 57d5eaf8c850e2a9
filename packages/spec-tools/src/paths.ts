import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The nearest directory at or above `from` that holds a workspace or git root marker, if there is one. */
export function findMarkedRoot(from: string = process.cwd()): string | undefined {
  let current = resolve(from);
  for (;;) {
    if (existsSync(join(current, 'pnpm-workspace.yaml')) || existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The nearest directory at or above `from` that holds a workspace or git root marker; `from` itself when none does. */
export function findRepoRoot(from: string = process.cwd()): string {
  return findMarkedRoot(from) ?? resolve(from);
}

/** A relative path with forward slashes, as typed on any system; `.` for the directory itself. */
export function portablePath(from: string, to: string): string {
  const shown = relative(from, to).split('\\').join('/');
  return shown === '' ? '.' : shown;
}

/** A path as a person at the repo root would type it. */
export function displayPath(path: string): string {
  const shown = relative(findRepoRoot(), path);
  return shown === '' ? '.' : shown;
}

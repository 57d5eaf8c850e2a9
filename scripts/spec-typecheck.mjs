#!/usr/bin/env node
// The type check `pnpm spec:update <provider>` runs once it has regenerated the provider's client (scripts/spec.mjs
// passes it to `upstat-spec update --typecheck`): `node scripts/spec-typecheck.mjs <provider> <package>`.
//
// 1. The provider's package is built and type-checked, sources and tests: its definition maps every state of the
//    vendor's status enum, so a new value fails here, naming the definition.
// 2. Every package that depends on it is type-checked too (turbo rebuilds what they compile against) only when the
//    declarations the package publishes (dist/**/*.d.ts, what its dependents compile against) differ from those of the
//    build before the update. Identical declarations cannot make any dependent type differently, and most vendor
//    releases (a new version number, changes outside the covered operations) change none.
// With no earlier build to compare with, the dependents are always checked. The type checks run in one process
// (scripts/typecheck.mjs): the programs share one parse of what they all read.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [provider, packageName] = process.argv.slice(2);
if (provider === undefined || packageName === undefined) {
  console.error('usage: node scripts/spec-typecheck.mjs <provider> <package>');
  process.exit(2);
}
const dist = join(root, 'packages', provider, 'dist');

/** The package's published declarations, by path; undefined when it has not been built. */
function declarations() {
  if (!existsSync(dist)) return undefined;
  const found = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.d\.[cm]?ts$/.test(entry.name)) found.set(relative(dist, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dist);
  return found;
}

const same = (a, b) => a !== undefined && b !== undefined && a.size === b.size && [...a].every(([path, text]) => b.get(path) === text);

// turbo's log goes to stderr: stdout says only what was checked (upstat-spec update shows it after "passed").
function turbo(...args) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'turbo.mjs'), 'run', ...args, '--output-logs=errors-only'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

function typecheck(...args) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'typecheck.mjs'), ...args], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

const before = declarations();
turbo('build', `--filter=${packageName}`);
const dir = join('packages', provider);
if (same(before, declarations())) {
  typecheck(dir);
  console.log(`checked: ${packageName} only (its declarations are unchanged, so nothing that depends on it can type differently)`);
} else {
  turbo('build', `--filter=...^${packageName}`);
  typecheck(dir, '--dependents-of', packageName);
  console.log(`checked: ${packageName}, then every package that depends on it (its declarations changed)`);
}

#!/usr/bin/env node
// The type check `pnpm spec:update <provider>` runs once it has regenerated the provider's client (scripts/spec.mjs
// passes it to `upstat-spec update --typecheck`): `node scripts/spec-typecheck.mjs <provider> <package>`.
//
// 1. The provider's package is built and type-checked, sources and tests: its definition maps every state of the
//    vendor's status enum, so a new value fails here, naming the definition. What it depends on is built first, through
//    turbo's cache; its own build runs without its `generate` task (turbo's --only), whose files upstat-spec update
//    has just written, exactly as `upstat-spec generate` would (generating them again was about a fifth of this
//    script's CPU time for PandaDoc).
// 2. The packages that depend on it, directly or through others, as their package.json files say
//    (scripts/workspace.mjs), are rebuilt and type-checked only when the declarations the package publishes
//    (dist/**/*.d.ts, what its dependents compile against) differ from those of the build before the update, comments
//    aside. Identical declarations cannot make any dependent type differently, and most vendor releases change none:
//    a new version number, changes outside the covered operations, or new descriptions, which the generated types
//    carry only as JSDoc comments.
// With no earlier build to compare with, the dependents are always checked. The type checks run in one process
// (scripts/typecheck.mjs): the programs share one parse of what they all read.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { dependenciesOf, dependentsOf, workspace } from './workspace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [provider, packageName] = process.argv.slice(2);
if (provider === undefined || packageName === undefined) {
  console.error('usage: node scripts/spec-typecheck.mjs <provider> <package>');
  process.exit(2);
}
const dist = join(root, 'packages', provider, 'dist');

const printer = ts.createPrinter({ removeComments: true });

/**
 * What a declaration file declares: the file printed again without its comments (the vendor's descriptions, as JSDoc,
 * and the source map's URL), after its triple-slash directives, the only comments that change what a file declares.
 */
function declared(path, text) {
  const directives = text.match(/^\/\/\/\s*<.*$/gm) ?? [];
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return [...directives, printer.printFile(file)].join('\n');
}

/** What the package's published declarations declare, by path; undefined when it has not been built. */
function declarations() {
  if (!existsSync(dist)) return undefined;
  const found = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.d\.[cm]?ts$/.test(entry.name)) found.set(relative(dist, path), declared(path, readFileSync(path, 'utf8')));
    }
  };
  walk(dist);
  return found;
}

const same = (a, b) => a !== undefined && b !== undefined && a.size === b.size && [...a].every(([path, text]) => b.get(path) === text);

// turbo's log and the compiler's diagnostics go to stderr: stdout says only what was checked (upstat-spec update shows
// it after "passed").
function run(script, ...args) {
  const result = spawnSync(process.execPath, [join(root, 'scripts', script), ...args], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const turbo = (...args) => run('turbo.mjs', 'run', ...args, '--output-logs=errors-only');
const typecheck = (...dirs) => run('typecheck.mjs', ...dirs);

/** The workspace's packages that `name` depends on (`dependenciesOf`) or that depend on it (`dependentsOf`). */
function related(find, name) {
  try {
    return find(workspace(root), name);
  } catch (error) {
    console.error(`spec-typecheck: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
const filters = (items) => items.map((item) => `--filter=${item.manifest.name}`);

const before = declarations();
const dir = join('packages', provider);
const dependencies = related(dependenciesOf, packageName);
if (dependencies.length > 0) turbo('build', ...filters(dependencies));
turbo('build', `--filter=${packageName}`, '--only');
if (same(before, declarations())) {
  typecheck(dir);
  console.log(`checked: ${packageName} only (its declarations are unchanged, so nothing that depends on it can type differently)`);
} else {
  const dependents = related(dependentsOf, packageName);
  if (dependents.length > 0) turbo('build', ...filters(dependents));
  typecheck(dir, ...dependents.map((item) => relative(root, item.dir)));
  const names = dependents.map((item) => item.manifest.name).join(', ');
  console.log(`checked: ${packageName}, then every package that depends on it (its declarations changed): ${names || 'none'}`);
}

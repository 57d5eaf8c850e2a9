// The workspace's packages and what depends on what, read from the one place that says it: pnpm-workspace.yaml's
// `packages:` globs and each package's package.json. Used by scripts/typecheck.mjs (which packages there are) and
// scripts/spec-typecheck.mjs (which packages depend on a regenerated client).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The workspace's packages (pnpm-workspace.yaml's `packages:` globs: `dir/*` or a directory), with their manifests. */
export function workspace(root) {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\n((?:\s+-\s.*\n)+)/m.exec(text)?.[1] ?? '';
  const globs = [...block.matchAll(/-\s+['"]?([^'"\s]+)['"]?/g)].map((match) => match[1]);
  const dirs = globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(root, glob.slice(0, -2), entry.name))
      : [join(root, glob)],
  );
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
}

/**
 * The packages that depend on the one named `name`, directly or through others (dependencies and devDependencies
 * alike: a test package compiles against what it lists either way). Throws when no package has that name.
 */
export function dependentsOf(packages, name) {
  if (!packages.some((item) => item.manifest.name === name)) throw new Error(`no workspace package is named ${name}`);
  const found = new Set([name]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const item of packages) {
      if (found.has(item.manifest.name)) continue;
      const uses = Object.keys({ ...item.manifest.dependencies, ...item.manifest.devDependencies });
      if (uses.some((used) => found.has(used))) {
        found.add(item.manifest.name);
        grew = true;
      }
    }
  }
  found.delete(name);
  return packages.filter((item) => found.has(item.manifest.name));
}

/** The workspace packages the one named `name` lists itself (dependencies and devDependencies). */
export function dependenciesOf(packages, name) {
  const item = packages.find((candidate) => candidate.manifest.name === name);
  if (item === undefined) throw new Error(`no workspace package is named ${name}`);
  const uses = new Set(Object.keys({ ...item.manifest.dependencies, ...item.manifest.devDependencies }));
  return packages.filter((candidate) => uses.has(candidate.manifest.name));
}

/**
 * Why this file exists: a release is changesets rewriting versions and changelogs across the workspace, which can only
 * be tried on a copy of the repository (one per test; nothing is installed there).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRepo } from '@upstat/test-support';
import { afterEach, expect, it } from 'vitest';
import { mustRunNode, readManifest, workspacePackages, type WorkspacePackage } from '../src/workspace.js';

const RELEASED = '@upstat/pandadoc';
const SUMMARY = 'Sample release: a minor change to the PandaDoc client, to check the release flow.';

function bump(version: string, kind: 'minor' | 'patch'): string {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (match === null) throw new Error(`not a plain x.y.z version: ${version}`);
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  return kind === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
}

/** The changesets CLI of the copy: its bin.js, or whatever its manifest names as the `changeset` bin. */
function changesetBin(root: string): string {
  const dir = join(root, 'node_modules', '@changesets', 'cli');
  if (existsSync(join(dir, 'bin.js'))) return join(dir, 'bin.js');
  const bin = readManifest(dir).bin;
  const file = typeof bin === 'string' ? bin : bin?.changeset;
  if (file === undefined) throw new Error('@changesets/cli has no changeset bin');
  return join(dir, file);
}

/**
 * Published packages that depend on `name`, directly or through another dependent (runtime dependencies only:
 * changesets bumps dependents for dependencies and peerDependencies, never for devDependencies).
 */
function dependentsOf(name: string, packages: WorkspacePackage[]): Set<string> {
  const dependents = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const pkg of packages) {
      if (pkg.manifest.private === true || dependents.has(pkg.name)) continue;
      const deps = Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies });
      if (deps.some((dep) => dep === name || dependents.has(dep))) {
        dependents.add(pkg.name);
        grew = true;
      }
    }
  }
  return dependents;
}

let copy: ReturnType<typeof copyRepo> | undefined;
afterEach(() => {
  copy?.remove();
  copy = undefined;
});

it('changeset version bumps a minor change, patches its dependents with changelogs, and leaves private packages alone', () => {
  copy = copyRepo();
  const { root } = copy;
  const before = workspacePackages(root);
  const changelog = (pkg: WorkspacePackage) => {
    const path = join(pkg.dir, 'CHANGELOG.md');
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  const changelogsBefore = new Map(before.map((pkg) => [pkg.name, changelog(pkg)]));
  const changesetDir = join(root, '.changeset');

  // Only the sample changeset is under test: set aside any that are pending in the working tree.
  for (const file of readdirSync(changesetDir)) if (file.endsWith('.md') && file !== 'README.md') rmSync(join(changesetDir, file));
  const changeset = join(changesetDir, 'sample-release.md');
  writeFileSync(changeset, `---\n"${RELEASED}": minor\n---\n\n${SUMMARY}\n`);

  mustRunNode('changeset version', [changesetBin(root), 'version'], { cwd: root });

  const after = new Map(workspacePackages(root).map((pkg) => [pkg.name, pkg]));
  const dependents = dependentsOf(RELEASED, before);
  // The registry and the CLI (through it) follow a provider's release; the graph must agree. The facade does not
  // depend on any provider (they plug into it), so it is not bumped.
  expect([...dependents]).toEqual(expect.arrayContaining(['@upstat/providers', '@upstat/cli']));
  expect(dependents.has('upstat')).toBe(false);

  const expected = new Map<string, string>();
  for (const pkg of before) {
    const version = pkg.name === RELEASED ? bump(pkg.manifest.version, 'minor') : dependents.has(pkg.name) ? bump(pkg.manifest.version, 'patch') : pkg.manifest.version;
    expected.set(pkg.name, version);
  }
  for (const pkg of before) {
    const now = after.get(pkg.name);
    if (now === undefined) throw new Error(`${pkg.name} disappeared`);
    const version = expected.get(pkg.name) ?? '';
    expect(now.manifest.version, pkg.name).toBe(version);

    if (pkg.name === RELEASED) {
      expect(changelog(now)).toContain(`## ${version}`);
      expect(changelog(now)).toContain(SUMMARY);
    } else if (dependents.has(pkg.name)) {
      // The entry names each bumped dependency with its new version.
      const log = changelog(now) ?? '';
      expect(log, pkg.name).toContain(`## ${version}`);
      const bumpedDeps = Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies }).filter((dep) => dep === RELEASED || dependents.has(dep));
      expect(bumpedDeps.length).toBeGreaterThan(0);
      for (const dep of bumpedDeps) expect(log, `${pkg.name} changelog`).toContain(`${dep}@${expected.get(dep) ?? ''}`);
    } else {
      // Unrelated and private packages: same version, changelog untouched (private ones are never versioned).
      expect(changelog(now), pkg.name).toBe(changelogsBefore.get(pkg.name));
    }
  }
  // The changeset was consumed.
  expect(existsSync(changeset)).toBe(false);
});

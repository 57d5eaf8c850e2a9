/**
 * Why this file exists: publint and arethetypeswrong judge the tarballs as the registry would serve them (packed once
 * per suite, tests/packaging/src/global-setup.ts), which no check of the sources can.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readTarball, type TarEntry } from '@upstat/test-support';
import { binOf, describeRun, kindOf, packageKind, publishedPackages, repoRoot, runNodeAsync, type Manifest, type RunResult } from '../src/workspace.js';

const PUBLINT = binOf('publint', 'publint');
/** Are the Types Wrong for every tarball, in one process (src/attw-check.mjs says why). */
const ATTW_CHECK = fileURLToPath(new URL('../src/attw-check.mjs', import.meta.url));

/** The parts of `attw --format json` these checks read. */
interface AttwOutput {
  analysis: {
    packageName: string;
    types: false | { kind: string };
    entrypoints?: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>;
  };
  /** Problems grouped by kind; includes those the chosen profile ignores (the exit code does not count them). */
  problems?: Record<string, unknown[]>;
}

/** Every file an `exports` value points at (conditions flattened). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

const inTarball = (entries: Map<string, TarEntry>, target: string) => entries.has(target.replace(/^\.\//, ''));

function packed(name: string): { tarball: string; entries: Map<string, TarEntry>; manifest: Manifest } {
  const tarball = inject('tarballs')[name];
  if (tarball === undefined) throw new Error(`no tarball for ${name}`);
  const entries = readTarball(tarball);
  const manifestEntry = entries.get('package.json');
  if (manifestEntry === undefined) throw new Error(`${tarball} has no package.json`);
  return { tarball, entries, manifest: JSON.parse(manifestEntry.content.toString('utf8')) as Manifest };
}

const packages = publishedPackages();

/** What attw says of each package: its JSON output and exit code, as `attw <tarball> --format json` gives them. */
let attw: Record<string, { output: AttwOutput; exitCode: number }> = {};
let attwRun: RunResult | undefined;
beforeAll(async () => {
  const jobs = packages.map(({ name }) => {
    const { tarball, manifest } = packed(name);
    const kind = kindOf(name);
    // Data files in `exports` (spec-tools' ./redocly.yaml) are read from disk, never imported as modules, so
    // attw's module resolution cannot (and need not) resolve them.
    const excludeEntrypoints = Object.entries(typeof manifest.exports === 'object' ? manifest.exports : {})
      .filter(([, target]) => exportTargets(target).every((file) => !/\.(?:[cm]?js|d\.[cm]?ts|json)$/.test(file)))
      .map(([subpath]) => subpath);
    // The dual packages must work in every resolution mode (attw's default "strict" profile); the Node tools are
    // ESM only by design, so CommonJS `require` resolution is out of scope for them.
    return { name, tarball, profile: kind === 'node-tool' || kind === 'command' ? 'esm-only' : 'strict', excludeEntrypoints };
  });
  const dir = mkdtempSync(join(tmpdir(), 'upstat-attw-'));
  try {
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    attwRun = await runNodeAsync([ATTW_CHECK, join(dir, 'jobs.json')], { cwd: join(repoRoot, 'tests', 'packaging') });
    if (attwRun.status === 0) attw = JSON.parse(attwRun.stdout) as typeof attw;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('packs every published package, each of a known kind', () => {
  const names = packages.map((pkg) => pkg.name).sort();
  expect(Object.keys(inject('tarballs')).sort()).toEqual(names);
  // A package of no known kind would escape the kind-specific checks below; packageKind names what is missing.
  for (const { manifest } of packages) expect(() => packageKind(manifest)).not.toThrow();
  // Each kind the checks below know is there (the provider packages, the registry and the facade among them).
  expect(new Set(packages.map(({ manifest }) => packageKind(manifest)))).toEqual(new Set(['runtime', 'provider', 'node-tool', 'command']));
});

describe.each(packages)('$name', ({ name, relativeDir, dir }) => {
  const kind = kindOf(name);

  it('passes publint --strict with no messages at all', async () => {
    // publint unpacks the tarball itself: it checks what users get, not the workspace folder.
    const run = await runNodeAsync([PUBLINT, 'run', packed(name).tarball, '--strict'], { cwd: dir });
    expect(run.status, describeRun('publint', run)).toBe(0);
    // --strict turns warnings into errors (exit 1); suggestions never fail the exit code, so also require
    // publint's "no messages" line.
    expect(run.stdout, describeRun('publint', run)).toContain('All good!');
  });

  it('passes Are the Types Wrong', () => {
    expect(attwRun?.status, attwRun === undefined ? 'attw did not run' : describeRun('attw', attwRun)).toBe(0);
    const result = attw[name];
    if (result === undefined) throw new Error(`attw gave no result for ${name}`);
    const { output, exitCode } = result;
    const report = JSON.stringify(output.problems ?? {}, null, 2);
    expect(exitCode, `attw found problems in ${name}:\n${report}`).toBe(0);
    expect(output.analysis.packageName).toBe(name);

    if (kind === 'command') {
      // @upstat/cli is a command: it exports only ./package.json and ships no declarations, and attw analyses
      // type declarations of entry points, so it has nothing to check and says so (`types: false`). The
      // manifest and contents checks below cover its bin instead.
      expect(output.analysis.types).toBe(false);
      return;
    }
    expect(output.analysis.types).not.toBe(false);
    if (kind === 'runtime' || kind === 'provider') {
      // Nothing ignored in the strict profile: no problem in any resolution mode.
      expect(output.problems ?? {}, report).toEqual({});
      // Each format has its own declarations: CommonJS users get .d.cts, ESM users .d.ts.
      const root = output.analysis.entrypoints?.['.']?.resolutions;
      expect(root?.['node16-cjs']?.resolution?.fileName).toMatch(/\.d\.cts$/);
      expect(root?.['node16-esm']?.resolution?.fileName).toMatch(/\.d\.ts$/);
      expect(root?.bundler?.resolution?.fileName).toMatch(/\.d\.ts$/);
    }
  });

  it('has a complete manifest', () => {
    const { manifest, entries } = packed(name);
    expect(manifest.name).toBe(name);
    expect(manifest.type).toBe('module');
    expect(manifest.license).toBe('MIT');
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.engines?.node).toMatch(/^>=\s*\d/);
    expect(manifest.keywords?.length ?? 0).toBeGreaterThan(0);
    expect(manifest.description?.length ?? 0).toBeGreaterThan(0);
    expect(manifest.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//) as unknown, directory: relativeDir });
    expect(manifest.files?.length ?? 0).toBeGreaterThan(0);

    // pnpm pack must have replaced every workspace: range with a real version, or installs would fail.
    for (const deps of [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies]) {
      for (const [dep, range] of Object.entries(deps ?? {})) expect(range, dep).not.toMatch(/^workspace:/);
    }

    expect(typeof manifest.exports).toBe('object');
    const exportsMap = manifest.exports as Record<string, unknown>;
    expect(exportsMap['./package.json']).toBe('./package.json');
    for (const target of exportTargets(exportsMap)) expect(inTarball(entries, target), `exports target ${target}`).toBe(true);

    if (kind === 'command') {
      // A command, not a library: nothing to import but its manifest and JSON data (the CLI's output schema).
      expect(Object.keys(exportsMap)).toContain('./package.json');
      expect(Object.keys(exportsMap).filter((subpath) => !subpath.endsWith('.json'))).toEqual([]);
      expect(manifest.bin).toBeDefined();
    } else {
      expect(manifest.types).toMatch(/\.d\.ts$/);
      expect(inTarball(entries, manifest.types ?? ''), `types ${String(manifest.types)}`).toBe(true);
      const root = exportsMap['.'] as Record<string, unknown>;
      if (kind === 'node-tool') {
        expect(root).not.toHaveProperty('require');
      } else {
        // Dual: ESM and CommonJS, each with its declarations, plus the legacy fields for old resolvers.
        expect(root).toMatchObject({
          import: { types: expect.stringMatching(/\.d\.ts$/) as unknown, default: expect.stringMatching(/\.js$/) as unknown },
          require: { types: expect.stringMatching(/\.d\.cts$/) as unknown, default: expect.stringMatching(/\.cjs$/) as unknown },
        });
        for (const legacy of [manifest.main, manifest.module]) expect(inTarball(entries, legacy ?? ''), `main/module ${String(legacy)}`).toBe(true);
      }
    }
    if (kind === 'provider') expect(exportsMap['./openapi.json']).toBe('./openapi.json');

    // Every bin is in the tarball, executable, and starts node.
    const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
    for (const bin of bins) {
      const entry = entries.get(bin.replace(/^\.\//, ''));
      expect(entry, `bin ${bin}`).toBeDefined();
      expect((entry?.mode ?? 0) & 0o111, `bin ${bin} is executable`).not.toBe(0);
      expect(entry?.content.toString('utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });

  it('ships LICENSE, README.md and dist/, and nothing from src/ or test/', () => {
    const { manifest, entries } = packed(name);
    const paths = [...entries.keys()];
    for (const file of ['LICENSE', 'README.md', 'package.json']) expect(entries.get(file)?.content.length ?? 0, file).toBeGreaterThan(0);
    expect(paths.some((path) => path.startsWith('dist/'))).toBe(true);

    // Sources, tests, generated sources (their types are bundled into dist/*.d.ts) and tooling stay home.
    const unwanted = paths.filter((path) =>
      /^(?:src|test|tests|node_modules|\.turbo|coverage)\//.test(path) || /(?:^|\/)(?:tsconfig[^/]*\.json|vitest\.config\.[cm]?[jt]s)$/.test(path) || /\.test\.[cm]?[jt]s$/.test(path),
    );
    expect(unwanted).toEqual([]);
    // Only what `files` allows (npm always adds package.json, README and LICENSE).
    const allowed = [...(manifest.files ?? []), 'package.json', 'README.md', 'LICENSE'];
    expect(paths.filter((path) => !allowed.some((entry) => path === entry || path.startsWith(`${entry}/`)))).toEqual([]);

    if (kind === 'provider') {
      // The effective spec users mock or generate from is exactly the one the client was generated from.
      expect(entries.get('openapi.json')?.content.toString('utf8')).toBe(readFileSync(join(repoRoot, relativeDir, 'openapi.json'), 'utf8'));
    }
    if (kind === 'runtime' || kind === 'provider') {
      // Runtime code must run in browsers: no Node built-in may be imported by what ships.
      const nodeImports = paths
        .filter((path) => /^dist\/.*\.[cm]?js$/.test(path))
        .filter((path) => /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']node:/.test(entries.get(path)?.content.toString('utf8') ?? ''));
      expect(nodeImports).toEqual([]);
    }
  });
});

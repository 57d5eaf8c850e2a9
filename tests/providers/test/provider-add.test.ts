/**
 * Why this file exists: adding a provider is the one change that reshapes the workspace (a new package, new
 * dependents, a new importer in the lockfile), so it can only be tried on a copy of the repository with an install of
 * its own. `npx pnpm provider:add` end to end, as a new contributor would use it: scaffold a fictional provider from a
 * small hand-written spec, fill in its definition, and run the typecheck of every package that sees providers, the
 * lint of what the scaffold wrote, and the facade and contract suites — the contract tests must exercise the new
 * provider against its Prism mock without anyone listing it. Packages that know no provider (core) are not checked again here: the copy changes
 * nothing they build from, and the main run checks them. The copy carries the build outputs and turbo's cache, so
 * only what the new provider changes is rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedRepoCopy, workspacePackages } from '@upstat/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const SPEC = join(FIXTURES, 'acme.yaml');

let copy: ReturnType<typeof isolatedRepoCopy> | undefined;
const root = () => {
  if (copy === undefined) throw new Error('no copy of the repository');
  return copy.root;
};

function run(args: string[], cwd: string = root()): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PATH: `${join(root(), 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, FORCE_COLOR: '0' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
const providers = (...args: string[]) => run([join(root(), 'scripts', 'providers.mjs'), ...args]);
const turbo = (...args: string[]) => run([join(root(), 'scripts', 'turbo.mjs'), ...args]);

/** Every file under the given directories (sources only: no node_modules, builds or caches), relative to `base`. */
function files(base: string, dirs: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (['node_modules', 'dist', '.turbo'].includes(entry)) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else found.set(relative(base, path), readFileSync(path, 'utf8'));
    }
  };
  for (const dir of dirs) walk(join(base, dir));
  return found;
}

const WATCHED = ['specs', 'packages', 'tests', 'benchmarks', '.changeset'];
const ROOT_FILES = ['README.md', 'package.json', 'pnpm-lock.yaml', 'eslint.config.js', 'turbo.json'];
function tree(base: string): Map<string, string> {
  const all = files(base, WATCHED);
  for (const name of ROOT_FILES) all.set(name, readFileSync(join(base, name), 'utf8'));
  return all;
}

beforeAll(() => {
  copy = isolatedRepoCopy();
});
afterAll(() => {
  copy?.remove();
});

describe('npx pnpm provider:add', () => {
  let before: Map<string, string>;
  let added: { status: number | null; output: string };

  beforeAll(() => {
    before = tree(root());
    added = providers('add', 'acme', '--spec', SPEC, '--today', '2026-11-23');
  });

  it('scaffolds the spec directory, a provenance stub and a definition read from the spec, and says what is left', () => {
    expect(added.output).toContain('providers: added acme');
    expect(added.status).toBe(0);
    // The fixture's 200 response has one example, not named ones: the scaffold says what the mock's scenarios need.
    expect(added.output).toMatch(
      /Left to do:\n {2}1\. what the tests need from the spec \(add it in specs\/acme\/overlay\.yaml[^\n]*\n {5}- the 200 response of GET \/v1\/accounts\/\{account_id\}\/uploads\/\{upload_id\} \(content\.application\/json\.examples\) has no named examples: [^\n]*\n {2}2\. fill every TODO in packages\/acme\/src\/definition\.ts/,
    );
    expect(readFileSync(join(root(), 'specs/acme/openapi.yaml'), 'utf8')).toBe(readFileSync(SPEC, 'utf8'));
    const provenance = readFileSync(join(root(), 'specs/acme/PROVENANCE.md'), 'utf8');
    expect(provenance).toContain('- **Vendor version:** `info.version` 2.4.0');
    expect(provenance).toContain('- **Licence:** MIT (declared in the document)');

    // What could be read from the spec is filled in: the operation, the ref from its path parameters with their
    // examples, the credential from its bearer scheme, the status enum found under `upload.status`.
    const definition = readFileSync(join(root(), 'packages/acme/src/definition.ts'), 'utf8');
    expect(definition).toContain("operation: { path: '/v1/accounts/{account_id}/uploads/{upload_id}', method: 'getUploadStatus', title: 'Get upload status' }");
    expect(definition).toContain("ref: { accountId: 'account_id', uploadId: 'upload_id' }");
    expect(definition).toContain("example: { accountId: 'acct_42', uploadId: 'up_7f3a' }");
    expect(definition).toContain("securityScheme: 'bearerAuth',\n      scheme: { type: 'http', scheme: 'bearer' },\n      options: ['token'],");
    expect(definition).toMatch(/queued: 'queued', \/\/ guessed from "queued": check\n\s+processing: 'in_progress', \/\/ guessed from "processing": check\n\s+done: 'succeeded', \/\/ guessed from "done": check\n\s+failed: 'failed', \/\/ guessed from "failed": check\n/);
    // The name from the title, without what describes the document ("Acme Uploads API").
    expect(definition).toContain("name: 'Acme', // TODO: the vendor's name for people (from the document's title)");
    expect(definition).toContain('return { value: body.upload.status };');
    expect(definition).toContain('TODO');
  });

  it('generates the package and registers it everywhere; a contributor writes three files by hand', () => {
    const after = tree(root());
    const changed = [...after.keys()].filter((path) => before.get(path) !== after.get(path)).sort();
    // Everything the generators own: the provider generator (it lists its own files) and the spec generator.
    const generated = new Set<string>();
    const check = providers('generate', '--check');
    expect(check.status, check.output).toBe(0);
    const listed = run([
      '--input-type=module',
      '-e',
      `const { renderAll } = await import(${JSON.stringify(join(root(), 'scripts', 'providers.mjs'))}); const { files } = await renderAll(); console.log(JSON.stringify(files.map((file) => file.path)));`,
    ]);
    expect(listed.status, listed.output).toBe(0);
    for (const path of JSON.parse(listed.output) as string[]) generated.add(path);
    for (const path of ['packages/acme/openapi.json', 'packages/acme/src/generated/openapi.ts', 'packages/acme/src/generated/spec-info.ts']) generated.add(path);
    const byHand = changed.filter((path) => !generated.has(path) && path !== 'pnpm-lock.yaml' && !path.startsWith('.changeset/'));
    expect(byHand).toEqual(['packages/acme/src/definition.ts', 'specs/acme/PROVENANCE.md', 'specs/acme/openapi.yaml']);

    // The generated package, the registry, the dependents and the docs name the new provider.
    expect(JSON.parse(after.get('packages/acme/package.json') ?? '{}')).toMatchObject({ name: '@upstat/acme', upstat: { runtime: 'web', provider: 'acme' } });
    expect(after.get('packages/acme/src/index.ts')).toContain('export function createAcmeClient(options: AcmeClientOptions): AcmeClient');
    expect(after.get('packages/providers/src/index.ts')).toContain("import { provider as acme } from '@upstat/acme';");
    const dependencies = (path: string) => (JSON.parse(after.get(path) ?? '{}') as { dependencies?: Record<string, string> }).dependencies;
    expect(dependencies('packages/providers/package.json')).toHaveProperty('@upstat/acme', 'workspace:*');
    expect(dependencies('tests/docs/package.json')).toHaveProperty('@upstat/acme', 'workspace:*');
    expect(after.get('README.md')).toContain('| [`@upstat/acme`](packages/acme) |');
    expect(after.get('.changeset/add-provider-acme.md')).toMatch(/^---\n"@upstat\/acme": minor\n"@upstat\/providers": minor\n---\n/);
    // Nothing outside generated files and the lockfile changed.
    expect(changed.filter((path) => !path.includes('acme') && !generated.has(path) && path !== 'pnpm-lock.yaml')).toEqual([]);
  });

  it('with its definition filled in, passes typecheck, lint and the facade and contract suites, the contract tests exercising it against its Prism mock', () => {
    copyFileSync(join(FIXTURES, 'acme-definition.ts.fixture'), join(root(), 'packages/acme/src/definition.ts'));
    const generate = providers('generate');
    expect(generate.status, generate.output).toBe(0);
    // The new provider and what reads every provider: the registry, the facade (its tests run each one), the CLI, the
    // contract tests and the README examples.
    const packages = ['@upstat/acme', '@upstat/providers', 'upstat', '@upstat/cli', '@upstat/contract-tests', '@upstat/docs-check'];
    const dirs = (names: string[]) => {
      const found = workspacePackages(root()).filter((item) => names.includes(item.name)).map((item) => item.relativeDir);
      expect(found).toHaveLength(names.length);
      return found;
    };
    const built = turbo('run', 'build', ...packages.map((name) => `--filter=${name}`), '--concurrency=2', '--output-logs=errors-only');
    expect(built.status, built.output).toBe(0);
    // Their type checks in one process, as `npm test` runs them (scripts/typecheck.mjs).
    const typechecked = run([join(root(), 'scripts', 'typecheck.mjs'), ...dirs(packages)]);
    expect(typechecked.status, typechecked.output).toBe(0);
    // Lint of the sources the scaffold and the generator wrote (the new package and the registry), in one ESLint as
    // `npm run lint` runs it; every other package's sources are as in the main run, which lints them.
    const lint = run([join(root(), 'node_modules', 'eslint', 'bin', 'eslint.js'), ...dirs(['@upstat/acme', '@upstat/providers'])]);
    expect(lint.status, lint.output).toBe(0);
    // The suites, on the builds above (vitest itself: arguments passed through turbo would change every task's hash
    // and rebuild them). The verbose reporter names every test with its suite, so the output shows which provider
    // each case ran for.
    const suite = (name: string) => {
      const [dir = ''] = dirs([name]);
      const result = run([join(root(), 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'], join(root(), dir));
      expect(result.status, result.output.slice(-20_000)).toBe(0);
      return result.output;
    };
    // The facade's suite runs its per-provider cases for the new provider too.
    expect(suite('upstat')).toMatch(/✓.*acme: maps each of its values to a canonical state/);
    const contract = suite('@upstat/contract-tests');
    // The contract suite ran the new provider: its cases are named after it.
    const acmeCases = contract.split('\n').filter((line) => /✓.*acme: \/v1\/accounts/.test(line));
    expect(acmeCases.length).toBeGreaterThanOrEqual(10);
    expect(contract).toMatch(/✓.*acme: .*maps a documented 404 to NotFoundError/);
    expect(contract).not.toMatch(/(↓|skipped|todo).*acme/);
  });
});

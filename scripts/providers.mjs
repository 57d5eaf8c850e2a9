#!/usr/bin/env node
// The provider registry: every provider is `specs/<id>/` plus `packages/<id>/src/definition.ts`, and everything
// else about it is generated here from the definition (see CONTRIBUTING.md):
//
//   node scripts/providers.mjs generate [<id>...] [--check]
//        write every generated file, then generate the effective spec and types of every provider (or of the ones
//        named) with turbo; with --check, compare the generated files instead (the specs' own check is generate:check)
//   node scripts/providers.mjs add <id> --spec <file>  scaffold a new provider, then install and generate
//   node scripts/providers.mjs check-spec [<id>...]    what the tests need from each provider's effective spec (spec:lint)
//
// Generated, per provider: packages/<id>/{package.json, tsconfig.json, tsconfig.src.json, LICENSE, README.md,
// src/index.ts}. For all of them: the registry package packages/providers (package.json, src/index.ts, README.md,
// tsconfigs, LICENSE); the provider dependencies of every workspace package whose package.json asks for them
// (`"upstat": { "everyProvider": "dependencies" | "devDependencies" }`); and the marked tables of the root README.
// A package.json keeps its `version` (changesets owns it). `--check` exits 1 naming each stale file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { scaffold, specNeeds } from './providers/scaffold.mjs';
import { loadDefinitions } from './providers/load.mjs';
import { renderProviderFiles, renderRegistryFiles, renderReadmeSections } from './providers/render.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every file the generator owns, as { path (relative to the root), content }. */
async function renderAll() {
  const providers = await loadDefinitions(root);
  const files = [];
  for (const provider of providers) files.push(...renderProviderFiles(root, provider));
  files.push(...renderRegistryFiles(root, providers));
  files.push(...renderDependents(providers));
  files.push(renderReadmeSections(root, providers));
  return { providers, files };
}

/** Workspace packages that depend on every provider get exactly the provider packages in the section they name. */
function renderDependents(providers) {
  const files = [];
  for (const group of ['packages', 'tests', 'benchmarks']) {
    const dirs = group === 'benchmarks' ? [join(root, group)] : readdirSync(join(root, group)).map((name) => join(root, group, name));
    for (const dir of dirs) {
      const manifestPath = join(dir, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      const section = manifest.upstat?.everyProvider;
      if (section === undefined) continue;
      if (section !== 'dependencies' && section !== 'devDependencies') {
        throw new Error(`${relative(root, manifestPath)}: upstat.everyProvider must be "dependencies" or "devDependencies"`);
      }
      const kept = Object.entries(manifest[section] ?? {}).filter(([name]) => !providers.some((provider) => name === `@upstat/${provider.id}`));
      const wanted = providers.map((provider) => [`@upstat/${provider.id}`, 'workspace:*']);
      manifest[section] = Object.fromEntries([...kept, ...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      files.push({ path: relative(root, manifestPath), content: `${JSON.stringify(manifest, null, 2)}\n` });
    }
  }
  return files;
}

function firstDifference(have, want) {
  const a = have.split('\n');
  const b = want.split('\n');
  const line = b.findIndex((text, index) => a[index] !== text);
  const at = line === -1 ? b.length : line;
  return `differs from line ${at + 1}: committed ${JSON.stringify(a[at] ?? '<end of file>')}, generator gives ${JSON.stringify(b[at] ?? '<end of file>')}`;
}

/**
 * Links new packages into the workspace. The lockfile must change (a new importer), so the install is never frozen —
 * pnpm freezes it by default when CI is set, which is exactly where the scaffold test runs.
 */
function linkPackages() {
  const pnpm = join(root, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  return spawnSync(process.execPath, [pnpm, 'install', '--no-frozen-lockfile', '--prefer-offline', '--reporter=append-only'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
}

/** Generates the effective spec and types of these providers' packages (`upstat-spec generate`), through turbo's cache. */
function generateClients(ids) {
  const args = [join(root, 'scripts', 'turbo.mjs'), 'run', 'generate', ...ids.map((id) => `--filter=@upstat/${id}`), '--output-logs=errors-only'];
  const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
  return spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', process.stderr, process.stderr] });
}

async function generate(check) {
  const { providers, files } = await renderAll();
  const stale = [];
  for (const file of files) {
    const target = join(root, file.path);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === file.content) continue;
    if (check) {
      stale.push(`${file.path}: ${current === undefined ? 'missing' : firstDifference(current, file.content)}`);
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
      console.log(`providers: wrote ${file.path}`);
    }
  }
  if (check) {
    if (stale.length > 0) {
      console.error(`providers: ${stale.length} generated file(s) are stale; run \`npx pnpm generate\`:\n${stale.map((line) => `  ${line}`).join('\n')}`);
      process.exitCode = 1;
    } else {
      console.log(`providers: ${files.length} generated files for ${providers.map((provider) => provider.id).join(', ')} are up to date`);
    }
  }
  return providers;
}

/** What the tests need from a provider's effective spec and is missing (`specNeeds`), read with its definition's table. */
function checkSpec(id, definition) {
  const spec = JSON.parse(readFileSync(join(root, 'packages', id, 'openapi.json'), 'utf8'));
  const { path } = definition.operation;
  const operation = spec.paths?.[path]?.get;
  if (operation === undefined) return [`GET ${path} (the definition's operation) is not in the effective spec`];
  const stateOf = (value) => {
    try {
      return definition.states[definition.read(value).value] ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  return specNeeds(spec, path, operation, stateOf);
}

const USAGE = `usage:
  node scripts/providers.mjs generate [<id>...] [--check]
  node scripts/providers.mjs add <id> --spec <file> [--operation <path or operationId>] [--name <vendor's name>]
  node scripts/providers.mjs check-spec [<id>...]`;

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        check: { type: 'boolean', default: false },
        spec: { type: 'string' },
        operation: { type: 'string' },
        name: { type: 'string' },
        today: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`providers: ${error.message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, id, ...rest] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (command === 'check-spec') {
      const providers = await loadDefinitions(root);
      const asked = id === undefined ? providers : providers.filter((provider) => [id, ...rest].includes(provider.id));
      let failed = 0;
      for (const { id: name, definition } of asked) {
        const needs = checkSpec(name, definition);
        if (needs.length === 0) continue;
        failed += 1;
        console.error(`providers: packages/${name}/openapi.json lacks what upstat's tests need (add it to specs/${name}/, in overlay.yaml for a vendored document):\n${needs.map((need) => `  - ${need}`).join('\n')}`);
      }
      if (failed === 0) console.log(`providers: ${asked.map((provider) => provider.id).join(', ')}: the spec has what the tests need`);
      return failed === 0 ? 0 : 1;
    }
    if (command === 'generate') {
      const providers = await generate(values.check);
      if (values.check || process.exitCode) return process.exitCode ?? 0;
      const known = providers.map((provider) => provider.id);
      const asked = id === undefined ? known : [id, ...rest];
      const unknown = asked.filter((name) => !known.includes(name));
      if (unknown.length > 0) throw new UsageError(`no provider ${unknown.join(', ')}; the providers are ${known.join(', ')}`);
      // A provider whose package was just written (its three files by hand) is linked into the workspace first.
      if (known.some((name) => !existsSync(join(root, 'packages', name, 'node_modules')))) {
        const install = linkPackages();
        if (install.status !== 0) throw new UsageError(`pnpm install failed (exit ${install.status}); fix that, then run \`npx pnpm generate\` again`);
      }
      return generateClients(asked).status ?? 1;
    }
    if (command === 'add' && id !== undefined && rest.length === 0) {
      if (values.spec === undefined) throw new UsageError('add needs --spec <file>: the provider\'s OpenAPI document');
      const next = await scaffold(root, id, values.spec, { operation: values.operation, name: values.name, today: values.today });
      await generate(false);
      // Link the new package, then generate its effective spec and types (what its definition is checked against).
      const install = linkPackages();
      for (const [what, run] of [['pnpm install', install], ['generate', install.status === 0 ? generateClients([id]) : undefined]]) {
        if (run !== undefined && run.status !== 0) {
          throw new UsageError(`${what} failed (exit ${run.status}); fix that, run \`npx pnpm install\` and \`npx pnpm generate ${id}\`, then:\n${next}`);
        }
      }
      console.log(next);
      return 0;
    }
    throw new UsageError(command === undefined ? 'no command given' : `cannot run ${JSON.stringify(positionals.join(' '))}`);
  } catch (error) {
    if (error instanceof UsageError || error?.name === 'ScaffoldError' || error?.name === 'DefinitionError') {
      console.error(`providers: ${error.message}${error instanceof UsageError ? `\n${USAGE}` : ''}`);
      return 2;
    }
    throw error;
  }
}

class UsageError extends Error {}

// Exported for the tests (tests/providers) and runnable as a script.
export { renderAll };
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}

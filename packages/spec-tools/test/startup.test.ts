/**
 * What the built `upstat-spec` loads, command by command: `--help` and `--version` nothing outside this package,
 * `diff` of two JSON files nothing outside it either, `check` no code generator. Each run is a child process with a
 * module hook that records every file module it loads (ES modules through a `load` hook, CommonJS through the
 * require cache at exit); the tests assert on which packages were loaded, never on time (the benchmark in
 * benchmarks/src/spec-tools.ts measures that).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const widgets = fileURLToPath(new URL('./fixtures/widgets', import.meta.url));

/** Packages no command but the one that needs it may load: each takes from tens of milliseconds to seconds. */
const HEAVY = ['typescript', 'openapi-typescript', 'openapi-format', 'yaml', 'ajv', '@redocly/', '@stoplight/', '@upstat/mocks'];

// Runs before the CLI: registers the hook below, and at exit appends the CommonJS modules (which never reach an ES
// module hook when required from CommonJS, as yaml's own files are).
const REGISTER = `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
register('./hooks.mjs', import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  appendFileSync(process.env.UPSTAT_LOADED_LOG, Object.keys(cache).map((path) => pathToFileURL(path).href + '\\n').join(''));
});
`;
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, nextLoad) {
  appendFileSync(process.env.UPSTAT_LOADED_LOG, url + '\\n');
  return nextLoad(url, context);
}
`;

let work: string;
let runs = 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every file the process loaded (absolute paths), in load order, without repeats. */
  files: string[];
}

async function run(args: string[], cwd = work): Promise<Run> {
  const log = join(work, `loaded-${++runs}.log`);
  await writeFile(log, '');
  const result = await new Promise<Omit<Run, 'files'>>((resolve) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(join(work, 'register.mjs')).href, bin, ...args],
      { cwd, timeout: 60_000, encoding: 'utf8', env: { ...process.env, UPSTAT_LOADED_LOG: log } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      },
    );
  });
  const urls = (await readFile(log, 'utf8')).split('\n').filter((line) => line.startsWith('file:'));
  return { ...result, files: [...new Set(urls.map((url) => fileURLToPath(url)))] };
}

/**
 * What a run loaded from outside this package: the package name of each file under a node_modules directory (the
 * last one, so pnpm's `.pnpm/<name>@<version>/node_modules/<name>` counts once), and any other file by its path.
 */
function outside(files: readonly string[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    const marker = `${sep}node_modules${sep}`;
    const at = file.lastIndexOf(marker);
    if (at !== -1) {
      const [scope, name] = file.slice(at + marker.length).split(sep);
      found.add(scope?.startsWith('@') ? `${scope}/${name ?? ''}` : (scope ?? file));
    } else if (relative(packageRoot, file).startsWith('..')) {
      found.add(file);
    }
  }
  return [...found].sort();
}

const heavyIn = (loaded: readonly string[]) => loaded.filter((name) => HEAVY.some((heavy) => (heavy.endsWith('/') ? name.startsWith(heavy) : name === heavy)));

/** A small OpenAPI document; `extra` adds one optional response property (a non-breaking change). */
function spec(extra: boolean): string {
  const properties: Record<string, unknown> = { id: { type: 'string' }, ...(extra ? { name: { type: 'string' } } : {}) };
  return JSON.stringify({
    openapi: '3.1.0',
    info: { title: 'Things', version: extra ? '1.1.0' : '1.0.0' },
    paths: {
      '/things/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'A thing.', content: { 'application/json': { schema: { type: 'object', required: ['id'], properties } } } } },
        },
      },
    },
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'upstat-startup-'));
  await writeFile(join(work, 'register.mjs'), REGISTER);
  await writeFile(join(work, 'hooks.mjs'), HOOKS);
  await writeFile(join(work, 'old.json'), spec(false));
  await writeFile(join(work, 'new.json'), spec(true));
  // The same documents as YAML (JSON is YAML): read with the YAML parser because of the file name.
  await writeFile(join(work, 'old.yaml'), spec(false));
  await writeFile(join(work, 'new.yaml'), spec(true));
  // A throwaway repository for generate and check: specs/widgets (spec and overlay) and packages/widgets.
  await writeFile(join(work, 'pnpm-workspace.yaml'), 'packages: []\n');
  await cp(widgets, join(work, 'specs', 'widgets'), { recursive: true });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('upstat-spec loads only what a command uses', () => {
  it.each([[['--help']], [['-h']], [['--version']], [['help']], [['help', 'diff']], [['diff', '--help']], [['generate', '--help']], [['mock', '--help']], [['update', '--help']]])(
    '%j loads nothing from outside this package',
    async (args) => {
      const result = await run(args);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.files.some((file) => file.endsWith(join('dist', 'cli.js'))), 'the hook saw the CLI').toBe(true);
      expect(outside(result.files)).toEqual([]);
    },
  );

  it('a usage error loads nothing from outside this package either', async () => {
    const result = await run(['diff', 'only-one.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('diff needs <old> and <new>');
    expect(outside(result.files)).toEqual([]);
  });

  it('diff of two JSON files loads no package at all: JSON.parse reads them, and no YAML parser, bundler or generator is needed', async () => {
    const result = await run(['diff', 'old.json', 'new.json', '--json', '--fail-on', 'non-breaking']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { breaking: 0, nonBreaking: 1 } });
    expect(outside(result.files)).toEqual([]);
  });

  it('diff of two YAML files loads the YAML parser (and the hook sees CommonJS packages), nothing heavier', async () => {
    const result = await run(['diff', 'old.yaml', 'new.yaml', '--json', '--fail-on', 'non-breaking']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    // yaml's dist is CommonJS that requires its own files: seeing several of them proves the require cache is read.
    expect(result.files.filter((file) => file.includes(`${sep}node_modules${sep}`) && file.includes(`${sep}yaml${sep}`)).length).toBeGreaterThan(1);
    expect(heavyIn(outside(result.files))).toEqual(['yaml']);
  });

  it('generate loads the generator (openapi-typescript and TypeScript); check, on the same spec directory, does not', async () => {
    const generated = await run(['generate', 'specs/widgets', '--out', 'packages/widgets']);
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    expect(heavyIn(outside(generated.files))).toEqual(expect.arrayContaining(['openapi-typescript', 'typescript']));

    const checked = await run(['check', 'widgets', 'specs/widgets/openapi.yaml', '--json']);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ changes: [] });
    // The overlay is YAML applied with openapi-format: those two, and no generator, linter or mock server.
    expect(heavyIn(outside(checked.files))).toEqual(['openapi-format', 'yaml']);
  });
});

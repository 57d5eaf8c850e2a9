import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findStaleFiles, renderClientFiles, writeGeneratedFiles } from '../src/generate.js';
import { locateSpecDir } from '../src/spec-dir.js';

const fixtureSpecs = fileURLToPath(new URL('./fixtures/widgets', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let work: string;

beforeEach(async () => {
  // A throwaway repo: specs/widgets (spec + overlay) and packages/widgets (the generated client).
  work = await mkdtemp(join(tmpdir(), 'upstat-generate-'));
  await writeFile(join(work, 'pnpm-workspace.yaml'), 'packages: []\n');
  await cp(fixtureSpecs, join(work, 'specs', 'widgets'), { recursive: true });
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function runCli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

describe('generate', () => {
  it('writes the effective spec, the types, the spec info and a copy of the overlay', async () => {
    const outDir = join(work, 'packages', 'widgets');
    const files = await renderClientFiles(locateSpecDir(join(work, 'specs', 'widgets')), outDir);
    expect(files.map((file) => file.path)).toEqual(['openapi.json', 'src/generated/openapi.ts', 'src/generated/spec-info.ts', 'overlay.yaml']);
    // Shipped beside openapi.json so that a downstream `check` can apply it to the vendor's next document.
    expect(files.find((file) => file.path === 'overlay.yaml')?.content).toBe(await readFile(join(work, 'specs', 'widgets', 'overlay.yaml'), 'utf8'));
    await writeGeneratedFiles(outDir, files);

    const effective = JSON.parse(await readFile(join(outDir, 'openapi.json'), 'utf8')) as { components: { schemas: { Widget: { properties: object } } } };
    // The overlay added `colour` next to the vendor's `color`.
    expect(Object.keys(effective.components.schemas.Widget.properties)).toEqual(['id', 'color', 'colour']);
    const types = await readFile(join(outDir, 'src/generated/openapi.ts'), 'utf8');
    expect(types).toContain('from specs/widgets/{openapi.yaml,overlay.yaml}');
    expect(types).toMatch(/colour\?: string;/);
    expect(types).toContain('"/widgets/{widget_id}"');
    const info = await readFile(join(outDir, 'src/generated/spec-info.ts'), 'utf8');
    expect(info).toContain('defaultServerUrl: "https://widgets.example.com/api",');
    expect(await findStaleFiles(outDir, files)).toEqual([]);
  });

  it('--check passes when in sync and names every stale file after a one-character spec change', async () => {
    const outDir = join(work, 'packages', 'widgets');
    const specDir = join(work, 'specs', 'widgets');
    expect(runCli(['generate', specDir, '--out', outDir], work).status).toBe(0);
    const inSync = runCli(['generate', specDir, '--check'], outDir);
    expect(inSync.status).toBe(0);

    const specPath = join(specDir, 'openapi.yaml');
    await writeFile(specPath, (await readFile(specPath, 'utf8')).replace('description: A widget.', 'description: A widgex.'));
    const stale = runCli(['generate', specDir, '--check'], outDir);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('Generated code is out of date with specs/widgets:');
    expect(stale.stderr).toMatch(/packages\/widgets\/openapi\.json: differs from line \d+/);
    expect(stale.stderr).toMatch(/packages\/widgets\/src\/generated\/openapi\.ts: differs from line \d+/);
    expect(stale.stderr).not.toContain('spec-info.ts');
    // The fix names the command that made the files, as their header does.
    expect(stale.stderr).toMatch(/Run `upstat-spec generate \S*specs\/widgets --out \S+` (at the repository root|in the output directory)/);
  });

  it('exits 2 with the reason for a directory without a spec or an overlay that no longer applies', async () => {
    const empty = runCli(['generate', join(work, 'nothing-here')], work);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no openapi.json / openapi.yaml / openapi.yml found');

    const overlayPath = join(work, 'specs', 'widgets', 'overlay.yaml');
    await writeFile(overlayPath, (await readFile(overlayPath, 'utf8')).replace('schemas.Widget.', 'schemas.Gadget.'));
    const stale = runCli(['generate', join(work, 'specs', 'widgets')], work);
    expect(stale.status).toBe(2);
    expect(stale.stderr).toContain('1 overlay action(s) matched nothing');
    expect(stale.stderr).toContain('#1 $.components.schemas.Gadget.properties');
  });
});

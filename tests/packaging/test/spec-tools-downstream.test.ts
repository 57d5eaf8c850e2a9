import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConsumer, workspaceDependencyDirs, type Consumer } from '../src/consumer.js';
import { describeRun, repoRoot, runAsync, type RunResult } from '../src/workspace.js';

// The walk-through "Using upstat's specs in your repository" of packages/spec-tools/README.md, run command by command
// from the README itself in a fresh project that installs the packed @upstat/spec-tools and @upstat/pandadoc.

const README = join(repoRoot, 'packages', 'spec-tools', 'README.md');
const SECTION = "## Using upstat's specs in your repository";

interface Block {
  lang: string;
  body: string;
}

/** The fenced code blocks of one `## ` section of a Markdown file, in order. */
function sectionBlocks(markdownPath: string, heading: string): Block[] {
  const markdown = readFileSync(markdownPath, 'utf8');
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`${markdownPath} has no heading ${JSON.stringify(heading)}`);
  const end = markdown.indexOf('\n## ', start + heading.length + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({ lang: match[1] ?? '', body: match[2] ?? '' }));
}

/** Runs one README command line with the system shell, as a user pastes it. */
function sh(line: string, cwd: string): Promise<RunResult> {
  // npx finds the installed bin; offline, so a registry lookup would fail rather than pass by accident.
  return runAsync('/bin/sh', ['-c', line], { cwd, env: { ...process.env, npm_config_offline: 'true', NO_COLOR: '1' } });
}

const commandsOf = (block: Block): string[] =>
  block.body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

const blocks = sectionBlocks(README, SECTION);
const shellBlocks = blocks.filter((block) => block.lang === 'sh').map(commandsOf);
const overlayBlock = blocks.find((block) => block.lang === 'yaml');
/** The README's command lines that contain `text` (each step is found by what it does, not by its position). */
const commandsWith = (...texts: string[]): string[] => shellBlocks.flat().filter((line) => texts.every((text) => line.includes(text)));

let consumer: Consumer | undefined;
const project = (): string => {
  if (consumer === undefined) throw new Error('the downstream project was not installed');
  return consumer.dir;
};

beforeAll(async () => {
  consumer = await createConsumer({
    label: 'spec-tools',
    tarballs: inject('tarballs'),
    manifest: { type: 'module' },
    extra: ['@upstat/spec-tools'],
    // openapi-typescript, TypeScript, Redocly and the rest: linked from the workspace's install (no registry).
    link: workspaceDependencyDirs('@upstat/spec-tools'),
    files: {},
  });
  // A downstream repository is a git repository: generated headers give paths from its root.
  const git = spawnSync('git', ['init', '--quiet'], { cwd: consumer.dir, encoding: 'utf8' });
  if (git.status !== 0) throw new Error(`git init failed: ${git.stderr}`);
});
afterAll(() => {
  consumer?.remove();
});

describe("packages/spec-tools/README.md, \"Using upstat's specs in your repository\", from the tarballs", () => {
  it('has the blocks the walk-through needs', () => {
    expect(overlayBlock?.body).toContain('overlay: 1.0.0');
    expect(commandsWith('cp node_modules/@upstat/pandadoc/openapi.json specs/pandadoc/openapi.json')).toHaveLength(1);
    expect(commandsWith('upstat-spec generate specs/pandadoc', '--out clients/pandadoc')).toHaveLength(2);
    expect(commandsWith('upstat-spec diff')).toHaveLength(1);
    expect(commandsWith('upstat-spec check pandadoc vendor/pandadoc.json')).toHaveLength(2);
  });

  it('1. regenerates a client from the shipped effective spec with its own overlay, and --check agrees', async () => {
    const dir = project();
    const [setup, generation, diffing] = shellBlocks;
    for (const line of setup ?? []) {
      const run = await sh(line, dir);
      expect(run.status, describeRun(line, run)).toBe(0);
    }
    const shipped = readFileSync(join(dir, 'node_modules', '@upstat', 'pandadoc', 'openapi.json'), 'utf8');
    expect(readFileSync(join(dir, 'specs', 'pandadoc', 'openapi.json'), 'utf8')).toBe(shipped);
    // The README says where the overlay goes; the test puts the README's example there.
    expect(readFileSync(README, 'utf8')).toContain('Put your fixes in `specs/pandadoc/overlay.yaml`');
    writeFileSync(join(dir, 'specs', 'pandadoc', 'overlay.yaml'), overlayBlock?.body ?? '');

    const [generate, check] = generation ?? [];
    if (generate === undefined || check === undefined) throw new Error('the README lost its generate commands');
    const generated = await sh(generate, dir);
    expect(generated.status, describeRun(generate, generated)).toBe(0);
    const types = readFileSync(join(dir, 'clients', 'pandadoc', 'src', 'generated', 'openapi.ts'), 'utf8');
    // The overlay applied: the README's example property is in the types and in the effective spec.
    expect(types).toMatch(/page_count\?: number;/);
    const effective = JSON.parse(readFileSync(join(dir, 'clients', 'pandadoc', 'openapi.json'), 'utf8')) as {
      components: { schemas: { UploadSectionStatusResponse: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(effective.components.schemas.UploadSectionStatusResponse.properties)).toContain('page_count');
    // The header names the command that made the file, paths from the repository root; not upstat's own scripts.
    const header = types.split('\n').slice(0, 5).join('\n');
    expect(header).toContain('Generated by `upstat-spec generate specs/pandadoc --out clients/pandadoc`, run at the repository root');
    expect(header).not.toContain('pnpm');
    expect(existsSync(join(dir, 'clients', 'pandadoc', 'src', 'generated', 'spec-info.ts'))).toBe(true);

    // Outside any repository (no .git or pnpm-workspace.yaml above the output), paths are from the output directory.
    const loose = mkdtempSync(join(tmpdir(), 'upstat-loose-client-'));
    try {
      const run = await sh(`npx upstat-spec generate specs/pandadoc --out ${loose}`, dir);
      expect(run.status, describeRun('generate outside a repository', run)).toBe(0);
      const looseHeader = readFileSync(join(loose, 'src', 'generated', 'spec-info.ts'), 'utf8');
      const specDir = relative(loose, join(dir, 'specs', 'pandadoc')).split(sep).join('/');
      expect(looseHeader).toContain(`Generated by \`upstat-spec generate ${specDir} --out .\`, run in the output directory`);
    } finally {
      rmSync(loose, { recursive: true, force: true });
    }

    const inSync = await sh(check, dir);
    expect(inSync.status, describeRun(check, inSync)).toBe(0);
    // --check fails once the overlay changes and the committed output does not.
    const overlayPath = join(dir, 'specs', 'pandadoc', 'overlay.yaml');
    writeFileSync(overlayPath, (overlayBlock?.body ?? '').replace('type: integer', 'type: string'));
    const stale = await sh(check, dir);
    expect(stale.status, describeRun(check, stale)).toBe(1);
    expect(stale.stderr).toContain('clients/pandadoc/src/generated/openapi.ts');
    writeFileSync(overlayPath, overlayBlock?.body ?? '');

    // After an upgrade of @upstat/pandadoc: the copy and the installed spec are the same, so nothing changed.
    for (const line of diffing ?? []) {
      const run = await sh(line, dir);
      expect(run.status, describeRun(line, run)).toBe(0);
      expect(run.stdout).toMatch(/^# specs\/pandadoc\/openapi\.json → pandadoc \(@upstat\/pandadoc@[\w.-]+\)$/m);
      expect(run.stdout).toContain('No changes.');
    }
  });

  it('a provider name that is neither in packages/ nor installed: exit 2, saying where it looked', async () => {
    const dir = project();
    const run = await sh('npx upstat-spec diff nosuchprovider specs/pandadoc/openapi.json', dir);
    expect(run.status, describeRun('diff nosuchprovider', run)).toBe(2);
    expect(run.stderr).toContain(`no ${join(dir, 'packages', 'nosuchprovider', 'openapi.json')}`);
    expect(run.stderr).toContain('@upstat/nosuchprovider/openapi.json is not installed');
  });

  it('2. checks a vendor update: a breaking one fails the job with a Markdown report, JSON for tools; a docs-only one passes', async () => {
    const dir = project();
    const [markdownCommand, jsonCommand] = commandsWith('upstat-spec check pandadoc vendor/pandadoc.json');
    if (markdownCommand === undefined || jsonCommand === undefined) throw new Error('the README lost its check commands');
    expect(markdownCommand).toContain('--fail-on breaking');
    expect(jsonCommand).toContain('--json');

    // The vendor's "new document": the shipped spec (upstat's overlay is in it, so nothing but the change below
    // differs) with one more upload state, which code switching over the generated union does not handle.
    const shipped = JSON.parse(readFileSync(join(dir, 'node_modules', '@upstat', 'pandadoc', 'openapi.json'), 'utf8')) as {
      components: { schemas: Record<string, { enum?: string[]; description?: string }> };
    };
    const statusEnum = shipped.components.schemas.UploadSectionStatusEnum;
    if (statusEnum?.enum === undefined) throw new Error('the shipped PandaDoc spec has no UploadSectionStatusEnum enum');
    const breaking = structuredClone(shipped);
    breaking.components.schemas.UploadSectionStatusEnum = { ...statusEnum, enum: [...statusEnum.enum, 'document_sections_upload.CANCELED'] };
    mkdirSync(join(dir, 'vendor'), { recursive: true });
    writeFileSync(join(dir, 'vendor', 'pandadoc.json'), `${JSON.stringify(breaking, null, 2)}\n`);

    const failing = await sh(markdownCommand, dir);
    expect(failing.status, describeRun(markdownCommand, failing)).toBe(1);
    expect(failing.stdout).toBe('');
    const markdown = readFileSync(join(dir, 'pandadoc-check.md'), 'utf8');
    expect(markdown).toContain('response-enum-value-added');
    expect(markdown).toContain('document_sections_upload.CANCELED');
    expect(markdown).toContain('GET /public/v1/documents/{document_id}/sections/uploads/{upload_id}');

    const json = await sh(jsonCommand, dir);
    expect(json.status, describeRun(jsonCommand, json)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'pandadoc-check.json'), 'utf8')) as {
      before: string;
      changes: { rule: string; severity: string; operation?: string }[];
      summary: { breaking: number };
    };
    expect(report.before).toMatch(/^pandadoc \(@upstat\/pandadoc@/);
    expect(report.summary.breaking).toBeGreaterThan(0);
    expect(report.changes).toContainEqual(expect.objectContaining({ rule: 'response-enum-value-added', severity: 'breaking' }));

    // A docs-only update passes the same gate.
    const docsOnly = structuredClone(shipped);
    docsOnly.components.schemas.UploadSectionStatusEnum = { ...statusEnum, description: 'The upload state, reworded by the vendor.' };
    writeFileSync(join(dir, 'vendor', 'pandadoc.json'), `${JSON.stringify(docsOnly, null, 2)}\n`);
    const passing = await sh(markdownCommand, dir);
    expect(passing.status, describeRun(markdownCommand, passing)).toBe(0);
    expect(readFileSync(join(dir, 'pandadoc-check.md'), 'utf8')).toContain('**0 breaking**');

    // The covered operations come from the installed package: a vendor document without them is an error naming one.
    const other = structuredClone(shipped) as unknown as { paths: Record<string, unknown> };
    other.paths = { '/public/v1/other': {} };
    writeFileSync(join(dir, 'vendor', 'pandadoc.json'), `${JSON.stringify(other, null, 2)}\n`);
    const missing = await sh(markdownCommand, dir);
    expect(missing.status, describeRun(markdownCommand, missing)).toBe(2);
    expect(missing.stderr).toContain('/public/v1/documents/{document_id}/sections/uploads/{upload_id}');
  });

  it("applies the overlay the package ships beside openapi.json to the vendor's document (none shipped: none applied)", async () => {
    const dir = project();
    const [markdownCommand] = commandsWith('upstat-spec check pandadoc vendor/pandadoc.json');
    if (markdownCommand === undefined) throw new Error('the README lost its check commands');
    // The vendor's real document, as vendored in this repository (the whole one: the check cuts it).
    writeFileSync(join(dir, 'vendor', 'pandadoc.json'), readFileSync(join(repoRoot, 'specs', 'pandadoc', 'openapi.json'), 'utf8'));

    // The package ships upstat's overlay beside openapi.json: the vendor's unchanged document is no change at all.
    const installed = realpathSync(join(dir, 'node_modules', '@upstat', 'pandadoc'));
    const shipped = join(installed, 'overlay.yaml');
    expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(join(repoRoot, 'specs', 'pandadoc', 'overlay.yaml'), 'utf8'));
    const withOverlay = await sh(markdownCommand, dir);
    expect(withOverlay.status, describeRun(markdownCommand, withOverlay)).toBe(0);
    expect(readFileSync(join(dir, 'pandadoc-check.md'), 'utf8')).toContain('No changes.');

    // Without it (a package that ships none), what the overlay adds shows as removed by the vendor (README says which).
    const kept = readFileSync(shipped, 'utf8');
    rmSync(shipped);
    try {
      const without = await sh(markdownCommand, dir);
      expect(without.status, describeRun(markdownCommand, without)).toBe(1);
      const report = readFileSync(join(dir, 'pandadoc-check.md'), 'utf8');
      for (const property of ['section_uuids', 'info_message']) expect(report).toMatch(new RegExp(`response-property-removed.*${property}|${property}.*response-property-removed`));
    } finally {
      writeFileSync(shipped, kept);
    }
  });
});

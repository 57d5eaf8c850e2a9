/**
 * The scheduled workflow .github/workflows/spec-updates.yml: it may call only repository scripts, and the ones it
 * calls are run here exactly as written (its `run:` lines, through bash as GitHub runs them): the provider list on
 * this checkout, and fetch → update on a copy of the repository whose "Published at" URL points at a loopback server
 * serving a whole vendor document.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedAt } from '@upstat/spec-tools';
import { copyRepo, repoRoot, workspacePackages } from '@upstat/test-support';
import { PANDADOC_OPERATION, wholePandadoc } from '../src/whole-document.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown };
  jobs: Record<string, { steps: Step[]; strategy?: { matrix?: Record<string, unknown> } }>;
}

const workflowPath = join(repoRoot, '.github/workflows/spec-updates.yml');
const workflow = parse(readFileSync(workflowPath, 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const rootScripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const step = (job: string, name: string): Step => {
  const found = workflow.jobs[job]?.steps.find((candidate) => candidate.name === name);
  if (found?.run === undefined) throw new Error(`no run step "${name}" in job ${job}`);
  return found;
};

/**
 * The commands of a `run:` line: split at `||`, `&&`, `;`, `|` and newlines, with `$(...)` substitutions taken out
 * and checked as commands of their own.
 */
function commands(line: string): string[] {
  const inner = [...line.matchAll(/\$\(([^)]*)\)/g)].map((match) => match[1] ?? '');
  const outer = line.replace(/\$\([^)]*\)/g, 'SUBSTITUTION');
  return [...outer.split(/\|\||&&|;|\||\n/), ...inner.flatMap(commands)].map((command) => command.trim()).filter(Boolean);
}

/** Shell builtins the workflow may use around the scripts (to pass exit codes and outputs on), nothing else. */
const BUILTINS = [/^test \$\? -eq 1$/, /^echo "providers=SUBSTITUTION" >> "\$GITHUB_OUTPUT"$/];

/** What a command runs: `node scripts/x.mjs args` → the script and its first argument, checked to exist. */
function scriptCall(command: string): string {
  const match = /^node (scripts\/[\w./-]+\.mjs)(?: (\S+))?/.exec(command);
  if (match === null) throw new Error(`not a repository script: ${command}`);
  const [, script = '', first = ''] = match;
  expect(existsSync(join(repoRoot, script)), script).toBe(true);
  if (script === 'scripts/with-pnpm.mjs' && first !== 'install' && first !== 'exec') {
    // `with-pnpm.mjs <name>` runs a root package.json script.
    expect(Object.keys(rootScripts), command).toContain(first);
  }
  if (script === 'scripts/with-pnpm.mjs' && first === 'exec') return scriptCall(command.replace(/^node scripts\/with-pnpm\.mjs exec /, ''));
  return `${script} ${first}`.trim();
}

/** Runs a step's `run:` as GitHub does on Linux (`bash --noprofile --norc -eo pipefail`), with a matrix value. */
function runStep(
  run: string,
  options: { cwd: string; env?: Record<string, string>; provider?: string },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const script = run.replaceAll('${{ matrix.provider }}', options.provider ?? '');
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}

const temp = mkdtempSync(join(tmpdir(), 'upstat-workflow-'));
let copy: ReturnType<typeof copyRepo> | undefined;
afterAll(() => {
  copy?.remove();
  rmSync(temp, { recursive: true, force: true });
});

describe('.github/workflows/spec-updates.yml', () => {
  it('runs weekly and on demand, with every action pinned by commit', () => {
    expect(workflow.on.schedule?.[0]?.cron).toMatch(/^\d+ \d+ \* \* \d$/);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
    const uses = steps.flatMap((candidate) => (candidate.uses === undefined ? [] : [candidate.uses]));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
  });

  it('calls only repository scripts, and exactly the ones this file runs below', () => {
    const called = new Set<string>();
    for (const candidate of steps.filter((item) => item.run !== undefined)) {
      for (const command of commands(candidate.run ?? '')) {
        if (BUILTINS.some((builtin) => builtin.test(command))) continue;
        called.add(scriptCall(command));
      }
    }
    expect([...called].sort()).toEqual(['scripts/spec.mjs published', 'scripts/with-pnpm.mjs install', 'scripts/with-pnpm.mjs spec:fetch', 'scripts/with-pnpm.mjs spec:update']);
    expect(rootScripts['spec:fetch']).toBe('node scripts/spec.mjs fetch');
    expect(rootScripts['spec:update']).toBe('node scripts/spec.mjs update');
  });

  it('lists the providers whose PROVENANCE.md says where the vendor publishes its document', async () => {
    const output = join(temp, 'github-output');
    writeFileSync(output, '');
    const list = step('providers', 'List them');
    const result = await runStep(list.run ?? '', { cwd: repoRoot, env: { ...list.env, GITHUB_OUTPUT: output } });
    expect(result.stderr).not.toContain('ERR');
    expect(result.status).toBe(0);
    const providers = JSON.parse(/^providers=(.*)$/m.exec(readFileSync(output, 'utf8'))?.[1] ?? 'null') as unknown;
    // Derived from the registry's packages: each provider whose spec records a "Published at" URL.
    const expected = workspacePackages()
      .map((item) => (item.manifest as { upstat?: { provider?: string } }).upstat?.provider)
      .filter((id): id is string => id !== undefined && publishedAt(readFileSync(join(repoRoot, 'specs', id, 'PROVENANCE.md'), 'utf8')) !== undefined)
      .sort();
    expect(providers).toEqual(expected);
    expect(providers).toContain('pandadoc');
  });

  // The release served changes the covered operation's version only: what is shown here is the workflow's commands, as
  // written, taking a release from the vendor's URL into the repository. What a covered change does to the client and
  // to everything that depends on it (a type check of the whole workspace) is shown once, in spec-update.test.ts.
  it('fetch → update on a copy: the whole document vendored, the covered operation shipped, a patch changeset', async () => {
    copy = copyRepo();
    const { root } = copy;
    // The copy shares the pinned pnpm (copyRepo leaves tools/pnpm/node_modules out); UPSTAT_SKIP_INSTALL keeps it offline.
    symlinkSync(join(repoRoot, 'tools/pnpm/node_modules'), join(root, 'tools/pnpm/node_modules'), 'dir');
    const whole = wholePandadoc(root);
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(whole));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`;
      const provenancePath = join(root, 'specs/pandadoc/PROVENANCE.md');
      const provenance = readFileSync(provenancePath, 'utf8');
      const published = publishedAt(provenance);
      if (published === undefined) throw new Error('specs/pandadoc/PROVENANCE.md records no Published at');
      writeFileSync(provenancePath, provenance.replace(published, url));

      const fetchStep = step('update', 'Fetch and check');
      const fetched = await runStep(fetchStep.run ?? '', { cwd: root, env: fetchStep.env ?? {}, provider: 'pandadoc' });
      expect(fetched.stderr).toContain('to apply it: pnpm spec:update pandadoc specs/pandadoc/.fetched/openapi.json');
      // --format github: what the check finds is workflow commands (here only the count outside the cut, a notice).
      expect(fetched.stdout).toContain("::notice title=outside the covered operations::95 operations outside this client's scope changed (95 added, 0 removed, 0 changed).");
      // Every line but pnpm's banner (`> upstat-monorepo@ spec:fetch …`).
      for (const line of fetched.stdout.split('\n').filter((text) => text !== '' && !text.startsWith('> '))) expect(line).toMatch(/^::(error|warning|notice)[ :]/);
      expect(fetched.status).toBe(0);

      const updateStep = step('update', 'Update');
      const updated = await runStep(updateStep.run ?? '', { cwd: root, env: updateStep.env ?? {}, provider: 'pandadoc' });
      expect(updated.stderr).not.toContain('type check failed');
      expect(updated.stdout).toContain('pandadoc: 0 breaking, 0 non-breaking, 1 docs-only change(s) → patch bump.');
      expect(updated.stdout).toContain('type check: passed\nchecked: @upstat/pandadoc only');
      expect(updated.status).toBe(0);
      expect(JSON.parse(readFileSync(join(root, 'specs/pandadoc/openapi.json'), 'utf8'))).toEqual(whole);
      const effective = JSON.parse(readFileSync(join(root, 'packages/pandadoc/openapi.json'), 'utf8')) as { paths: object };
      expect(Object.keys(effective.paths)).toEqual([PANDADOC_OPERATION]);
      expect(readFileSync(join(root, 'packages/pandadoc/src/generated/spec-info.ts'), 'utf8')).toContain('version: "8.8.0"');
      expect(readFileSync(join(root, '.changeset', readdirSync(join(root, '.changeset')).find((name) => name.startsWith('pandadoc-spec-')) ?? 'none'), 'utf8')).toMatch(/^---\n"@upstat\/pandadoc": patch\n/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

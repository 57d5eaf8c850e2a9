/**
 * Why this file exists: the CLI and the specs are used from other repositories. One project per file installs the
 * tarballs packed once per suite (tests/packaging/src/global-setup.ts) and runs the installed CLI and its size budget.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConsumer, installedDir, workspaceDependencyDirs, type Consumer } from '../src/consumer.js';
import { PANDADOC_REF, startPandaDocMock } from '../src/mock.js';
import { describeRun, repoRoot, runNodeAsync, TSC } from '../src/workspace.js';

/** What the light CLI may take on disk, installed with everything it needs (issue: "goal ≤ 5 MB"). */
const CLI_INSTALLED_BUDGET_BYTES = 5 * 1024 * 1024;

const here = fileURLToPath(new URL('.', import.meta.url));
const consumers: Consumer[] = [];
afterAll(() => {
  for (const consumer of consumers) consumer.remove();
});

/** The first ```ts block after `heading` in a Markdown file. */
function codeBlockAfter(markdownPath: string, heading: string): string {
  const markdown = readFileSync(markdownPath, 'utf8');
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`${markdownPath} has no heading ${JSON.stringify(heading)}`);
  const block = /```ts\n([\s\S]*?)```/.exec(markdown.slice(start));
  if (block?.[1] === undefined) throw new Error(`no \`\`\`ts block after ${JSON.stringify(heading)} in ${markdownPath}`);
  return block[1];
}

/** Bytes of every file under `dir`, symlinks not followed (pnpm's `.pnpm` holds each installed file once). */
function installedBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += installedBytes(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

describe('a downstream project testing against the mocks', () => {
  it("runs the mocks README's vitest example from the tarballs, type-checked, against scenario uploads", async () => {
    const example = codeBlockAfter(join(repoRoot, 'packages', 'mocks', 'README.md'), "## Mocks of upstat's providers, in a downstream test");
    const consumer = await createConsumer({
      label: 'mocks-vitest',
      tarballs: inject('tarballs'),
      manifest: { type: 'module' },
      extra: ['@upstat/mocks'],
      // Prism's libraries, vitest and Node's types are hundreds of packages: linked from the workspace's install.
      link: {
        ...workspaceDependencyDirs('@upstat/mocks'),
        vitest: installedDir('vitest', here),
        '@types/node': installedDir('@types/node', here),
      },
      files: {
        'test/upload.test.ts': example,
        'tsconfig.json': `${JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
          include: ['test'],
        })}\n`,
      },
    });
    consumers.push(consumer);

    const typecheck = await runNodeAsync([TSC, '-p', 'tsconfig.json'], { cwd: consumer.dir });
    expect(typecheck.status, describeRun('tsc in the downstream project', typecheck)).toBe(0);

    // vitest's own defaults (no config): the README says what the hook needs, so nothing is tuned here.
    const run = await runNodeAsync([join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'], { cwd: consumer.dir, env: { ...process.env, CI: '1' } });
    expect(run.status, describeRun('vitest in the downstream project', run)).toBe(0);
    // eslint-disable-next-line no-control-regex -- vitest's colours
    const report = run.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(report).toMatch(/✓ .*waits until the upload succeeds/);
    expect(report).toMatch(/Tests\s+1 passed/);
  });
});

describe('the light CLI', () => {
  let mock: Awaited<ReturnType<typeof startPandaDocMock>> | undefined;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    mock = await startPandaDocMock();
    consumer = await createConsumer({ label: 'cli', tarballs: inject('tarballs'), files: {}, extra: ['@upstat/cli'] });
    consumers.push(consumer);
  });
  afterAll(async () => {
    await mock?.stop();
  });

  const upstat = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    if (consumer === undefined) throw new Error('the CLI was not installed');
    return runNodeAsync([join('node_modules', '@upstat', 'cli', 'bin', 'upstat.js'), ...args], { cwd: consumer.dir, env: { ...process.env, ...env } });
  };

  it('installs without Prism or the mocks, within 5 MB with everything it needs', () => {
    if (consumer === undefined) throw new Error('the CLI was not installed');
    const store = readdirSync(join(consumer.dir, 'node_modules', '.pnpm'));
    expect(store.filter((entry) => /^@stoplight\+|^@upstat\+mocks@/.test(entry))).toEqual([]);
    const bytes = installedBytes(join(consumer.dir, 'node_modules'));
    console.log(`@upstat/cli installed: ${(bytes / 1024 / 1024).toFixed(2)} MiB in node_modules (${store.length} packages)`);
    expect(bytes).toBeLessThanOrEqual(CLI_INSTALLED_BUDGET_BYTES);
  });

  it('fetches a status as JSON, and says how to get the mocks when `upstat mock` needs them', async () => {
    if (mock === undefined) throw new Error('the Prism mock did not start');
    const status = await upstat(['status', PANDADOC_REF, '--json'], { UPSTAT_PANDADOC_API_KEY: 'consumer-key', UPSTAT_PANDADOC_BASE_URL: mock.server.url });
    expect(status.status, describeRun('upstat status', status)).toBe(0);
    const lines = status.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ type: 'status', refString: PANDADOC_REF, state: 'succeeded' });

    const mockRun = await upstat(['mock']);
    expect(mockRun.status).toBe(2);
    expect(mockRun.stdout).toBe('');
    expect(mockRun.stderr).toContain('npm install @upstat/mocks');
  });
});

/**
 * Why this file exists: a downstream repository brings a provider upstat does not have (README, "A provider of your
 * own"). From the tarballs, in a project of its own: `upstat-spec generate` makes its effective spec and types, the
 * facade takes a plug-in made from its definition (`pluginFor`), `@upstat/mocks` serves its spec with scenarios, and
 * the CLI finds it through `upstat.config.mjs` — with no change to any upstat package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConsumer, workspaceDependencyDirs, type Consumer } from '../src/consumer.js';
import { describeRun, repoRoot, runNodeAsync } from '../src/workspace.js';

const FIXTURE = join(repoRoot, 'packages', 'cli', 'test', 'fixtures', 'own-provider');
/** The provider the README shows: its spec, and its definition as JavaScript (HTTP Basic, a token id and secret). */
const SPEC = readFileSync(join(FIXTURE, 'openapi.yaml'), 'utf8');
const DEFINITION = readFileSync(join(FIXTURE, 'definition.mjs'), 'utf8');

/** The library: the mocks serve the spec, the facade waits on a scenario upload through the plug-in. */
const USE = `import { createUpstat } from 'upstat';
import { scenarioRef, startProviderMocks, stopMockServers } from '@upstat/mocks';
import { acme, definition } from './acme/definition.mjs';

const source = { definition, specPath: 'acme/openapi.yaml' };
const servers = await startProviderMocks({ providers: [source] });
try {
  const upstat = createUpstat({ providers: [acme({ tokenId: 'id_1', tokenSecret: 'secret_1', baseUrl: servers[0].url })] });
  const status = await upstat.wait(scenarioRef(source, 'succeeded', 'library'), { minDelayMs: 50, maxDelayMs: 50, timeoutMs: 20_000 });
  console.log(JSON.stringify({ state: status.state, raw: status.raw.state }));
} finally {
  await stopMockServers(servers);
}
`;

let consumer: Consumer | undefined;
beforeAll(async () => {
  consumer = await createConsumer({
    label: 'own-provider',
    tarballs: inject('tarballs'),
    manifest: { type: 'module' },
    extra: ['@upstat/cli', '@upstat/mocks', '@upstat/spec-tools'],
    // Prism's and the spec tools' libraries are hundreds of packages: linked from the workspace's install.
    link: { ...workspaceDependencyDirs('@upstat/mocks'), ...workspaceDependencyDirs('@upstat/spec-tools') },
    files: {
      'acme/openapi.yaml': SPEC,
      'acme/definition.mjs': DEFINITION,
      'use.mjs': USE,
      'upstat.config.mjs': "import { provider } from './acme/definition.mjs';\nexport default { providers: [provider] };\n",
    },
  });
}, 240_000);
afterAll(() => {
  consumer?.remove();
});

const inProject = (args: string[]) => {
  if (consumer === undefined) throw new Error('the project was not installed');
  return runNodeAsync(args, { cwd: consumer.dir });
};
const UPSTAT = join('node_modules', '@upstat', 'cli', 'bin', 'upstat.js');

describe('a provider of your own, from the tarballs', () => {
  it('upstat-spec generate writes its effective spec and types', async () => {
    const run = await inProject([join('node_modules', '@upstat', 'spec-tools', 'bin', 'upstat-spec.js'), 'generate', 'acme', '--out', 'clients/acme']);
    expect(run.status, describeRun('upstat-spec generate', run)).toBe(0);
    for (const file of ['openapi.json', 'src/generated/openapi.ts', 'src/generated/spec-info.ts']) {
      expect(existsSync(join(consumer?.dir ?? '', 'clients', 'acme', file)), file).toBe(true);
    }
  });

  it('the facade waits on it through pluginFor, against its mock with scenarios', async () => {
    const run = await inProject(['use.mjs']);
    expect(run.status, describeRun('node use.mjs', run)).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')).toEqual({ state: 'succeeded', raw: 'done' });
  });

  it('the CLI finds it through upstat.config.mjs: help, and a wait under upstat mock', async () => {
    const help = await inProject([UPSTAT, '--help']);
    expect(help.status, describeRun('upstat --help', help)).toBe(0);
    for (const variable of ['UPSTAT_ACME_TOKEN_ID', 'UPSTAT_ACME_TOKEN_SECRET', 'UPSTAT_ACME_BASE_URL']) expect(help.stdout).toContain(variable);
    const run = await inProject([UPSTAT, 'mock', '--', process.execPath, UPSTAT, 'wait', 'acme:acct_42/scenario-failed', '--json', '--min-delay', '50ms', '--max-delay', '50ms']);
    expect(run.status, describeRun('upstat mock -- upstat wait', run)).toBe(1);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ type: 'error', error: { kind: 'upload_failed', provider: 'acme' } });
  });
});

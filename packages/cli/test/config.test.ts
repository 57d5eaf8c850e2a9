/**
 * A provider of your own through a config file (`upstat.config.mjs` / `.json` in the working directory, `--config`,
 * or `UPSTAT_CONFIG`): the built CLI lists it, reads its credentials from its own variables, checks it against a real
 * local server, and `upstat mock` serves its spec with scenarios. A config that cannot be used is a usage error.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendJson, startLocalServer } from '@upstat/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, cleanEnv, collect, jsonLine, unwrapHelp, type Run } from './support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/own-provider/', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Under this package (in .tmp/, ignored by git), so that the definition's `import … from 'upstat'` resolves.
const TMP = fileURLToPath(new URL('../.tmp/', import.meta.url));

/** A downstream project: the provider's spec and definition, and the given config files. */
function project(files: Record<string, string>): string {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, 'config-'));
  dirs.push(dir);
  cpSync(FIXTURE, join(dir, 'acme'), { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function upstatIn(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return collect(spawn(process.execPath, [bin, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
}

const MJS = "import { provider } from './acme/definition.mjs';\nexport default { providers: [{ ...provider, specPath: './acme/openapi.yaml' }] };\n";
const JSON_CONFIG = `${JSON.stringify({ providers: ['./acme/definition.mjs'] })}\n`;

describe('a provider of your own, from a config file', () => {
  it.each([
    ['upstat.config.mjs', MJS],
    ['upstat.config.json', JSON_CONFIG],
  ])('%s in the working directory: --help lists it with a variable per part; status reads them and sends Basic', async (name, content) => {
    const cwd = project({ [name]: content });
    const help = await upstatIn(cwd, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('acme:<accountId>/<uploadId>');
    expect(unwrapHelp(help.stdout)).toContain('UPSTAT_ACME_TOKEN_ID and UPSTAT_ACME_TOKEN_SECRET, UPSTAT_ACME_BASE_URL');

    const server = await startLocalServer((_request, response) => {
      sendJson(response, 200, { upload: { id: 'up_7f3a', status: 'done', received_bytes: 5, total_bytes: 5 } });
    });
    try {
      const env = { UPSTAT_ACME_TOKEN_ID: 'id_1', UPSTAT_ACME_TOKEN_SECRET: 'secret_value_1', UPSTAT_ACME_BASE_URL: server.url };
      const run = await upstatIn(cwd, ['status', 'acme:acct_42/up_7f3a', '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(jsonLine(run.stdout)).toMatchObject({ ref: { provider: 'acme', accountId: 'acct_42', uploadId: 'up_7f3a' }, state: 'succeeded' });
      expect(server.requests.map((request) => [request.target, request.headers.authorization])).toEqual([
        ['/v1/accounts/acct_42/uploads/up_7f3a', `Basic ${Buffer.from('id_1:secret_value_1').toString('base64')}`],
      ]);
      expect(`${run.stdout}${run.stderr}`).not.toContain('secret_value_1');
      // The same project through --config from elsewhere, and the two parts through --api-key.
      const flagged = await upstatIn(tmpdir(), ['status', 'acme:acct_42/up_7f3a', '--config', join(cwd, name), '--api-key', 'id_2:secret_2', '--base-url', server.url]);
      expect(flagged.code, flagged.stderr).toBe(0);
      expect(server.requests[1]?.headers.authorization).toBe(`Basic ${Buffer.from('id_2:secret_2').toString('base64')}`);
    } finally {
      await server.close();
    }
  });

  it('upstat mock serves its spec with scenarios, and the command it runs finds the same config', async () => {
    const cwd = project({ 'elsewhere.config.mjs': MJS });
    const run = await upstatIn(cwd, ['mock', '--config', 'elsewhere.config.mjs', '--', process.execPath, bin, 'wait', 'acme:acct_42/scenario-succeeded', '--min-delay', '50ms', '--max-delay', '50ms', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLine(run.stdout)).toMatchObject({ state: 'succeeded' });
  });

  it.each([
    ['a --config that does not exist', {}, ['--config', 'nope.mjs'], /config: the config file .*nope\.mjs does not exist/],
    ['an entry without a definition', { 'upstat.config.mjs': 'export default { providers: [{}] };\n' }, [], /upstat\.config\.mjs: providers\[0\] has no `definition`/],
    ['an id the registry has', { 'upstat.config.json': `${JSON.stringify({ providers: ['./sendai.mjs'] })}\n`, 'sendai.mjs': "import { provider } from './acme/definition.mjs';\nexport default { ...provider, specPath: './acme/openapi.yaml', definition: { ...provider.definition, id: 'sendai' } };\n" }, [], /provider id "sendai" is taken/],
    ['a module that cannot be found', { 'upstat.config.json': `${JSON.stringify({ providers: ['@acme/missing'] })}\n` }, [], /"@acme\/missing" cannot be found/],
  ] as const)('%s is a usage error (exit 2) naming the file', async (_label, files, args, message) => {
    const cwd = project(files);
    const run = await upstatIn(cwd, ['status', 'acme:a/b', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

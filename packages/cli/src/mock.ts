import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { startMockServers, stopMockServers, type MockServer } from '@upstat/mocks';
import { createUpstat } from 'upstat';
import { environmentOf, providerConfig } from './credentials.js';
import { EXIT } from './exit-codes.js';
import { CLI_PROVIDERS, exampleRef, providerById, type CliProvider } from './providers.js';

/**
 * The provider packages' specs. pnpm lets this package resolve only its direct dependencies, so each spec is
 * resolved from the registry package, which depends on every provider package.
 */
const registryRequire = createRequire(createRequire(import.meta.url).resolve('@upstat/providers/package.json'));

function specPath(id: string): string {
  return registryRequire.resolve(`@upstat/${id}/openapi.json`);
}

/** Mock servers accept any well-formed credential; this placeholder is never a real key. */
const MOCK_CREDENTIAL = 'mock-key';

/** The environment that points upstat at the mocks: base URLs and placeholder credentials. */
function mockEnvironment(servers: MockServer[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const server of servers) {
    const provider = providerById(server.name);
    if (provider === undefined) continue;
    const names = environmentOf(provider);
    env[names.baseUrl] = server.url;
    const [primary] = names.credentials;
    if (primary) env[primary.variable] = MOCK_CREDENTIAL;
  }
  return env;
}

/** Runs a command with extra environment, passing Ctrl-C through; resolves with its exit code. */
function run(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (error) => {
      console.error(`upstat mock: cannot run ${command}: ${error.message}`);
      resolve(EXIT.usage);
    });
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal === 'SIGINT' ? EXIT.interrupted : EXIT.error));
    });
  });
}

/** This CLI, run again as a child process: the demo goes through the real command line. */
function upstat(args: string[], env: Record<string, string>): Promise<number> {
  return run(process.execPath, [process.argv[1] ?? '', ...args], env);
}

/**
 * The first provider whose mock answers its example ref with an unfinished upload that reports byte progress:
 * a wait on it shows the progress, and ends the way a real wait does when an upload takes too long.
 */
async function providerWithProgress(env: Record<string, string>): Promise<CliProvider | undefined> {
  for (const provider of CLI_PROVIDERS) {
    try {
      const status = await createUpstat(providerConfig(provider.definition.id, {}, env)).status(exampleRef(provider.definition));
      if (status.progress !== undefined && !status.terminal) return provider;
    } catch {
      // Its status was printed (with the error) above; look at the next one.
    }
  }
  return undefined;
}

async function demo(env: Record<string, string>): Promise<number> {
  let failures = 0;
  for (const { definition } of CLI_PROVIDERS) {
    const ref = exampleRef(definition);
    console.log(`\n$ upstat status ${ref}`);
    const code = await upstat(['status', ref], env);
    if (code !== EXIT.ok) failures += 1;
  }
  const waitOn = await providerWithProgress(env);
  if (waitOn === undefined) {
    console.log('\n(no mock answers with an upload part-way through and its byte progress: no wait to show)');
    return failures === 0 ? EXIT.ok : EXIT.error;
  }
  const waitArgs = ['wait', exampleRef(waitOn.definition), '--timeout', '4s', '--min-delay', '1s'];
  console.log(`\n$ upstat ${waitArgs.join(' ')}`);
  const waited = await upstat(waitArgs, env);
  console.log(`(exit code ${waited}${waited === EXIT.timeout ? ': timed out, as expected — the mock upload never finishes' : ''})`);
  if (waited !== EXIT.timeout) failures += 1;
  return failures === 0 ? EXIT.ok : EXIT.error;
}

export async function runMock(options: { demo: boolean; command: string[] }): Promise<number> {
  const servers = await startMockServers(
    CLI_PROVIDERS.map(({ definition }) => ({ name: definition.id, specPath: specPath(definition.id) })),
  );
  const env = mockEnvironment(servers);
  try {
    console.log('upstat: Prism mock servers of the provider specs are running on loopback (no account needed):');
    const width = Math.max(0, ...servers.map((server) => server.name.length)) + 1;
    for (const server of servers) console.log(`  ${server.name.padEnd(width)} ${server.url}`);
    if (options.demo) return await demo(env);
    const [command, ...args] = options.command;
    if (command !== undefined) return await run(command, args, env);
    console.log('\nPoint upstat at them from another shell, then try a ref from `upstat --help`:');
    console.log(`  export ${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')}`);
    const first = CLI_PROVIDERS[0];
    if (first) console.log(`  upstat status ${exampleRef(first.definition)}`);
    console.log('\nCtrl-C stops the mocks.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return EXIT.ok;
  } finally {
    await stopMockServers(servers);
  }
}

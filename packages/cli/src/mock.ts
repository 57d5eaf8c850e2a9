import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { startMockServers, stopMockServers, type MockServer } from '@upstat/mocks';
import { PROVIDER_IDS, type ProviderId } from 'upstat';
import { ENVIRONMENT } from './credentials.js';
import { EXAMPLE_REFS } from './examples.js';
import { EXIT } from './exit-codes.js';

const require = createRequire(import.meta.url);

/** Mock servers accept any well-formed credential; this placeholder is never a real key. */
const MOCK_CREDENTIAL = 'mock-key';

/** The environment that points upstat at the mocks: base URLs and placeholder credentials. */
function mockEnvironment(servers: MockServer[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const server of servers) {
    const names = ENVIRONMENT[server.name as ProviderId];
    env[names.baseUrl] = server.url;
    env[names.credential] = MOCK_CREDENTIAL;
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

async function demo(env: Record<string, string>): Promise<number> {
  let failures = 0;
  for (const id of PROVIDER_IDS) {
    console.log(`\n$ upstat status ${EXAMPLE_REFS[id]}`);
    const code = await upstat(['status', EXAMPLE_REFS[id]], env);
    if (code !== EXIT.ok) failures += 1;
  }
  // The Nullspace mock always answers with an upload part-way through, so this wait shows its progress
  // and ends the way a real wait does when an upload takes too long.
  const waitArgs = ['wait', EXAMPLE_REFS.nullspace, '--timeout', '4s', '--min-delay', '1s'];
  console.log(`\n$ upstat ${waitArgs.join(' ')}`);
  const waited = await upstat(waitArgs, env);
  console.log(`(exit code ${waited}${waited === EXIT.timeout ? ': timed out, as expected — the mock upload never finishes' : ''})`);
  if (waited !== EXIT.timeout) failures += 1;
  return failures === 0 ? EXIT.ok : EXIT.error;
}

export async function runMock(options: { demo: boolean; command: string[] }): Promise<number> {
  const servers = await startMockServers(
    PROVIDER_IDS.map((name) => ({ name, specPath: require.resolve(`@upstat/${name}/openapi.json`) })),
  );
  const env = mockEnvironment(servers);
  try {
    console.log('upstat: Prism mock servers of the four provider specs are running on loopback (no account needed):');
    for (const server of servers) console.log(`  ${server.name.padEnd(12)} ${server.url}`);
    if (options.demo) return await demo(env);
    const [command, ...args] = options.command;
    if (command !== undefined) return await run(command, args, env);
    console.log('\nPoint upstat at them from another shell, then try a ref from `upstat --help`:');
    console.log(`  export ${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')}`);
    console.log(`  upstat status ${EXAMPLE_REFS.pandadoc}\n\nCtrl-C stops the mocks.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return EXIT.ok;
  } finally {
    await stopMockServers(servers);
  }
}

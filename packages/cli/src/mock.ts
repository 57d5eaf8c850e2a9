import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Mocks from '@upstat/mocks';
import type { MockServer, Scenario } from '@upstat/mocks';
import { environmentOf } from './credentials.js';
import { EXIT } from './exit-codes.js';
import { CLI_PROVIDERS, exampleRef, providerById, type CliProvider } from './providers.js';

/** Mock servers accept any well-formed credential; this placeholder is never a real key. */
const MOCK_CREDENTIAL = 'mock-key';

/** Exit code after a signal: 130 for SIGINT (Ctrl-C), 143 for SIGTERM (128 + the signal's number). */
const SIGNAL_EXIT = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

/** What `upstat mock` says about itself goes to stderr: stdout carries only the data of the commands it runs. */
function say(line = ''): void {
  process.stderr.write(`${line}\n`);
}

/**
 * `@upstat/mocks` (Prism and its dependencies) is an optional peer of this package, loaded only here: `upstat status`
 * and `upstat wait` install and start without it.
 */
async function loadMocks(cwd: string): Promise<typeof Mocks | undefined> {
  const notFound = (error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException;
    return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes('@upstat/mocks');
  };
  try {
    return await import('@upstat/mocks');
  } catch (error) {
    if (!notFound(error)) throw error;
  }
  // A global upstat (npm install --global @upstat/cli) in a project that installed the mocks: the project's copy,
  // found as Node would from the working directory (its node_modules and those above it; not NODE_PATH).
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '@upstat', 'mocks', 'package.json'))) {
      const path = createRequire(join(dir, 'package.json')).resolve('@upstat/mocks');
      return (await import(pathToFileURL(path).href)) as typeof Mocks;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** How to install the mocks where this upstat can find them: beside a global upstat, or in the project. */
function installHint(): string {
  const global = /[\\/]lib[\\/]node_modules[\\/]@upstat[\\/]cli[\\/]/.test(fileURLToPath(import.meta.url));
  return global ? 'npm install --global @upstat/mocks (or npm install @upstat/mocks in the project)' : 'npm install @upstat/mocks';
}

/** What the mocks serve for a provider: a registry id, or a config file's definition with its spec. */
function sourceOf(provider: CliProvider): Mocks.ProviderSource {
  return provider.specPath === undefined ? provider.definition.id : { definition: provider.definition, specPath: provider.specPath };
}

/** The environment that points upstat at the mocks: base URLs, token URLs and placeholder credentials. */
function mockEnvironment(servers: MockServer[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const server of servers) {
    const provider = providerById(server.name);
    if (provider === undefined) continue;
    const names = environmentOf(provider);
    env[names.baseUrl] = server.url;
    if (names.tokenUrl !== undefined && server.tokenUrl !== undefined) env[names.tokenUrl] = server.tokenUrl;
    const [primary = []] = names.credentials;
    primary.forEach(({ variable }, index) => {
      env[variable] = index === 0 ? MOCK_CREDENTIAL : `${MOCK_CREDENTIAL}-${index + 1}`;
    });
  }
  return env;
}

/** Resolves with the first SIGINT or SIGTERM this process receives; `dispose` stops listening. */
function stopSignal(): { received: Promise<StopSignal>; dispose(): void } {
  let settle: (signal: StopSignal) => void = () => undefined;
  const received = new Promise<StopSignal>((resolve) => {
    settle = resolve;
  });
  const onInterrupt = () => {
    settle('SIGINT');
  };
  const onTerminate = () => {
    settle('SIGTERM');
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onTerminate);
  return {
    received,
    dispose() {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
    },
  };
}

/** Child processes run for the user or the demo; a stop signal is passed on to them. */
const children = new Set<ChildProcess>();
/** Set by a stop signal: the demo starts nothing more. */
let stopping: StopSignal | undefined;

/** Runs a command with extra environment; resolves with its exit code (128 + signal number if a signal ended it). */
function run(command: string, args: string[], env: Record<string, string>): Promise<number> {
  if (stopping !== undefined) return Promise.resolve(SIGNAL_EXIT[stopping]);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    children.add(child);
    child.on('error', (error: NodeJS.ErrnoException) => {
      children.delete(child);
      // As a shell: 127 for a command that is not there, 126 for one that is but cannot be run.
      const missing = error.code === 'ENOENT';
      say(`upstat mock: ${missing ? `command not found: ${command}` : `cannot run ${command}: ${error.message}`}`);
      resolve(missing ? EXIT.commandNotFound : EXIT.notExecutable);
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal !== null && signal in SIGNAL_EXIT ? SIGNAL_EXIT[signal as StopSignal] : EXIT.error));
    });
  });
}

/** Passes the signal on to the running children and waits (up to 5 s, then kills them) until they exit. */
async function stopChildren(signal: StopSignal): Promise<void> {
  stopping = signal;
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill(signal);
        }),
    ),
  );
}

/** This CLI, run again as a child process: the demo goes through the real command line. */
function upstat(args: string[], env: Record<string, string>): Promise<number> {
  say(`\n$ upstat ${args.join(' ')}`);
  return run(process.execPath, [process.argv[1] ?? '', ...args], env);
}

/** The scenario of `name` to show: one whose steps report byte progress if there is one (a bar to watch). */
function pickScenario(scenarios: Scenario[], name: string): Scenario | undefined {
  const candidates = scenarios.filter((scenario) => scenario.name === name);
  return candidates.find((scenario) => scenario.steps.some((step) => step.progress !== undefined)) ?? candidates[0];
}

/** Checks come every quarter second, so a scenario plays in a few seconds. */
const DEMO_WAIT_FLAGS = ['--timeout', '60s', '--min-delay', '250ms', '--max-delay', '250ms'];

async function demo(mocks: typeof Mocks, env: Record<string, string>): Promise<number> {
  const problems: string[] = [];
  for (const { definition } of CLI_PROVIDERS) {
    const code = await upstat(['status', exampleRef(definition)], env);
    if (code !== EXIT.ok) problems.push(`status of ${definition.id} exited ${code}`);
  }
  const scenarios = CLI_PROVIDERS.flatMap((provider) => mocks.providerScenarios(sourceOf(provider)));
  const expected: [scenario: string, code: number][] = [
    ['succeeded', EXIT.ok],
    ['failed', EXIT.uploadFailed],
  ];
  for (const [name, expectedCode] of expected) {
    const scenario = pickScenario(scenarios, name);
    if (scenario === undefined) {
      problems.push(`no provider's mock has a "${name}" scenario`);
      continue;
    }
    const steps = scenario.steps.map((step) => `${String(step.raw)}${step.progress === undefined ? '' : ` ${Math.floor(step.progress * 100)}%`}`);
    say(`\n(the ${scenario.provider} mock plays the "${name}" scenario: ${steps.join(' → ')})`);
    const source = providerById(scenario.provider);
    const code = await upstat(['wait', mocks.scenarioRef(source === undefined ? scenario.provider : sourceOf(source), name, 'demo'), ...DEMO_WAIT_FLAGS], env);
    say(`(exit code ${code}${code === expectedCode ? `, as expected for an upload that ${name === 'succeeded' ? 'succeeds' : `ends ${name}`}` : `; expected ${expectedCode}`})`);
    if (code !== expectedCode) problems.push(`the wait on the "${name}" scenario exited ${code}, not ${expectedCode}`);
  }
  if (problems.length > 0) {
    say(`\nupstat mock --demo: ${problems.join('; ')}`);
    return EXIT.error;
  }
  return EXIT.ok;
}

function explain(mocks: typeof Mocks, env: Record<string, string>): void {
  say('\nPoint upstat at them from another shell, then try a ref from `upstat --help`:');
  say(`  export ${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')}`);
  const first = CLI_PROVIDERS[0];
  if (first) say(`  upstat status ${exampleRef(first.definition)}`);
  say('\nUploads that move through their states (scenarios, see the @upstat/mocks README):');
  for (const provider of CLI_PROVIDERS) {
    const { definition } = provider;
    const names = mocks.providerScenarios(sourceOf(provider)).map((scenario) => scenario.name);
    const [firstName] = names;
    if (firstName !== undefined) say(`  ${definition.id}: ${names.join(', ')} — e.g. upstat wait ${mocks.scenarioRef(sourceOf(provider), firstName)}`);
  }
  say('\nCtrl-C stops the mocks.');
}

/**
 * `upstat mock`: every provider's mock in this process, then the demo, the given command, or nothing until a signal.
 * Exit code: the demo's or the command's, 130 after SIGINT, 143 after SIGTERM.
 */
export async function runMock(options: { demo: boolean; command: string[]; config?: string | undefined }): Promise<number> {
  const mocks = await loadMocks(process.cwd());
  if (mocks === undefined) {
    say(`upstat mock needs @upstat/mocks: ${installHint()}`);
    return EXIT.usage;
  }
  const signal = stopSignal();
  try {
    say('upstat mock: starting Prism mock servers of the provider specs on loopback…');
    const starting = mocks.startProviderMocks({ providers: CLI_PROVIDERS.map(sourceOf) });
    const first = await Promise.race([starting, signal.received]);
    if (typeof first === 'string') {
      void starting.then(mocks.stopMockServers, () => undefined);
      return SIGNAL_EXIT[first];
    }
    const servers = first;
    try {
      say('upstat mock: the mock servers are running on loopback (no account needed):');
      const width = Math.max(0, ...servers.map((server) => server.name.length)) + 1;
      for (const server of servers) say(`  ${server.name.padEnd(width)} ${server.url}`);
      // The commands it runs find the same providers: the config file it read, wherever it is.
      const env = { ...mockEnvironment(servers), ...(options.config === undefined ? {} : { UPSTAT_CONFIG: options.config }) };
      const [command, ...args] = options.command;
      let work: Promise<number>;
      if (options.demo) work = demo(mocks, env);
      else if (command !== undefined) work = run(command, args, env);
      else {
        explain(mocks, env);
        work = new Promise<number>(() => undefined);
      }
      const outcome = await Promise.race([work, signal.received]);
      if (typeof outcome === 'number') return outcome;
      await stopChildren(outcome);
      return SIGNAL_EXIT[outcome];
    } finally {
      await mocks.stopMockServers(servers);
    }
  } catch (error) {
    say(`upstat mock: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  } finally {
    signal.dispose();
  }
}

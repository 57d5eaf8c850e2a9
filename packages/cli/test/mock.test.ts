/**
 * `upstat mock`, run as a child process: stdout carries only the data of the command it runs, signals end it with
 * the documented codes, the demo shows a wait that succeeds and one that fails, and the CLI works without
 * `@upstat/mocks` installed (it is an optional peer) except for `upstat mock`, which says what to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from './registry.js';
import { bin, collect, upstat } from './support.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Resolves once the child has written `text` to stderr. */
function stderrSays(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    child.once('exit', () => {
      reject(new Error(`exited before saying ${JSON.stringify(text)}; stderr:\n${seen}`));
    });
  });
}

describe('upstat mock', () => {
  it('-- <command>: stdout carries only the command\'s output, so `| node -e JSON.parse` works; the banner is on stderr', async () => {
    const [provider] = TEST_PROVIDERS;
    if (provider === undefined) throw new Error('no provider');
    const parse = "let s='';process.stdin.on('data',(d)=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log('parsed '+v.state)})";
    const pipeline = `"${process.execPath}" "${bin}" mock -- "${process.execPath}" "${bin}" status '${provider.example}' --json | "${process.execPath}" -e "${parse}"`;
    const run = await collect(spawn('sh', ['-c', pipeline], { stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(run.stderr).toContain('mock servers are running on loopback');
    expect(run.stdout).toMatch(/^parsed [a-z_]+\n$/);
    expect(run.code).toBe(0);
  });

  it('-- <command>: the banner names every provider\'s mock URL, on stderr only', async () => {
    const run = await upstat(['mock', '--', process.execPath, '-e', "process.stdout.write('only this')"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('only this');
    for (const provider of TEST_PROVIDERS) expect(run.stderr).toMatch(new RegExp(`${provider.id}\\s+http://127\\.0\\.0\\.1:\\d+`));
  });

  it('Ctrl-C (SIGINT) stops the mocks and exits 130', async () => {
    let child: ChildProcess | undefined;
    const done = upstat(['mock'], {}, (started) => (child = started));
    if (child === undefined) throw new Error('not started');
    await stderrSays(child, 'Ctrl-C stops the mocks');
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stdout).toBe('');
    // It told how to use the scenarios, with a ref for each provider.
    for (const provider of TEST_PROVIDERS) expect(run.stderr).toContain(`upstat wait ${provider.id}:`);
  });

  it('SIGTERM stops the mocks and exits 143', async () => {
    let child: ChildProcess | undefined;
    const done = upstat(['mock'], {}, (started) => (child = started));
    if (child === undefined) throw new Error('not started');
    await stderrSays(child, 'Ctrl-C stops the mocks');
    child.kill('SIGTERM');
    expect((await done).code).toBe(143);
  });

  it('SIGINT while a command runs passes it on to the command and exits 130', async () => {
    let child: ChildProcess | undefined;
    const script = "process.on('SIGINT',()=>{console.log('command got SIGINT');process.exit(0)});console.error('command running');setInterval(()=>{},1000)";
    const done = upstat(['mock', '--', process.execPath, '-e', script], {}, (started) => (child = started));
    if (child === undefined) throw new Error('not started');
    await stderrSays(child, 'command running');
    child.kill('SIGINT');
    const run = await done;
    expect(run.stdout).toBe('command got SIGINT\n');
    expect(run.code).toBe(130);
  });

  it('--demo shows each provider\'s status, a wait that reaches 100% and succeeds (exit 0) and one that ends failed (exit 1)', async () => {
    const run = await upstat(['mock', '--demo']);
    expect(run.code, run.stderr).toBe(0);
    for (const provider of TEST_PROVIDERS) {
      expect(run.stderr).toContain(`$ upstat status ${provider.example}`);
      expect(run.stdout).toContain(provider.example);
    }
    expect(run.stdout).toContain('100%');
    const waits = run.stderr.split('\n').filter((line) => line.startsWith('$ upstat wait '));
    expect(waits).toHaveLength(2);
    expect(waits[0]).toContain('/scenario-succeeded-demo');
    expect(waits[1]).toContain('/scenario-failed-demo');
    expect(run.stderr).toContain('(exit code 0, as expected for an upload that succeeds)');
    expect(run.stderr).toContain('(exit code 1, as expected for an upload that ends failed)');
    expect(run.stdout).toMatch(/ succeeded /);
    expect(run.stdout).toMatch(/ failed /);
  });
});

describe('without @upstat/mocks installed', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the package (bin, dist, manifest) whose node_modules has every dependency but the optional peer. */
  async function installWithoutMocks(): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'upstat-cli-light-'));
    const copy = join(dir, 'node_modules', '@upstat', 'cli');
    await mkdir(copy, { recursive: true });
    for (const entry of ['bin', 'dist', 'package.json']) await cp(join(packageDir, entry), join(copy, entry), { recursive: true });
    const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(manifest.dependencies)).not.toContain('@upstat/mocks');
    expect(manifest.peerDependenciesMeta['@upstat/mocks']?.optional).toBe(true);
    for (const name of Object.keys(manifest.dependencies)) {
      // The workspace's install of each dependency (pnpm links a package's direct dependencies beside it).
      const target = await realpath(join(packageDir, 'node_modules', name));
      const link = join(dir, 'node_modules', name);
      await mkdir(dirname(link), { recursive: true });
      await symlink(target, link, 'dir');
    }
    return join(copy, 'bin', 'upstat.js');
  }

  it('--version works; upstat mock exits 2 saying what to install', async () => {
    const lightBin = await installWithoutMocks();
    const runLight = (args: string[]) =>
      collect(spawn(process.execPath, [lightBin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
    const version = await runLight(['--version']);
    expect(version.code, version.stderr).toBe(0);
    const mock = await runLight(['mock']);
    expect(mock.stderr).toBe('upstat mock needs @upstat/mocks: npm install @upstat/mocks\n');
    expect(mock.stdout).toBe('');
    expect(mock.code).toBe(2);
  });

  it("an upstat without the mocks beside it finds the working directory's project's (as a global upstat would)", async () => {
    const lightBin = await installWithoutMocks();
    // This package's directory: a project with @upstat/mocks installed.
    const project = fileURLToPath(new URL('..', import.meta.url));
    const run = await collect(
      spawn(process.execPath, [lightBin, 'mock', '--', process.execPath, '-e', 'process.exit(3)'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    expect(run.stderr).toContain('upstat mock: the mock servers are running on loopback');
    expect(run.code, run.stderr).toBe(3);
  });
});

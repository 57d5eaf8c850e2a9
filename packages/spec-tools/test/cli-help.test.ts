/** `upstat-spec` asked for help or its version: the built bin, run as a child process. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin in an empty directory (nothing to lint, generate or mock there), with a time limit. */
function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: tmpdir(), timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** The commands the general help lists (lines `  <command> …` under "Commands:"). */
async function listedCommands(): Promise<string[]> {
  const { stdout } = await run(['--help']);
  const section = stdout.slice(stdout.indexOf('Commands:'), stdout.indexOf('Exit codes:'));
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((match) => match[1] as string);
}

describe('upstat-spec --version', () => {
  it.each([['--version'], ['-v']])('%s prints the version in package.json and exits 0', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  it('takes no arguments', async () => {
    const result = await run(['--version', 'extra']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--version takes no arguments');
  });
});

describe('upstat-spec <command> --help', () => {
  it('lists the commands people use, and help itself', async () => {
    expect(await listedCommands()).toEqual(expect.arrayContaining(['generate', 'lint', 'mock', 'diff', 'check', 'update', 'help']));
  });

  it('answers --help and -h for every listed command: its own usage on stdout, exit 0, nothing run', async () => {
    const commands = await listedCommands();
    for (const command of commands) {
      for (const flag of ['--help', '-h']) {
        const result = await run([command, flag]);
        expect(result, `${command} ${flag}`).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout.startsWith(`Usage: upstat-spec ${command}`), `${command} ${flag}: ${result.stdout}`).toBe(true);
        // Only this command's entry, not the whole list.
        for (const other of commands.filter((name) => name !== command)) {
          expect(result.stdout, `${command} ${flag}`).not.toMatch(new RegExp(`^ {2}${other} `, 'm'));
        }
      }
    }
  });

  it('finds --help among other arguments (generate <dir> --check --help), and help <command> says the same', async () => {
    const flagged = await run(['generate', 'specs/nowhere', '--check', '--help']);
    expect(flagged.code).toBe(0);
    expect(await run(['help', 'generate'])).toEqual(flagged);
  });

  it('treats --help after -- as an operand, and an unknown command as bad usage', async () => {
    const operand = await run(['lint', '--', '--help']);
    expect(operand.code).not.toBe(0);
    expect(operand.stdout).not.toContain('Usage: upstat-spec lint');
    const unknown = await run(['frobnicate', '--help']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const unknownTopic = await run(['help', 'frobnicate']);
    expect(unknownTopic.code).toBe(2);
    expect(unknownTopic.stderr).toContain('help: unknown command "frobnicate"');
  });

  it('prints the whole usage for --help and help, and for no command at all on stderr with exit 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: upstat-spec <command>');
    expect(await run(['help'])).toEqual(help);
    const none = await run([]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain('Usage: upstat-spec <command>');
  });
});

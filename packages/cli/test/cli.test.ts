/** The built `upstat` command, run as a child process against a real local server (and Prism for `mock`). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServer, type LocalServer } from '@upstat/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from './registry.js';
import { jsonLine, unwrapHelp, upstat } from './support.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A Send.ai-shaped server answering the n-th request with the n-th status (the last repeats), or an HTTP error. */
async function sendai(...answers: (string | number)[]) {
  let served = 0;
  server = await startLocalServer((_request, response) => {
    const answer = answers[Math.min(served++, answers.length - 1)];
    if (typeof answer === 'number') {
      response.writeHead(answer, { 'content-type': 'application/json' });
      response.end('{}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ payload: { id: 'upl_1', name: 'Invoice', status: answer } }));
  });
  return { env: { UPSTAT_SENDAI_API_KEY: 'test-key', UPSTAT_SENDAI_BASE_URL: server.url }, server };
}

const REF = 'sendai:team_1/proj_1/upl_1';
const FAST = ['--min-delay', '50ms', '--max-delay', '50ms'];

describe('upstat status', () => {
  it('prints one line with the canonical state and the vendor value, exit 0', async () => {
    const { env } = await sendai('IN_REVIEW');
    const run = await upstat(['status', REF], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${REF}  action_required  (sendai status "IN_REVIEW")\n`);
  });

  it('--json prints one compact line with the field names of the library Status, the ref string and a type', async () => {
    const { env } = await sendai('COMPLETED');
    const run = await upstat(['status', REF, '--json'], env);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(jsonLine(run.stdout)).toEqual({
      type: 'status',
      provider: 'sendai',
      ref: { provider: 'sendai', teamId: 'team_1', projectId: 'proj_1', uploadId: 'upl_1' },
      refString: REF,
      state: 'succeeded',
      terminal: true,
      raw: { state: 'COMPLETED', body: { payload: { id: 'upl_1', name: 'Invoice', status: 'COMPLETED' } } },
      progress: null,
      detail: null,
      updatedAt: null,
      requestId: null,
    });
  });

  it('takes the credential and server from flags instead of the environment', async () => {
    const { server: local } = await sendai('PROCESSING');
    const run = await upstat(['status', REF, '--api-key', 'flag-key', '--base-url', local.url]);
    expect(run.code).toBe(0);
    expect(local.requests[0]?.headers.authorization).toBe('Bearer flag-key');
  });

  it.each([
    [401, 3, 'AuthenticationError'],
    [403, 3, 'PermissionError'],
    [404, 6, 'NotFoundError'],
  ])('an HTTP %i exits %i', async (status, code) => {
    const { env } = await sendai(status);
    const run = await upstat(['status', REF], env);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(/^upstat: Send\.ai GET .* failed with \d{3}/);
    expect(run.stderr).not.toContain('test-key');
  });
});

describe('credentials from the environment', () => {
  /** A PandaDoc-shaped server (two credential options: an API key, or an OAuth2 access token as the alternative). */
  async function pandadoc() {
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'u1', status: 'document_sections_upload.PROCESSED' }));
    });
    return server;
  }
  const PANDADOC_REF = 'pandadoc:doc_1/upl_1';

  it('takes the alternative variable when the first is unset or empty, and sends it the way that option is sent', async () => {
    const local = await pandadoc();
    const only = await upstat(['status', PANDADOC_REF], { UPSTAT_PANDADOC_ACCESS_TOKEN: 'token-1', UPSTAT_PANDADOC_BASE_URL: local.url });
    expect(only.code, only.stderr).toBe(0);
    const empty = await upstat(['status', PANDADOC_REF], {
      UPSTAT_PANDADOC_API_KEY: '',
      UPSTAT_PANDADOC_ACCESS_TOKEN: 'token-2',
      UPSTAT_PANDADOC_BASE_URL: local.url,
    });
    expect(empty.code, empty.stderr).toBe(0);
    expect(local.requests.map((request) => request.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('prefers the first variable, and --api-key over both, as the first credential option', async () => {
    const local = await pandadoc();
    const env = { UPSTAT_PANDADOC_API_KEY: 'key-1', UPSTAT_PANDADOC_ACCESS_TOKEN: 'token-1', UPSTAT_PANDADOC_BASE_URL: local.url };
    expect((await upstat(['status', PANDADOC_REF], env)).code).toBe(0);
    expect((await upstat(['status', PANDADOC_REF, '--api-key', 'flag-key'], env)).code).toBe(0);
    expect(local.requests.map((request) => request.headers.authorization)).toEqual(['API-Key key-1', 'API-Key flag-key']);
  });

  it('with every credential variable unset or empty, the usage error names each variable that would do (exit 2)', async () => {
    const run = await upstat(['status', PANDADOC_REF], { UPSTAT_PANDADOC_API_KEY: '', UPSTAT_PANDADOC_ACCESS_TOKEN: '' });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      'upstat: no credential for pandadoc: set UPSTAT_PANDADOC_API_KEY or UPSTAT_PANDADOC_ACCESS_TOKEN, or pass --api-key.',
    );
  });
});

describe('upstat wait', () => {
  it('prints a line per change when not on a terminal and exits 0 on success', async () => {
    const { env } = await sendai('PROCESSING', 'PROCESSING', 'COMPLETED');
    const run = await upstat(['wait', REF, ...FAST], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${REF}  in_progress  (sendai status "PROCESSING")\n${REF}  succeeded  (sendai status "COMPLETED")\n`);
    expect(run.stderr).toBe('upstat: done: succeeded.\n');
  });

  it('exits 1 when the upload fails, and 0 for partial only when --accept says so', async () => {
    const failed = await sendai('PROCESSING', 'FAILED');
    expect((await upstat(['wait', REF, ...FAST], failed.env)).code).toBe(1);
    await server?.close();
    const partial = await sendai('PARTIAL');
    const refused = await upstat(['wait', REF, ...FAST], partial.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('upstat: the upload ended partial.\n');
    expect((await upstat(['wait', REF, ...FAST, '--accept', 'succeeded,partial'], partial.env)).code).toBe(0);
    expect((await upstat(['wait', REF, ...FAST, '--accept', 'partial'], partial.env)).code).toBe(0);
  });

  it('succeeded always counts as success: --accept adds states to it', async () => {
    const { env } = await sendai('PROCESSING', 'COMPLETED');
    const run = await upstat(['wait', REF, ...FAST, '--accept', 'partial'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('upstat: done: succeeded.\n');
  });

  it('stops at --stop-on states', async () => {
    const { env } = await sendai('PROCESSING', 'IN_REVIEW', 'COMPLETED');
    const run = await upstat(['wait', REF, ...FAST, '--stop-on', 'action_required', '--json'], env);
    expect(run.code).toBe(0);
    expect(jsonLine(run.stdout)).toMatchObject({ type: 'status', state: 'action_required' });
  });

  it('exits 4 on timeout, saying how long and the last state', async () => {
    const { env } = await sendai('PROCESSING');
    const run = await upstat(['wait', REF, ...FAST, '--timeout', '300ms'], env);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^upstat: upload sendai:team_1\/proj_1\/upl_1 did not finish within 300 ms \(\d+ checks? in \d+ ms; last state in_progress\)\. Wait longer with --timeout\.\n$/);
  });

  it('with many refs, each message names its ref once', async () => {
    const { env } = await sendai('PROCESSING');
    const other = 'sendai:team_2/proj_2/upl_2';
    const run = await upstat(['wait', REF, other, ...FAST, '--timeout', '300ms'], env);
    expect(run.code).toBe(4);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const ref of [REF, other]) {
      const mine = lines.filter((line) => line.includes(ref));
      expect(mine, ref).toHaveLength(1);
      expect(mine[0]?.split(ref)).toHaveLength(2);
    }
  });

  it('stops cleanly on Ctrl-C with exit 130 and sends nothing more', async () => {
    const { env, server: local } = await sendai('PROCESSING');
    const run = await upstat(['wait', REF, '--min-delay', '10s'], env, (child) => {
      // Interrupt once the first check has been answered.
      const poll = setInterval(() => {
        if (local.requests.length >= 1) {
          clearInterval(poll);
          setTimeout(() => child.kill('SIGINT'), 200);
        }
      }, 20);
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('upstat: interrupted.');
    expect(local.requests).toHaveLength(1);
  });
});

describe('bad input prints one clear line and the usage (exit 2)', () => {
  it.each([
    [['status', 'dropbox:a/b'], 'unknown provider "dropbox"'],
    [['status', 'sendai:a/b'], 'sendai needs 3 identifiers'],
    [['status', REF], 'no credential for sendai: set UPSTAT_SENDAI_API_KEY, or pass --api-key.'],
    [['wait', REF, '--timeout', 'soon'], '--timeout: "soon" is not a duration'],
    [['wait', REF, '--stop-on', 'paused'], '--stop-on: unknown state paused; --stop-on takes queued, in_progress, action_required, unknown'],
    [['wait', REF, '--accept', 'in_progress'], '--accept: in_progress does not end a wait; --accept takes succeeded, partial, failed, canceled, expired'],
    [['wait', REF, '--stop-on', 'succeeded,failed'], '--stop-on: succeeded, failed ends every wait already; --stop-on takes queued, in_progress, action_required, unknown'],
    [['status', REF, '--timeout', '5s'], '--timeout applies to wait only'],
    [['status'], 'status needs a ref'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['stats', REF], 'unknown command "stats"; did you mean "status"?'],
    [['wiat', REF], 'unknown command "wiat"; did you mean "wait"?'],
    [['status', REF, '--jsno'], 'unknown option --jsno; did you mean --json?'],
    [['wait', REF, '--time-out', '5s'], 'unknown option --time-out; did you mean --timeout?'],
    [['status', REF, '--colour'], 'unknown option --colour'],
    [['wait', REF, '--timeout', '0'], '--timeout must be greater than 0, got "0"'],
    [['wait', REF, '--timeout', '-5s'], '--timeout must be greater than 0, got "-5s"'],
    [['wait', REF, '--timeout=-5s'], '--timeout must be greater than 0, got "-5s"'],
    [['wait', REF, '--timeout', '31d'], '--timeout must be at most 30d'],
    [['wait', REF, '--min-delay', '2m'], '--min-delay (2m) must not be longer than --max-delay (1m, the default)'],
    [['wait', REF, '--min-delay', '5s', '--max-delay', '1s'], '--min-delay (5s) must not be longer than --max-delay (1s)'],
    [['status', REF, '--request-timeout', '0'], '--request-timeout must be greater than 0'],
    [['wait', REF, '--concurrency', '0'], '--concurrency must be a whole number greater than 0, got "0"'],
    [['wait', REF, '--concurrency', '1.5'], '--concurrency must be a whole number greater than 0, got "1.5"'],
    [['wait', REF, '--concurrency', 'many'], '--concurrency must be a whole number greater than 0, got "many"'],
    [['status', REF, 'pandadoc:d/u', '--api-key', 'k'], '--api-key stands for one provider, but the refs name sendai, pandadoc'],
    [['status', REF, '--base-url', 'ftp://example.com'], '--base-url must use http or https'],
    [['status', REF, '--base-url', 'not a url'], '--base-url: "not a url" is not an absolute URL'],
    [['status', REF, '--api-key', 'two words'], '--api-key contains whitespace'],
    [['mock', '--timeout', '5s'], '--timeout applies to wait only'],
    [['status', REF, '--demo'], '--demo applies to mock only'],
  ])('%j', async (args, message) => {
    const run = await upstat(args, message.startsWith('no credential') ? {} : { UPSTAT_SENDAI_API_KEY: 'k' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [first, ...rest] = run.stderr.split('\n');
    expect(first).toMatch(/^upstat: /);
    expect(first).toContain(message);
    expect(rest.join('\n')).toMatch(/Usage:\s+upstat /);
  });

  it('a credential variable that cannot be sent is named, never quoted', async () => {
    const run = await upstat(['status', REF], { UPSTAT_SENDAI_API_KEY: 'Bearer secret-value-123' });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      'upstat: UPSTAT_SENDAI_API_KEY contains whitespace or characters that cannot be sent in a header. ' +
        'Give the bare key or token, without a scheme prefix such as "Bearer " and without a trailing newline.',
    );
    expect(run.stderr).not.toContain('secret-value-123');
  });

  it('under --json, a usage error is also a JSON line on stdout (exit 2)', async () => {
    const run = await upstat(['wait', REF, '--json', '--timeout', 'soon'], { UPSTAT_SENDAI_API_KEY: 'k' });
    expect(run.code).toBe(2);
    expect(jsonLine(run.stdout)).toMatchObject({ type: 'error', ref: null, exitCode: 2, error: { kind: 'usage', message: expect.stringContaining('--timeout') as unknown } });
    expect(run.stderr).toContain('--timeout: "soon" is not a duration');
  });
});

describe('help and mock', () => {
  it('--help documents the commands, environment variables and exit codes', async () => {
    const run = await upstat(['--help']);
    expect(run.code).toBe(0);
    for (const text of ['upstat status <ref>', 'UPSTAT_PANDADOC_API_KEY', 'UPSTAT_NULLSPACE_BASE_URL', 'Exit codes', '130  interrupted']) {
      expect(run.stdout).toContain(text);
    }
  });

  it('--help shows the defaults of the library, not numbers of its own', async () => {
    const { DEFAULT_WAIT } = await import('upstat');
    const { DEFAULT_ATTEMPT_TIMEOUT_MS } = await import('@upstat/core');
    const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);
    const run = await upstat(['wait', '--help']);
    expect(run.stdout).toContain(`(default ${seconds(DEFAULT_WAIT.timeoutMs)})`);
    expect(run.stdout).toContain(`(default ${seconds(DEFAULT_WAIT.minDelayMs)})`);
    expect(run.stdout).toContain(`(default ${seconds(DEFAULT_WAIT.maxDelayMs)})`);
    expect(run.stdout).toContain(`(default ${seconds(DEFAULT_ATTEMPT_TIMEOUT_MS)})`);
  });

  it.each(['status', 'wait', 'mock'])('upstat %s --help, -h and help <command> print its own usage and exit 0', async (command) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const run = await upstat(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: upstat ${command} `));
      expect(run.stderr).toBe('');
    }
  });

  it('--version prints the package version, and -v too', async () => {
    const { createRequire } = await import('node:module');
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    for (const flag of ['--version', '-v']) {
      const run = await upstat([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });

  it('--help documents every provider in the registry: its ref, an example ref and its environment variables', async () => {
    const run = await upstat(['--help']);
    expect(run.code).toBe(0);
    const help = unwrapHelp(run.stdout);
    const [first] = help.split('\n');
    for (const provider of TEST_PROVIDERS) {
      expect(first).toContain(provider.name);
      for (const text of [provider.format, `e.g. ${provider.example}`, ...provider.credentials.flat(), provider.baseUrl, provider.tokenUrl ?? '']) {
        expect(help).toContain(text);
      }
    }
  });

  it.each([[], ['status'], ['wait'], ['mock']])('upstat %s --help fits 80 columns', async (...command) => {
    const run = await upstat([...command, '--help']);
    expect(run.code).toBe(0);
    const wide = run.stdout.split('\n').filter((line) => Array.from(line).length > 80);
    expect(wide).toEqual([]);
  });

  it('mock -- <command> runs the command pointed at the Prism mocks and passes its exit code on', async () => {
    const urlNames = TEST_PROVIDERS.map((provider) => provider.baseUrl);
    const keyNames = TEST_PROVIDERS.flatMap((provider) => [...provider.credentials[0], ...(provider.tokenUrl === undefined ? [] : [provider.tokenUrl])]);
    const script = [
      `const urls = ${JSON.stringify(urlNames)}.map((name) => process.env[name]);`,
      "console.log('urls ' + urls.every((url) => /^http:\\/\\/127\\.0\\.0\\.1:\\d+$/.test(url ?? '')));",
      `console.log('keys ' + ${JSON.stringify(keyNames)}.every((name) => (process.env[name] ?? '') !== ''));`,
      'process.exit(7);',
    ].join('\n');
    const run = await upstat(['mock', '--', process.execPath, '-e', script]);
    expect(run.stdout).toContain('urls true');
    expect(run.stdout).toContain('keys true');
    expect(run.code).toBe(7);
  });

  it('mock -- <command> exits as a shell does when the command is missing (127) or cannot be run (126)', async () => {
    const missing = await upstat(['mock', '--', 'upstat-test-no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('upstat mock: command not found: upstat-test-no-such-command');
    const dir = mkdtempSync(join(tmpdir(), 'upstat-mock-'));
    try {
      const plain = join(dir, 'not-executable');
      writeFileSync(plain, 'echo never\n', { mode: 0o644 });
      const refused = await upstat(['mock', '--', plain]);
      expect(refused.code).toBe(126);
      expect(refused.stderr).toContain(`upstat mock: cannot run ${plain}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

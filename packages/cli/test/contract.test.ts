/**
 * What scripts rely on, against real local servers: the exit code of each kind of failure, errors as JSON lines
 * under --json (exit code unchanged, message still on stderr), many refs with the worst outcome, JSON lines that
 * stream as a wait goes, and stdout that holds data only. Every --json line is validated against the shipped schema.
 */
import { createServer } from 'node:net';
import type { ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from '@upstat/test-support';
import * as library from 'upstat';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODES, worstExit } from '../src/exit-codes.js';
import { jsonLine, jsonLines, schema, upstat } from './support.js';

let servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function serve(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}

const REF = 'sendai:team_1/proj_1/upl_1';
const FAST = ['--min-delay', '50ms', '--max-delay', '50ms'];

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A Send.ai server answering each upload (by its upload id) with its own list of answers, the last repeating. */
async function sendai(answers: Record<string, (string | number)[]>) {
  const served: Record<string, number> = {};
  const server = await serve((request, response) => {
    const upload = (request.url ?? '').split('/').at(-1) ?? '';
    const list = answers[upload] ?? [404];
    const answer = list[Math.min((served[upload] = (served[upload] ?? 0) + 1) - 1, list.length - 1)];
    if (typeof answer === 'number') send(response, answer, { message: `answer ${answer}` }, { 'x-request-id': `req-${upload}`, 'retry-after': '0' });
    else send(response, 200, { payload: { id: upload, name: 'Invoice', status: answer } }, { 'x-request-id': `req-${upload}` });
  });
  return { UPSTAT_SENDAI_API_KEY: 'test-key', UPSTAT_SENDAI_BASE_URL: server.url };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 1}`;
}

/** A wait that gives up after --max-failures failed checks in a row: transient, as `status` would be. */
const TRANSIENT_WAIT = { exit: EXIT.transient, kind: 'wait_timeout' };

describe('exit codes: one per kind of failure, the same with and without --json', () => {
  /**
   * `wait` gives `status`'s exit code for an answer that cannot get better; for a failure that may pass it checks again
   * until --timeout, or, with --max-failures, gives up after that many in a row with the same code as `status` (a 429
   * never counts, so that wait runs to its deadline).
   */
  const cases: {
    name: string;
    exit: number;
    kind: string;
    wait?: { exit: number; kind: string };
    setup: () => Promise<{ env: Record<string, string>; args?: string[] }>;
  }[] = [
    { name: '404 → not found', exit: EXIT.notFound, kind: 'not_found', setup: async () => ({ env: await sendai({ upl_1: [404] }) }) },
    {
      name: '429 → transient',
      exit: EXIT.transient,
      kind: 'rate_limit',
      wait: { exit: EXIT.timeout, kind: 'wait_timeout' },
      setup: async () => ({ env: await sendai({ upl_1: [429] }) }),
    },
    { name: '503 → transient', exit: EXIT.transient, kind: 'server', wait: TRANSIENT_WAIT, setup: async () => ({ env: await sendai({ upl_1: [503] }) }) },
    { name: '500 → transient', exit: EXIT.transient, kind: 'server', wait: TRANSIENT_WAIT, setup: async () => ({ env: await sendai({ upl_1: [500] }) }) },
    { name: '401 → auth', exit: EXIT.auth, kind: 'authentication', setup: async () => ({ env: await sendai({ upl_1: [401] }) }) },
    { name: '409 → other error', exit: EXIT.error, kind: 'conflict', setup: async () => ({ env: await sendai({ upl_1: [409] }) }) },
    {
      name: 'closed port → transient',
      exit: EXIT.transient,
      kind: 'connection',
      wait: TRANSIENT_WAIT,
      setup: async () => ({ env: { UPSTAT_SENDAI_API_KEY: 'k', UPSTAT_SENDAI_BASE_URL: await closedPort() } }),
    },
    {
      name: 'a server that never answers, --request-timeout 300ms → transient',
      exit: EXIT.transient,
      kind: 'timeout',
      wait: TRANSIENT_WAIT,
      setup: async () => {
        const server = await serve(() => undefined);
        return { env: { UPSTAT_SENDAI_API_KEY: 'k', UPSTAT_SENDAI_BASE_URL: server.url }, args: ['--request-timeout', '300ms'] };
      },
    },
  ];

  it.each(cases)('$name', async ({ exit, kind, wait, setup }) => {
    const { env, args = [] } = await setup();
    for (const command of ['status', 'wait']) {
      const extra = command === 'wait' ? [...FAST, '--timeout', wait?.exit === EXIT.timeout ? '2s' : '30s', '--max-failures', '2'] : [];
      const expected = command === 'wait' && wait !== undefined ? wait : { exit, kind };
      const plain = await upstat([command, REF, ...args, ...extra], env);
      expect(plain.code, `${command}: ${plain.stderr}`).toBe(expected.exit);
      expect(plain.stdout).toBe('');
      expect(plain.stderr).toMatch(/^upstat: /);

      const json = await upstat([command, REF, '--json', ...args, ...extra], env);
      expect(json.code, json.stderr).toBe(expected.exit);
      const line = jsonLine(json.stdout);
      expect(line).toMatchObject({ type: 'error', refString: REF, exitCode: expected.exit, error: { kind: expected.kind, provider: 'sendai' } });
      // The message is on stderr too.
      expect(json.stderr).toContain((line.error as { message: string }).message);
    }
  });

  it('the JSON error carries the HTTP status, the request id and the Retry-After the server asked for', async () => {
    const server = await serve((_request, response) => {
      send(response, 429, { message: 'slow down' }, { 'retry-after': '120', 'x-request-id': 'req-429' });
    });
    const run = await upstat(['status', REF, '--json'], { UPSTAT_SENDAI_API_KEY: 'k', UPSTAT_SENDAI_BASE_URL: server.url });
    expect(run.code).toBe(EXIT.transient);
    expect(jsonLine(run.stdout)).toMatchObject({ error: { kind: 'rate_limit', status: 429, requestId: 'req-429', retryAfterMs: 120_000 } });
  });

  it('an upload that ends failed: exit 1, and the JSON error holds the final status', async () => {
    const env = await sendai({ upl_1: ['PROCESSING', 'FAILED'] });
    const run = await upstat(['wait', REF, '--json', ...FAST], env);
    expect(run.code).toBe(EXIT.uploadFailed);
    expect(jsonLine(run.stdout)).toMatchObject({ type: 'error', error: { kind: 'upload_failed' }, lastStatus: { state: 'failed', raw: { state: 'FAILED' } } });
    expect(run.stderr).toBe('upstat: the upload ended failed.\n');
  });

  it('a wait that times out: exit 4, and the JSON error holds the last status', async () => {
    const env = await sendai({ upl_1: ['PROCESSING'] });
    const run = await upstat(['wait', REF, '--json', ...FAST, '--timeout', '300ms'], env);
    expect(run.code).toBe(EXIT.timeout);
    expect(jsonLine(run.stdout)).toMatchObject({ type: 'error', exitCode: 4, error: { kind: 'wait_timeout' }, lastStatus: { state: 'in_progress' } });
  });

  it('every error kind the library has is in the schema', () => {
    const kinds = schema.$defs.errorLine.properties.error.properties.kind.enum;
    const classes = Object.values(library).filter(
      (value): value is typeof library.UpstatError => typeof value === 'function' && value.prototype instanceof Error && (value === library.UpstatError || value.prototype instanceof library.UpstatError),
    );
    expect(classes.length).toBeGreaterThan(10);
    for (const Class of classes) {
      const error = new (Class as unknown as new (message: string, options: object) => library.UpstatError)('m', {
        provider: 'p',
        status: 500,
        argument: 'a',
        limitBytes: 1,
        lastStatus: undefined,
        elapsedMs: 0,
        checks: 0,
        state: 'failed',
        finalStatus: undefined,
      });
      expect(kinds, Class.name).toContain(error.kind);
    }
  });
});

describe('many refs', () => {
  it('wait: one JSON line per ref, and the exit code is the worst outcome', async () => {
    const env = await sendai({ upl_ok: ['PROCESSING', 'COMPLETED'], upl_failed: ['FAILED'], upl_gone: [404] });
    const refs = ['upl_ok', 'upl_failed', 'upl_gone'].map((id) => `sendai:team_1/proj_1/${id}`);
    const run = await upstat(['wait', ...refs, '--json', ...FAST, '--concurrency', '2'], env);
    const lines = jsonLines(run.stdout);
    expect(lines.map((line) => line.refString).sort()).toEqual([...refs].sort());
    const byRef: Record<string, unknown> = Object.fromEntries(lines.map((line) => [String(line.refString), line]));
    expect(byRef[refs[0] ?? '']).toMatchObject({ type: 'status', state: 'succeeded', requestId: 'req-upl_ok' });
    expect(byRef[refs[1] ?? '']).toMatchObject({ type: 'error', exitCode: EXIT.uploadFailed });
    expect(byRef[refs[2] ?? '']).toMatchObject({ type: 'error', exitCode: EXIT.notFound });
    // Not found is worse than failed (see the order in exit-codes.ts).
    expect(run.code).toBe(EXIT.notFound);
    expect(run.stderr).toContain(`upstat: ${refs[2] ?? ''}: `);
  });

  it('status: a line per ref in the order given, errors on stderr; the worst exit code', async () => {
    const env = await sendai({ a: ['COMPLETED'], b: [503], c: ['PROCESSING'] });
    const refs = ['a', 'b', 'c'].map((id) => `sendai:t/p/${id}`);
    const run = await upstat(['status', ...refs], env);
    expect(run.stdout).toBe(`${refs[0] ?? ''}  succeeded  (sendai status "COMPLETED")\n${refs[2] ?? ''}  in_progress  (sendai status "PROCESSING")\n`);
    expect(run.stderr).toMatch(new RegExp(`^upstat: ${(refs[1] ?? '').replaceAll('/', '\\/')}: `));
    expect(run.code).toBe(EXIT.transient);
    const json = await upstat(['status', ...refs, '--json', '--concurrency', '3'], env);
    expect(jsonLines(json.stdout).map((line) => [line.type, line.refString])).toEqual([
      ['status', refs[0]],
      ['error', refs[1]],
      ['status', refs[2]],
    ]);
  });

  it('a malformed ref among many is a usage error before any request', async () => {
    const server = await serve((_request, response) => {
      send(response, 200, { payload: { id: 'x', name: 'n', status: 'COMPLETED' } });
    });
    const run = await upstat(['wait', REF, 'sendai:only/two'], { UPSTAT_SENDAI_API_KEY: 'k', UPSTAT_SENDAI_BASE_URL: server.url });
    expect(run.code).toBe(EXIT.usage);
    expect(server.requests).toHaveLength(0);
  });

  it('worstExit follows the documented order', () => {
    const order = EXIT_CODES.map(({ code }) => code);
    for (let worse = 0; worse < order.length; worse += 1) {
      for (let better = worse; better < order.length; better += 1) {
        expect(worstExit([order[better] ?? 0, order[worse] ?? 0])).toBe(order[worse]);
      }
    }
    expect(worstExit([])).toBe(EXIT.ok);
  });
});

describe('--stream: JSON lines as the wait goes', () => {
  it('a line per change as it happens, then the result line; every line valid against the schema', async () => {
    let served = 0;
    const states = [
      { status: 'created', accepted_bytes: 0, content_length: 100 },
      { status: 'uploading', accepted_bytes: 40, content_length: 100 },
      { status: 'uploading', accepted_bytes: 80, content_length: 100 },
      { status: 'completed', accepted_bytes: 100, content_length: 100 },
    ];
    const server = await serve((_request, response) => {
      send(response, 200, states[Math.min(served++, states.length - 1)], { 'x-request-id': `req-${served}` });
    });
    const run = await upstat(['wait', 'nullspace:sb_1/upl_1', '--stream', ...FAST], { UPSTAT_NULLSPACE_API_KEY: 'k', UPSTAT_NULLSPACE_BASE_URL: server.url });
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.map((line) => [line.type, line.state, (line.progress as { fraction: number } | null)?.fraction])).toEqual([
      ['update', 'queued', 0],
      ['update', 'in_progress', 0.4],
      ['update', 'in_progress', 0.8],
      ['update', 'succeeded', 1],
      ['status', 'succeeded', 1],
    ]);
  });

  it('lines reach a reader before the wait ends', async () => {
    let served = 0;
    const server = await serve((_request, response) => {
      served += 1;
      send(response, 200, { payload: { id: 'upl_1', name: 'n', status: 'PROCESSING' } });
    });
    let early = '';
    let stopped = false;
    const run = await upstat(['wait', REF, '--stream', '--min-delay', '10s'], { UPSTAT_SENDAI_API_KEY: 'k', UPSTAT_SENDAI_BASE_URL: server.url }, (child) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        early += chunk.toString();
        // The first line arrived while the wait goes on: stop it (once).
        if (early.endsWith('\n') && !stopped) {
          stopped = true;
          child.kill('SIGINT');
        }
      });
    });
    expect(served).toBe(1);
    expect(run.code).toBe(EXIT.interrupted);
    const lines = jsonLines(run.stdout);
    expect(lines.map((line) => line.type)).toEqual(['update', 'error']);
    // The interrupted wait keeps what it saw: its error line carries the last status.
    expect(lines[1]).toMatchObject({ exitCode: EXIT.interrupted, error: { kind: 'interrupted' }, lastStatus: { state: 'in_progress', raw: { state: 'PROCESSING' } } });
  });
});

describe('stdout carries data only', () => {
  it('plain wait: stdout has the status lines, stderr what upstat says about itself', async () => {
    const env = await sendai({ upl_1: ['PROCESSING', 'PARTIAL'] });
    const run = await upstat(['wait', REF, ...FAST], env);
    expect(run.code).toBe(EXIT.uploadFailed);
    for (const line of run.stdout.trimEnd().split('\n')) expect(line).toMatch(/^sendai:team_1\/proj_1\/upl_1 {2}/);
    expect(run.stderr).toBe('upstat: the upload ended partial.\n');
  });

  it('control characters from the vendor are spelled out, never sent to the terminal', async () => {
    const server = await serve((_request, response) => {
      send(response, 200, { status: 'uploading', accepted_bytes: 1, content_length: 2, updated_at: '2026\u001b[2J\u009b31m\u202e' });
    });
    const run = await upstat(['status', 'nullspace:sb_1/upl_1'], { UPSTAT_NULLSPACE_API_KEY: 'k', UPSTAT_NULLSPACE_BASE_URL: server.url });
    expect(run.code).toBe(0);
    for (const character of ['\u001b', '\u009b', '\u202e']) expect(run.stdout).not.toContain(character);
    expect(run.stdout).toContain('updated 2026\\u{1b}[2J\\u{9b}31m\\u{202e}\n');
  });

  it('a shell pipeline parses stdout as JSON lines exactly', async () => {
    const env = await sendai({ upl_1: ['PROCESSING', 'COMPLETED'] });
    const { spawn } = await import('node:child_process');
    const { bin } = await import('./support.js');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('UPSTAT_')));
    const reader = "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{console.log(s.trim().split('\\n').map(l=>JSON.parse(l).type).join(','))})";
    // Asynchronously: the server answering the CLI runs in this process.
    const piped = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      const shell = spawn('sh', ['-c', `"${process.execPath}" "${bin}" wait ${REF} --stream --min-delay 50ms --max-delay 50ms | "${process.execPath}" -e "${reader}"`], {
        env: { ...clean, ...env },
      });
      let stdout = '';
      let stderr = '';
      shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      shell.on('close', () => {
        resolve({ stdout, stderr });
      });
    });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe('update,update,status\n');
  });
});

describe('a reader that stops reading', () => {
  it('ends upstat at once with 141, as SIGPIPE would, and no stack trace', async () => {
    // The state changes at every check, so --stream writes a line each time: the write after the reader has gone
    // meets a closed pipe.
    const env = await sendai({ upl_1: Array.from({ length: 400 }, (_, index) => (index % 2 === 0 ? 'PROCESSING' : 'IN_REVIEW')) });
    const run = await upstat(['wait', REF, '--stream', '--timeout', '60s', ...FAST], env, (child) => {
      child.stdout?.once('data', () => {
        child.stdout?.destroy();
      });
    });
    expect(run.code).toBe(EXIT.closedPipe);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});

describe('the requests of every ref draw on one budget per provider', () => {
  it.each(['status', 'wait'])('%s of 12 refs with --concurrency 12 never has more in flight than the provider\'s budget', async (command) => {
    let inFlight = 0;
    let most = 0;
    const server = await serve((_request, response) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        send(response, 200, { payload: { id: 'u', name: 'n', status: 'COMPLETED' } });
      }, 150);
    });
    const refs = Array.from({ length: 12 }, (_, index) => `sendai:team_1/proj_1/upl_${index}`);
    const run = await upstat([command, ...refs, '--concurrency', '12', ...(command === 'wait' ? FAST : [])], {
      UPSTAT_SENDAI_API_KEY: 'k',
      UPSTAT_SENDAI_BASE_URL: server.url,
    });
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(server.requests).toHaveLength(refs.length);
    // The command makes one facade for the run: --concurrency caps the refs' requests, the budget the provider's.
    expect(most).toBe(library.DEFAULT_REQUEST_BUDGET.concurrency);
  });
});

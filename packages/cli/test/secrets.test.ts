/**
 * The built `upstat` command never prints a credential, whatever a hostile server echoes back.
 *
 * A real local server reads the credential each request carries (where the provider's security scheme puts it) and sends it back
 * through every channel it has: the JSON body (values and keys), the request-id header, the content-type
 * header, the HTTP status text, and a non-JSON body that is the credential itself. The CLI runs as a child
 * process with the credential from the environment or from --api-key, with and without --json; neither
 * stdout nor stderr may hold the credential (nor a long piece of it), and the exit code is the documented one.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  carriedCredential,
  credentialForms,
  credentialValues,
  expectedCarriage,
  startLocalServer,
  withTokenEndpoint,
  type LocalServer,
} from '@upstat/test-support';
import { describe, it } from 'vitest';
import { TEST_PROVIDERS, testProvider, type ProviderId } from './registry.js';
import { bin, cleanEnv, collect, jsonLines, type Run } from './support.js';


type Provider = ProviderId;
type Command = 'status' | 'wait';
type Source = 'env' | 'flag';

/** Every provider in the registry: how its credential and server reach the CLI, and a valid ref (its example). */
const PROVIDER_IDS = TEST_PROVIDERS.map((provider) => provider.id);

// ---------------------------------------------------------------------------------------------------------
// Running the CLI: at most two children at a time (spawning node costs ~0.3 s; the machine has 2 cores).

const MAX_CHILDREN = 2;
let running = 0;
const queue: (() => void)[] = [];

async function acquire(): Promise<void> {
  if (running < MAX_CHILDREN) {
    running += 1;
    return;
  }
  // The slot is handed over by release(), so `running` stays counted.
  await new Promise<void>((resolve) => queue.push(resolve));
}

function release(): void {
  const next = queue.shift();
  if (next) next();
  else running -= 1;
}

/** Runs the CLI with no UPSTAT_* variable from this process, only those in `env`. */
async function upstat(args: string[], env: Record<string, string>): Promise<Run> {
  await acquire();
  try {
    return await collect(spawn(process.execPath, [bin, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
  } finally {
    release();
  }
}

/** The command line and environment for one run: the credential from the environment or from --api-key. */
function invocation(provider: Provider, command: Command, json: boolean, source: Source, credential: string, server: LocalServer) {
  const names = testProvider(provider);
  const args = [command, names.example, ...(json ? ['--json'] : [])];
  if (command === 'wait') args.push('--min-delay', '50ms', '--max-delay', '50ms', '--timeout', '1s');
  // A client-credentials provider gets its tokens from the same server (see `withTokenEndpoint`).
  const tokens: Record<string, string> = names.tokenUrl === undefined ? {} : { [names.tokenUrl]: `${server.url}/token` };
  const values = credentialValues(names.credential, credential);
  // --api-key takes a credential of two parts joined by a colon.
  if (source === 'flag') return { args: [...args, '--api-key', values.join(':'), '--base-url', server.url], env: tokens };
  const variables = Object.fromEntries(names.credentials[0].map((variable, index) => [variable, values[index] ?? '']));
  return { args, env: { ...variables, ...tokens, [names.baseUrl]: server.url } };
}

// ---------------------------------------------------------------------------------------------------------
// The hostile server: every answer carries what the request's Authorization header held.

/** What the request carried: the whole header value (`Bearer k`, `Basic …`) or query value, and the credential alone. */
interface Echo {
  auth: string;
  bare: string;
}

function echoOf(provider: Provider, request: IncomingMessage): Echo {
  const { whole, bare } = carriedCredential(testProvider(provider).credential, request);
  return { auth: whole, bare };
}

/** The requests that asked for a status (not a client-credentials client's token requests). */
const statusRequests = (server: LocalServer) => server.requests.filter((request) => request.method === 'GET');

/** Whether a request carried exactly what the provider's scheme says for `values`. */
function carries(provider: Provider, request: LocalServer['requests'][number], values: string[]): boolean {
  const expected = expectedCarriage(testProvider(provider).credential, values);
  const query = new URL(request.target, 'http://loopback.invalid').searchParams;
  return (
    Object.entries(expected.headers).every(([name, value]) => request.headers[name] === value) &&
    Object.entries(expected.query).every(([name, value]) => query.get(name) === value)
  );
}

/** Answers with the credential in the status text, the request-id header and the content-type header too. */
function answer(response: ServerResponse, status: number, echo: Echo, body: string, type: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, `Status for ${echo.auth} ${echo.bare}`, {
    'content-type': `${type}; charset=utf-8; key=${echo.bare}`,
    'x-request-id': echo.auth,
    ...extra,
  });
  response.end(body);
}

const json = (response: ServerResponse, status: number, echo: Echo, body: unknown, extra?: Record<string, string>) => {
  answer(response, status, echo, JSON.stringify(body), 'application/json', extra);
};

/** A Send.ai upload whose body holds the credential as values and as keys, besides the vendor status. */
function sendaiUpload(echo: Echo, status: string) {
  return {
    payload: { id: 'upl_1', name: `Invoice for ${echo.auth}`, status, owner: echo.bare, [echo.bare]: { token: echo.auth } },
    [echo.bare]: echo.bare,
  };
}

type Handler = (response: ServerResponse, echo: Echo) => void;

/** Each outcome: how the server answers, and the exit code `upstat` documents for it. */
const OUTCOMES = {
  // An error envelope (Nullspace style).
  '401': {
    exit: 3,
    handler: (response, echo) => {
      json(response, 401, echo, { error: { message: `invalid key ${echo.auth}`, code: echo.bare, hint: `rotate ${echo.bare}` }, [echo.bare]: echo.auth });
    },
  },
  // RFC 7807 problem details (Document360 style).
  '403': {
    exit: 3,
    handler: (response, echo) => {
      json(response, 403, echo, { type: `https://errors.example/${echo.bare}`, title: `Forbidden for ${echo.auth}`, status: 403, detail: echo.bare });
    },
  },
  '404': {
    exit: 6,
    handler: (response, echo) => {
      json(response, 404, echo, { message: `no upload for ${echo.bare}`, [echo.bare]: echo.auth });
    },
  },
  // A body that is not JSON: the credential and nothing else. A wait checks again until its --timeout (exit 4).
  '500 not JSON': {
    exit: 7,
    waitExit: 4,
    handler: (response, echo) => {
      answer(response, 500, echo, echo.bare, 'text/plain');
    },
  },
  // Retried at once (Retry-After: 0) until the attempts run out; a wait, until its --timeout.
  '429': {
    exit: 7,
    waitExit: 4,
    handler: (response, echo) => {
      json(response, 429, echo, { type: echo.bare, detail: `slow down, ${echo.auth}` }, { 'retry-after': '0' });
    },
  },
  // A success status whose body is not JSON although it says so: the credential itself.
  '200 not JSON': {
    exit: 5,
    handler: (response, echo) => {
      answer(response, 200, echo, echo.bare, 'application/json');
    },
  },
} satisfies Record<string, { exit: number; waitExit?: number; handler: Handler }>;

interface Case {
  name: string;
  provider: Provider;
  command: Command;
  json: boolean;
  source: Source;
  exit: number;
  handler: Handler;
  /** Exactly how many requests reach the server, where that is fixed. */
  requests?: number;
}

/** Every command × --json × source combination is covered once per outcome, with the provider rotating. */
const COMBINATIONS: { command: Command; json: boolean; source: Source }[] = [
  { command: 'status', json: false, source: 'env' },
  { command: 'status', json: true, source: 'flag' },
  { command: 'wait', json: false, source: 'flag' },
  { command: 'wait', json: true, source: 'env' },
];

const label = (c: Omit<Case, 'name' | 'handler'>, outcome: string) =>
  `${outcome}: ${c.provider} ${c.command}${c.json ? ' --json' : ''} (${c.source === 'env' ? 'credential from env' : '--api-key'}) exits ${c.exit}`;

function cases(): Case[] {
  const list: Case[] = [];
  Object.entries(OUTCOMES).forEach(([outcome, rowOf], index) => {
    const { exit, handler } = rowOf;
    const waitExit = 'waitExit' in rowOf ? rowOf.waitExit : exit;
    COMBINATIONS.forEach((combination, offset) => {
      const provider = PROVIDER_IDS[(index + offset) % PROVIDER_IDS.length] as Provider;
      const row = { ...combination, provider, exit: combination.command === 'wait' ? waitExit : exit };
      // A status check makes one request; a 429 is tried 3 times in all (the default retry policy).
      const requests = combination.command === 'status' ? (outcome === '429' ? 3 : 1) : undefined;
      list.push({ ...row, name: label(row, outcome), handler, ...(requests === undefined ? {} : { requests }) });
    });
  });

  const add = (outcome: string, provider: Provider, command: Command, exit: number, handler: Handler, combos: { json: boolean; source: Source }[]) => {
    for (const combo of combos) {
      const row = { ...combo, provider, command, exit };
      list.push({ ...row, name: label(row, outcome), handler });
    }
  };
  const all: { json: boolean; source: Source }[] = [
    { json: false, source: 'env' },
    { json: true, source: 'flag' },
    { json: false, source: 'flag' },
    { json: true, source: 'env' },
  ];
  const completed: Handler = (response, echo) => {
    json(response, 200, echo, sendaiUpload(echo, 'COMPLETED'));
  };
  add('success, the body holds the credential', 'sendai', 'status', 0, completed, all.slice(0, 2));
  add('success, the body holds the credential', 'sendai', 'wait', 0, completed, all.slice(2));
  // The vendor's status value is the credential: the plain line shows the raw value.
  add('success, the vendor status value is the credential', 'sendai', 'status', 0, (response, echo) => {
    json(response, 200, echo, { payload: { id: 'upl_1', name: 'Invoice', status: echo.bare } });
  }, all.slice(0, 2));
  add('the upload FAILED, the body holds the credential', 'sendai', 'wait', 1, (response, echo) => {
    json(response, 200, echo, sendaiUpload(echo, 'FAILED'));
  }, all);
  add('still PROCESSING at the timeout, the body holds the credential', 'sendai', 'wait', 4, (response, echo) => {
    json(response, 200, echo, sendaiUpload(echo, 'PROCESSING'));
  }, all.slice(0, 2));
  // PandaDoc's info_message becomes the status detail, which the plain line prints.
  const pandadocError: Handler = (response, echo) => {
    json(response, 200, echo, {
      id: 'LQ6cUT7xevPLUEgJeF8Zrm',
      status: 'document_sections_upload.ERROR',
      info_message: `Upload rejected: ${echo.auth} may not upload (${echo.bare})`,
      [echo.bare]: echo.auth,
    });
  };
  add('PandaDoc upload ERROR, info_message holds the credential', 'pandadoc', 'status', 0, pandadocError, all.slice(0, 2));
  add('PandaDoc upload ERROR, info_message holds the credential', 'pandadoc', 'wait', 1, pandadocError, all.slice(2));
  return list;
}

/** Every piece of the credential this long or longer counts as a leak (a cut-off credential is still one). */
const FRAGMENT = 16;

function leaks(output: string, credential: string): string[] {
  const found: string[] = [];
  for (let start = 0; start + FRAGMENT <= credential.length; start += 1) {
    const piece = credential.slice(start, start + FRAGMENT);
    if (output.includes(piece)) found.push(piece);
  }
  return found;
}

describe.concurrent('upstat never prints the credential a hostile server echoes back', () => {
  it.for(cases())('$name', async (c, { expect }) => {
    // 32 random hex characters: nothing else in the output can contain a 16-character piece of it by chance.
    const credential = randomBytes(16).toString('hex');
    const server = await startLocalServer(
      withTokenEndpoint((request, response) => {
        c.handler(response, echoOf(c.provider, request));
      }),
    );
    try {
      const { args, env } = invocation(c.provider, c.command, c.json, c.source, credential, server);
      const run = await upstat(args, env);

      // The server did echo the credential: every request carried it.
      const { credential: declared } = testProvider(c.provider);
      const values = credentialValues(declared, credential);
      const requests = statusRequests(server);
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests) expect(carries(c.provider, request, values), JSON.stringify(request.headers)).toBe(true);
      if (c.requests !== undefined) expect(requests).toHaveLength(c.requests);

      // Every form: each part, a Basic pair's base64, a fetched token (each at least FRAGMENT characters long).
      for (const form of credentialForms(declared, values)) {
        expect(run.stdout).not.toContain(form);
        expect(run.stderr).not.toContain(form);
        expect(leaks(run.stdout + run.stderr, form)).toEqual([]);
      }
      expect(run.code, run.stderr).toBe(c.exit);
      // Something was said: an error on stderr, a status on stdout.
      expect((c.exit === 0 ? run.stdout : run.stderr).trim()).not.toBe('');
      // Under --json, every outcome is one line of the schema on stdout, errors included.
      if (c.json) expect(jsonLines(run.stdout)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('a short credential is removed only where it stands alone', () => {
  // `als` is inside "false" and "credentials": those words must survive; the key on its own must not.
  const key = 'als';
  const alone = /(?<![A-Za-z0-9])als(?![A-Za-z0-9])/;

  it.for([
    { command: 'status' as const, json: false, source: 'env' as const },
    { command: 'wait' as const, json: true, source: 'flag' as const },
  ])('a 401 saying "false key als": $command json=$json source=$source keeps "false" and exits 3', async (c, { expect }) => {
    const server = await startLocalServer((request, response) => {
      const echo = echoOf('sendai', request);
      json(response, 401, echo, { message: `false key ${echo.bare}: the key "${echo.bare}" is false`, [echo.bare]: echo.auth });
    });
    try {
      const { args, env } = invocation('sendai', c.command, c.json, c.source, key, server);
      const run = await upstat(args, env);
      expect(server.requests.map((request) => carries('sendai', request, [key]))).toEqual([true]);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/\bfalse key\b/);
      expect(run.stderr).toMatch(/\bis false\b/);
      expect(run.stderr).not.toMatch(alone);
      expect(run.stdout).not.toMatch(alone);
    } finally {
      await server.close();
    }
  });
});

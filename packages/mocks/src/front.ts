/**
 * The layer in front of each Prism server: a plain `node:http` proxy in the same process that passes every
 * request through, except that it plays scenarios — uploads that move through their states — by choosing, per
 * request, which of the operation's named 200 examples Prism answers with (`Prefer: example=<name>`, Prism's own
 * feature). Prism still validates every request and every answer. Owning the listening socket also lets `stop()`
 * close every connection, keep-alive ones included, so the port is free when it resolves.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { MockLog } from './log.js';

/** The scenarios one mock plays. */
export interface MockScenarios {
  /**
   * The path (no query) a request for a scenario ref is sent to Prism as: one that Prism accepts for the status
   * operation, e.g. the operation's path filled with its examples' identifiers.
   */
  examplePath: string;
  /** Each scenario's steps: names of the status operation's 200 examples, in the order they are played. */
  steps: Readonly<Record<string, readonly string[]>>;
}

/** A ref's last identifier that selects a scenario: `scenario-<name>`, optionally followed by `-<anything>`. */
export const SCENARIO_SEGMENT = /^scenario-([a-z][a-z0-9_]*)(?:-(.*))?$/s;

/** Preferences with which a request already chooses Prism's answer itself. */
const EXPLICIT_PREFERENCES = ['code', 'example', 'dynamic'];
const EXPLICIT_QUERY = ['__code', '__example', '__dynamic'];

/** Connection-level headers, which belong to each hop and are never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

interface Preference {
  token: string;
  text: string;
}

/** Splits a `Prefer` header into its preferences (commas inside quotes do not split), each with its token. */
export function parsePrefer(header: string | undefined): Preference[] {
  if (header === undefined) return [];
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let index = 0; index <= header.length; index += 1) {
    const char = index < header.length ? header[index] : ',';
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      parts.push(header.slice(start, index).trim());
      start = index + 1;
    }
  }
  return parts
    .filter((text) => text !== '')
    .map((text) => ({ text, token: (text.split(/[=;]/, 1)[0] ?? '').trim().toLowerCase() }));
}

/** The value of a `token=value` preference, unquoted. */
function preferenceValue(preference: Preference): string {
  const value = (preference.text.split(';', 1)[0] ?? '').slice(preference.token.length).replace(/^\s*=\s*/, '').trim();
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
}

function lastSegment(pathname: string): string {
  const segment = pathname.slice(pathname.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function forwardedHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

function problem(response: ServerResponse, status: number, title: string, detail: string): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  response.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

export interface Front {
  server: Server;
  /** Closes every connection to the front and to Prism. */
  closeConnections(): void;
}

/**
 * The front server of one mock. `name` labels its log lines and messages; `prism` is where Prism listens.
 * Which step a scenario plays is counted per scenario and exact request path (the last step repeats).
 */
export function createFront(options: {
  name: string;
  prism: { host: string; port: number };
  scenarios: MockScenarios | undefined;
  errors: boolean;
  log: MockLog;
  /** Where the front answers OAuth2 client-credentials token requests itself (see `MockSpec.tokenPath`). */
  tokenPath?: string | undefined;
}): Front {
  const { name, prism, log } = options;
  const scenarios = options.scenarios ?? { examplePath: '', steps: {} };
  const played = new Map<string, number>();
  const agent = new Agent({ keepAlive: true });

  function choose(incoming: IncomingMessage, response: ServerResponse): { path: string; prefer: string | undefined } | undefined {
    const url = new URL(incoming.url ?? '/', 'http://mock.invalid');
    const header = incoming.headers.prefer;
    const prefer = Array.isArray(header) ? header.join(', ') : header;
    const preferences = parsePrefer(prefer);
    const fromHeader = preferences.find((preference) => preference.token === 'scenario');
    const fromRef = SCENARIO_SEGMENT.exec(lastSegment(url.pathname));
    const passThrough = { path: `${url.pathname}${url.search}`, prefer };
    if (fromHeader === undefined && (fromRef === null || options.scenarios === undefined)) return passThrough;

    const scenario = fromHeader === undefined ? (fromRef?.[1] ?? '') : preferenceValue(fromHeader);
    const steps = Object.hasOwn(scenarios.steps, scenario) ? scenarios.steps[scenario] : undefined;
    if (steps === undefined || steps.length === 0) {
      const known = Object.keys(scenarios.steps);
      const detail = `the ${name} mock has no scenario ${JSON.stringify(scenario)}; ${known.length === 0 ? 'it has no scenarios' : `its scenarios: ${known.join(', ')}`}.`;
      log.add(`error [SCENARIO] ${incoming.method ?? 'GET'} ${url.pathname} ${detail}`);
      problem(response, 404, 'Unknown mock scenario', detail);
      return undefined;
    }
    const path = fromRef === null ? url.pathname : scenarios.examplePath;
    const others = preferences.filter((preference) => preference !== fromHeader);
    const explicit =
      others.some((preference) => EXPLICIT_PREFERENCES.includes(preference.token)) ||
      (prefer === undefined && EXPLICIT_QUERY.some((key) => url.searchParams.has(key)));
    if (explicit) {
      // The request chose Prism's answer itself (e.g. `Prefer: code=401`): it gets it, and no step is played.
      log.add(`info [SCENARIO] ${incoming.method ?? 'GET'} ${url.pathname} scenario ${scenario}: the request chose its own answer`);
      return { path: `${path}${url.search}`, prefer: others.length === 0 ? undefined : others.map((preference) => preference.text).join(', ') };
    }
    const key = `${fromHeader === undefined ? 'ref' : 'header'} ${scenario} ${url.pathname}`;
    const index = played.get(key) ?? 0;
    played.set(key, index + 1);
    const step = Math.min(index, steps.length - 1);
    const example = steps[step] ?? '';
    log.add(`info [SCENARIO] ${incoming.method ?? 'GET'} ${url.pathname} scenario ${scenario}, step ${step + 1} of ${steps.length}: example ${JSON.stringify(example)}`);
    return { path: `${path}${url.search}`, prefer: [...others.map((preference) => preference.text), `example="${example}"`].join(', ') };
  }

  /**
   * When `errors` turns response violations into a 500, Prism logs only that the request ended with an error; the
   * violations themselves are in the answer's `sl-violations` header, from which they are logged here.
   */
  function logViolations(request: string, header: string | string[] | undefined): void {
    if (typeof header !== 'string') return;
    let violations: unknown;
    try {
      violations = JSON.parse(header);
    } catch {
      log.add(`error [VALIDATOR] ${request} Violation: ${header}`);
      return;
    }
    for (const violation of Array.isArray(violations) ? (violations as unknown[]) : [violations]) {
      const { location, message } = (violation ?? {}) as { location?: unknown; message?: unknown };
      const where = Array.isArray(location) ? location.join('.') : '';
      log.add(`error [VALIDATOR] ${request} Violation: ${where} ${typeof message === 'string' ? message : JSON.stringify(violation)}`);
    }
  }

  const server = createServer((incoming, response) => {
    if (options.tokenPath !== undefined && incoming.method === 'POST' && new URL(incoming.url ?? '/', 'http://mock.invalid').pathname === options.tokenPath) {
      answerToken(incoming, response, name, log);
      return;
    }
    const target = choose(incoming, response);
    if (target === undefined) {
      incoming.resume();
      return;
    }
    const headers = forwardedHeaders(incoming.headers);
    if (target.prefer === undefined) delete headers.prefer;
    else headers.prefer = target.prefer;
    const upstream = request({ host: prism.host, port: prism.port, method: incoming.method, path: target.path, headers, agent }, (answer) => {
      if (options.errors && answer.statusCode === 500) logViolations(`${incoming.method ?? 'GET'} ${target.path}`, answer.headers['sl-violations']);
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardedHeaders(answer.headers));
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      log.add(`error [SCENARIO] ${incoming.method ?? 'GET'} ${target.path} could not reach Prism: ${error.message}`);
      if (!response.headersSent) problem(response, 502, 'Mock server error', `the ${name} mock could not reach its Prism server: ${error.message}`);
      else response.destroy(error);
    });
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    incoming.pipe(upstream);
  });

  return {
    server,
    closeConnections() {
      server.closeAllConnections();
      agent.destroy();
    },
  };
}

/** Lifetime of the tokens a mock's token endpoint hands out. */
export const MOCK_TOKEN_LIFETIME_S = 3600;

/**
 * A token endpoint (RFC 6749 §4.4) that gives any client with a client id and secret (Basic or form fields) a bearer
 * token, for Prism to accept as the OAuth2 credential. The secret is never logged.
 */
function answerToken(incoming: IncomingMessage, response: ServerResponse, name: string, log: MockLog): void {
  let body = '';
  incoming.setEncoding('utf8');
  incoming.on('data', (chunk: string) => {
    if (body.length < 16_384) body += chunk;
  });
  incoming.on('end', () => {
    const form = new URLSearchParams(body);
    const basic = /^Basic [A-Za-z0-9+/]+=*$/i.test(incoming.headers.authorization ?? '');
    const fields = form.get('client_id') !== null && form.get('client_secret') !== null;
    const send = (status: number, answer: object) => {
      const text = JSON.stringify(answer);
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    if (form.get('grant_type') !== 'client_credentials') {
      log.add(`error [TOKEN] POST ${incoming.url ?? ''} the ${name} mock's token endpoint takes grant_type=client_credentials only`);
      send(400, { error: 'unsupported_grant_type' });
    } else if (!basic && !fields) {
      log.add(`error [TOKEN] POST ${incoming.url ?? ''} no client id and secret (Basic or form fields)`);
      send(401, { error: 'invalid_client' });
    } else {
      log.add(`info [TOKEN] POST ${incoming.url ?? ''} issued a token`);
      send(200, { access_token: `mock-token-${randomUUID()}`, token_type: 'Bearer', expires_in: MOCK_TOKEN_LIFETIME_S });
    }
  });
}

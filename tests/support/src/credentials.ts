/**
 * Credentials for tests that run over every provider, derived from each definition's declared security scheme and
 * written here from OpenAPI's and the RFCs' own descriptions (not from core's code): the values a test passes, what a
 * request must carry for them, every form a hostile server could echo back, and a token endpoint for OAuth2 client
 * credentials. A provider with a new scheme changes no test file.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A credential as a definition declares it (core's `CredentialDefinition`, structurally). */
export interface DeclaredCredential {
  readonly options: readonly string[];
  readonly scheme: {
    readonly type: string;
    readonly scheme?: string;
    readonly in?: string;
    readonly name?: string;
    readonly prefix?: string | undefined;
    readonly flow?: string;
    readonly tokenUrl?: string;
  };
}

interface WithCredentials {
  readonly credentials: readonly DeclaredCredential[];
}

const firstOf = (definition: WithCredentials): DeclaredCredential => {
  const [first] = definition.credentials;
  if (first === undefined) throw new Error('a definition without credentials');
  return first;
};

/** Whether the client fetches a token for this credential (OAuth2 client credentials). */
export const fetchesToken = (credential: DeclaredCredential): boolean => credential.scheme.type === 'oauth2' && credential.scheme.flow === 'clientCredentials';

/** One value per option: the first is `secret` itself, the others `secret` with a suffix (so each holds `secret`). */
export function credentialValues(credential: DeclaredCredential, secret: string): string[] {
  return credential.options.map((_, index) => (index === 0 ? secret : `${secret}_${index}`));
}

/** The client options of a definition's first credential, each filled from `secret` (see `credentialValues`). */
export function credentialOptions(definition: WithCredentials, secret: string): Record<string, string> {
  const credential = firstOf(definition);
  const values = credentialValues(credential, secret);
  return Object.fromEntries(credential.options.map((option, index) => [option, values[index] ?? '']));
}

/** The token `answerTokenRequest` issues to a client id and secret: a function of both, so tests can expect it. */
export function issuedToken(clientId: string, clientSecret: string): string {
  return `tok_${createHash('sha256').update(`${clientId}\n${clientSecret}`).digest('hex').slice(0, 32)}`;
}

/** The token for the values of a client-credentials credential; undefined for any other scheme. */
export function tokenFor(credential: DeclaredCredential, values: readonly string[]): string | undefined {
  return fetchesToken(credential) ? issuedToken(values[0] ?? '', values[1] ?? '') : undefined;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * What a request must carry for these values: header values by lower-case name, and query parameters. OpenAPI:
 * `http` + `bearer` is `Authorization: Bearer <token>` (RFC 6750), `http` + `basic` is `Authorization: Basic
 * base64(user ":" password)` (RFC 7617), `apiKey` is the key in the header or query parameter `name`, and an OAuth2
 * access token is a bearer token.
 */
export function expectedCarriage(
  credential: DeclaredCredential,
  values: readonly string[],
  /** The token a client-credentials client was given (by default, what `answerTokenRequest` issues for `values`). */
  token: string | undefined = tokenFor(credential, values),
): { headers: Record<string, string>; query: Record<string, string> } {
  const { scheme } = credential;
  const [first = '', second = ''] = values;
  if (scheme.type === 'apiKey') {
    const name = scheme.name ?? '';
    if (scheme.in === 'query') return { headers: {}, query: { [name]: first } };
    return { headers: { [name.toLowerCase()]: scheme.prefix ? `${scheme.prefix} ${first}` : first }, query: {} };
  }
  if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'basic') return { headers: { authorization: `Basic ${base64(`${first}:${second}`)}` }, query: {} };
  return { headers: { authorization: `Bearer ${token ?? first}` }, query: {} };
}

/** Every form of the credential a server could see and echo: each value, a Basic pair's base64, a fetched token. */
export function credentialForms(credential: DeclaredCredential, values: readonly string[]): string[] {
  const forms = [...values];
  const token = tokenFor(credential, values);
  if (credential.scheme.type === 'http' && credential.scheme.scheme?.toLowerCase() === 'basic') forms.push(base64(`${values[0] ?? ''}:${values[1] ?? ''}`));
  if (token !== undefined) forms.push(token);
  return [...new Set(forms)];
}

/** What a request carried for the credential, as an echo server sees it: whole (header value or query value) and bare. */
export function carriedCredential(credential: DeclaredCredential, request: { headers: IncomingHttpHeaders; url?: string | undefined }): { whole: string; bare: string } {
  const { scheme } = credential;
  if (scheme.type === 'apiKey' && scheme.in === 'query') {
    const value = new URL(request.url ?? '/', 'http://loopback.invalid').searchParams.get(scheme.name ?? '') ?? '';
    return { whole: value, bare: value };
  }
  const name = scheme.type === 'apiKey' ? (scheme.name ?? '').toLowerCase() : 'authorization';
  const header = request.headers[name];
  const whole = Array.isArray(header) ? header.join(', ') : (header ?? '');
  // A scheme word (`Bearer`, `Basic`, an API key's prefix) comes before the credential itself.
  const prefixed = scheme.type !== 'apiKey' || Boolean(scheme.prefix);
  const bare = prefixed ? whole.replace(/^\S+ /, '') : whole;
  return { whole, bare };
}

/**
 * Answers an OAuth2 client-credentials token request (RFC 6749 §4.4: a POST with `grant_type=client_credentials`,
 * the client authenticated with Basic or form fields) with `issuedToken`; returns false for any other request, which
 * the caller's own handler then answers. Wrap an echo server's handler with it.
 */
export function answerTokenRequest(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'POST' || !(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return false;
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    const form = new URLSearchParams(body);
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const [id = '', secret = ''] =
      basic === undefined ? [form.get('client_id') ?? '', form.get('client_secret') ?? ''] : Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent);
    const ok = form.get('grant_type') === 'client_credentials' && id !== '' && secret !== '';
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { access_token: issuedToken(id, secret), token_type: 'Bearer', expires_in: 3600 } : { error: 'invalid_client' }));
  });
  return true;
}

/** `handler`, behind a token endpoint for OAuth2 client credentials (see `answerTokenRequest`). */
export function withTokenEndpoint(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (!answerTokenRequest(request, response)) handler(request, response);
  };
}

let shared: Promise<string> | undefined;

/**
 * The token URL of a loopback token endpoint (`answerTokenRequest`) shared by one test process, for clients whose
 * own server is a test's echo server. It does not keep the process alive.
 */
export function sharedTokenUrl(): Promise<string> {
  shared ??= new Promise<string>((resolve) => {
    const server = createServer((request, response) => {
      if (!answerTokenRequest(request, response)) {
        response.writeHead(404);
        response.end();
      }
    });
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/token`);
    });
  });
  return shared;
}

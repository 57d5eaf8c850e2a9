/**
 * OAuth2 client credentials (RFC 6749 §4.4): the access token a client sends, fetched from the token endpoint with
 * the client id and secret. One fetch at a time is shared by every call that needs a token; the token is kept until
 * shortly before it expires (`expires_in`), or until a call is refused with a 401 (see `decideRetry`).
 */
import { basicToken, type ClientCredentialsScheme } from './auth.js';
import { readBodyText, ERROR_BODY_LIMIT_BYTES } from './body.js';
import type { Clock } from './clock.js';
import { summarizeErrorBody } from './error-body.js';
import { AuthenticationError, capText, ConnectionError, TimeoutError, UnexpectedResponseError } from './errors.js';
import type { ProviderInfo } from './provider.js';
import type { Redactor } from './redact.js';


/** A token is renewed this long before it expires (or at half its lifetime, when that is shorter). */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

export interface TokenEndpoint {
  provider: ProviderInfo;
  scheme: ClientCredentialsScheme;
  /** The absolute token URL (the scheme's, resolved against the base URL, or the client's `tokenUrl`). */
  url: string;
  fetch: (request: Request, signal: AbortSignal) => Promise<Response>;
  clock: Clock;
  redactor: Redactor;
  /** How long one token request may take. */
  timeoutMs: number;
}

interface Token {
  value: string;
  /** Epoch ms after which it is not used; `Infinity` when the server gave no lifetime. */
  renewAt: number;
  /** The client id and secret it was fetched with: a credential function that rotates them gets a new token. */
  key: string;
}

export class TokenCache {
  readonly #endpoint: TokenEndpoint;
  #token: Token | undefined;
  #pending: { key: string; promise: Promise<Token> } | undefined;

  constructor(endpoint: TokenEndpoint) {
    this.#endpoint = endpoint;
  }

  /** The current token for these client credentials: the cached one, the one being fetched, or a new fetch. */
  async token(clientId: string, clientSecret: string, signal: AbortSignal | undefined): Promise<string> {
    const key = `${clientId}\n${clientSecret}`;
    const cached = this.#token;
    if (cached?.key === key && this.#endpoint.clock.now() < cached.renewAt) return cached.value;
    if (this.#pending?.key !== key) {
      const promise = this.#fetch(clientId, clientSecret, key).then(
        (token) => {
          this.#token = token;
          return token;
        },
      );
      const pending = { key, promise };
      this.#pending = pending;
      // Settled either way, the next caller starts afresh (a failed fetch is not cached).
      const clear = () => {
        if (this.#pending === pending) this.#pending = undefined;
      };
      promise.then(clear, clear);
    }
    return (await abortable(this.#pending.promise, signal)).value;
  }

  /** A call was refused with `value`: the next call fetches a new token (unless another one already has). */
  invalidate(value: string): void {
    if (this.#token?.value === value) this.#token = undefined;
  }

  async #fetch(clientId: string, clientSecret: string, key: string): Promise<Token> {
    const { provider, scheme, url, clock, redactor, timeoutMs } = this.#endpoint;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scheme.scopes !== undefined && scheme.scopes.length > 0) form.set('scope', scheme.scopes.join(' '));
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    if (scheme.clientAuthentication === 'body') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: each part form-encoded before it is joined and base64-encoded.
      headers.Authorization = `Basic ${basicToken(encodeURIComponent(clientId), encodeURIComponent(clientSecret))}`;
    }
    const where = redactor.text(url.replace(/[?#].*$/, ''));
    const options = { provider: provider.id, operation: `POST ${where}` };
    const timer = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.#endpoint.fetch(new Request(url, { method: 'POST', headers, body: form.toString(), redirect: 'error' }), timer);
      text = (await readBodyText(response, ERROR_BODY_LIMIT_BYTES, !response.ok)).text;
    } catch (error) {
      const cause = redactor.error(error);
      if (timer.aborted) {
        throw new TimeoutError(`${provider.name}: the token endpoint ${where} gave no token within ${timeoutMs} ms.`, { ...options, cause });
      }
      throw new ConnectionError(`${provider.name}: the token endpoint ${where} could not be reached; see \`cause\`.`, { ...options, cause });
    }
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = undefined;
    }
    const safeBody = redactor.value(body);
    if (!response.ok) {
      // RFC 6749 §5.2: `{ error, error_description }`; the generic reader knows most other shapes.
      const record = isRecord(safeBody) ? safeBody : {};
      const reason =
        [record.error, record.error_description].filter((part): part is string => typeof part === 'string').join(': ') ||
        summarizeErrorBody(safeBody).message;
      throw new AuthenticationError(
        `${provider.name}: the token endpoint ${where} refused the client credentials with ${response.status}` +
          `${reason ? `: ${capText(reason, 300)}` : '.'} Check the client id and secret given to the client.`,
        { ...options, status: response.status, body: safeBody, retryAfterMs: undefined },
      );
    }
    const record = isRecord(body) ? body : {};
    const value = record.access_token;
    const type = record.token_type;
    if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value) || (typeof type === 'string' && !/^bearer$/i.test(type))) {
      throw new UnexpectedResponseError(
        `${provider.name}: the token endpoint ${where} answered ${response.status} without a usable bearer \`access_token\`.`,
        { ...options, status: response.status, body: safeBody },
      );
    }
    redactor.add(value);
    const lifetimeMs = typeof record.expires_in === 'number' && record.expires_in > 0 ? record.expires_in * 1000 : undefined;
    const renewAt =
      lifetimeMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + lifetimeMs - Math.min(TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2);
    return { value, renewAt, key };
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** `promise`, or the signal's reason as soon as it aborts: a caller that gives up does not cancel the shared fetch. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => { reject(signal.reason as Error); };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => {
      signal.removeEventListener('abort', onAbort);
    }).then(resolve, reject);
  });
}

/**
 * Credential leaks through the facade: a real local server whose status bodies, error bodies, headers and
 * status text hold the credential. Statuses (`raw.body`, `raw.state`, `detail`), `UploadFailedError`
 * (message, `finalStatus`), `WaitTimeoutError.lastStatus`, the facade's own shape-mismatch
 * `UnexpectedResponseError` and the errors for bad refs must never hold it, in any printed form.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import {
  carriedCredential,
  credentialForms,
  credentialValues,
  expectedCarriage,
  startLocalServer,
  virtualClock,
  type LocalServer,
  type VirtualClock,
} from '@upstat/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  createUpstat,
  InvalidArgumentError,
  UnexpectedResponseError,
  UploadFailedError,
  WaitTimeoutError,
  type AnyStatus,
  type ProviderDefinition,
  type RefOf,
  type UpstatError,
} from '../src/index.js';
import { everyPlugin, exampleRef, firstCredential, PROVIDERS, providerOf } from './providers.js';

type AnyRef = RefOf<ProviderDefinition>;

const R = '[REDACTED]';
const SECRET = 'sk_live_upstat_9f8e7d6c5b4a3210';

type Responder = (request: IncomingMessage, response: ServerResponse) => void;

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts a server that answers the n-th request with the n-th responder (the last one repeats). */
async function serve(...responders: Responder[]): Promise<LocalServer> {
  let count = 0;
  server = await startLocalServer((request, response) => {
    const responder = responders[Math.min(count, responders.length - 1)];
    count += 1;
    responder?.(request, response);
  });
  return server;
}

/** The Authorization header a request carried (these providers send their credential there), and the part after the scheme word. */
function credentialOf(request: IncomingMessage): { auth: string; bare: string } {
  const auth = request.headers.authorization ?? '';
  return { auth, bare: auth.replace(/^\S+ /, '') };
}

/** Answers with a JSON body built from what the request carried. */
const echo =
  (status: number, build: (auth: string, bare: string) => unknown, headers: (auth: string, bare: string) => Record<string, string> = () => ({})): Responder =>
  (request, response) => {
    const { auth, bare } = credentialOf(request);
    response.writeHead(status, { 'content-type': 'application/json', ...headers(auth, bare) });
    response.end(JSON.stringify(build(auth, bare)));
  };

const SENDAI = 'sendai:team_1/proj_1/upl_1';
const D360 = 'document360:7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f/a3b4c5d6-1234-5678-9abc-def012345678';
const NULLSPACE = 'nullspace:sb_1/upl_1';
const PANDADOC = 'pandadoc:doc_1/upl_1';
/** The providers these tests have bodies for, and the ref each is asked about. */
const REFS = { sendai: SENDAI, document360: D360, nullspace: NULLSPACE, pandadoc: PANDADOC };
type ProviderId = keyof typeof REFS;

/** The Authorization header the facade sends for a provider, its credential redacted (`Bearer [REDACTED]`). */
const redactedHeader = (id: string) => expectedCarriage(firstCredential(providerOf(id).definition), [R]).headers.authorization ?? R;

const sendaiUpload = (status: string, extra: Record<string, unknown> = {}) => ({ payload: { id: 'upl_1', name: 'Invoice', status, ...extra } });
const d360Task = (status: string | null, extra: Record<string, unknown> = {}) => ({
  data: { task_id: 'a3b4c5d6-1234-5678-9abc-def012345678', status },
  success: true,
  request_id: 'r1',
  errors: null,
  warnings: null,
  ...extra,
});
const nullspaceSession = (status: string, extra: Record<string, unknown> = {}) => ({
  upload_id: 'upl_1',
  kind: 'file',
  source_kind: 'restartable_file',
  target_path: '/data/file.bin',
  content_length: 1024,
  accepted_bytes: 512,
  reserved_staging_bytes: 1024,
  part_size: 256,
  part_count: 4,
  max_concurrency: 2,
  status,
  conflict: 'error',
  checksum_algorithm: 'sha256',
  limits: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:05Z',
  expires_at: '2026-01-02T00:00:00Z',
  ...extra,
});
const pandadocUpload = (status: string, extra: Record<string, unknown> = {}) => ({
  uuid: 'u1',
  document_uuid: 'd1',
  status,
  name: 'Section',
  date_modified: '2026-01-01T00:00:09Z',
  ...extra,
});

/** The facade over every provider, each with the credential `key` and its client pointed at `url`. */
function facade(url: string, clock: VirtualClock = virtualClock(), key = SECRET) {
  return createUpstat({
    providers: everyPlugin(key, { baseUrl: url, timeoutMs: 2_000 }),
    defaults: { clock, random: () => 0.5 },
  });
}

async function failure(promise: Promise<unknown>): Promise<UpstatError> {
  return promise.then(
    (value: unknown) => {
      throw new Error(`expected a failure, got ${inspect(value, { depth: 4 })}`);
    },
    (error: unknown) => error as UpstatError,
  );
}

/** The fields of an `UploadFailedError` over facade statuses (checked with instanceof, not cast). */
function uploadFailed(error: UpstatError): { message: string; state: string; finalStatus: AnyStatus } {
  if (!(error instanceof UploadFailedError)) throw new Error(`expected UploadFailedError, got ${error.name}: ${error.message}`);
  return { message: error.message, state: error.state, finalStatus: error.finalStatus as AnyStatus };
}

/** The fields of a `WaitTimeoutError` over facade statuses. */
function waitTimedOut(error: UpstatError): { checks: number; lastStatus: AnyStatus | undefined } {
  if (!(error instanceof WaitTimeoutError)) throw new Error(`expected WaitTimeoutError, got ${error.name}: ${error.message}`);
  return { checks: error.checks, lastStatus: error.lastStatus as AnyStatus | undefined };
}

function safeJson(value: unknown): string {
  try {
    // undefined for a function or undefined, whatever the declared type says.
    const text = JSON.stringify(value) as unknown;
    return typeof text === 'string' ? text : '';
  } catch (error) {
    return `unserialisable: ${String(error)}`;
  }
}

/** Everything a value prints as; for an error also its message, String(), stack and every cause. */
function places(value: unknown): { where: string; text: string }[] {
  const found = [
    { where: 'JSON.stringify', text: safeJson(value) },
    { where: 'inspect', text: inspect(value, { depth: Infinity }) },
    { where: 'inspect(showHidden)', text: inspect(value, { depth: Infinity, showHidden: true }) },
  ];
  let current: unknown = value;
  for (let level = 0; current instanceof Error && level < 20; level++) {
    found.push(
      { where: `cause#${level}.message`, text: current.message },
      { where: `String(cause#${level})`, text: String(current) },
      { where: `cause#${level}.stack`, text: current.stack ?? '' },
      { where: `inspect(cause#${level})`, text: inspect(current, { depth: Infinity }) },
    );
    current = current.cause;
  }
  return found;
}

function expectNoCredential(value: unknown, secret = SECRET): void {
  for (const { where, text } of places(value)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      expect(text.includes(form), `${where} holds the credential:\n${text}`).toBe(false);
    }
  }
}

describe('UploadFailedError: message and finalStatus', () => {
  it('Send.ai FAILED with the credential as a value and a key of the payload', async () => {
    const { url, requests } = await serve(
      echo(200, (auth, bare) => sendaiUpload('FAILED', { extra: bare, [bare]: auth, notes: [{ by: auth }] })),
    );
    const error = await failure(facade(url).wait(SENDAI));
    expect(error).toBeInstanceOf(UploadFailedError);
    const failed = uploadFailed(error);
    expect(failed.message).toBe(`upload ${SENDAI} ended failed (Send.ai status "FAILED").`);
    expect(failed.state).toBe('failed');
    expect(failed.finalStatus.raw.body).toEqual(sendaiUpload('FAILED', { extra: R, [R]: `Bearer ${R}`, notes: [{ by: `Bearer ${R}` }] }));
    expect(requests).toHaveLength(1);
    expectNoCredential(error);
    expectNoCredential(failed.finalStatus);
  });

  it('PandaDoc ERROR whose info_message (which goes into the message) holds the credential', async () => {
    const { url } = await serve(
      echo(200, (auth, bare) => pandadocUpload('document_sections_upload.ERROR', { info_message: `bad key ${bare}`, name: auth })),
    );
    const error = await failure(facade(url).wait(PANDADOC));
    expect(error).toBeInstanceOf(UploadFailedError);
    const failed = uploadFailed(error);
    expect(failed.message).toBe(`upload ${PANDADOC} ended failed (PandaDoc status "document_sections_upload.ERROR"): bad key ${R}.`);
    expect(failed.finalStatus).toMatchObject({ state: 'failed', detail: `bad key ${R}`, raw: { body: { info_message: `bad key ${R}`, name: `API-Key ${R}` } } });
    expectNoCredential(error);
    expectNoCredential(failed.finalStatus);
  });

  it('Document360 Failed whose error message (the detail) holds the credential', async () => {
    const { url } = await serve(echo(200, (auth, bare) => d360Task('Failed', { errors: [{ message: `token ${bare} revoked` }], request_id: auth })));
    const error = await failure(facade(url).wait(D360));
    expect(error).toBeInstanceOf(UploadFailedError);
    const failed = uploadFailed(error);
    expect(failed.message).toBe(`upload ${D360} ended failed (Document360 status "Failed"): token ${R} revoked.`);
    expect(failed.finalStatus).toMatchObject({ detail: `token ${R} revoked`, raw: { body: { request_id: `Bearer ${R}` } } });
    expectNoCredential(error);
  });

  it('Nullspace failed with the credential in its body', async () => {
    const { url } = await serve(echo(200, (auth, bare) => nullspaceSession('failed', { target_path: `/keys/${bare}`, limits: { [bare]: auth } })));
    const error = await failure(facade(url).wait(NULLSPACE));
    expect(error).toBeInstanceOf(UploadFailedError);
    const failed = uploadFailed(error);
    expect(failed.finalStatus.raw.body).toMatchObject({ target_path: `/keys/${R}`, limits: { [R]: `Bearer ${R}` } });
    expectNoCredential(error);
  });

  it('waitAll: failed uploads come back as errors that hold no credential', async () => {
    const { url } = await serve(
      echo(200, (_auth, bare) => pandadocUpload('document_sections_upload.ERROR', { info_message: `bad key ${bare}` })),
    );
    const results = await facade(url).waitAll([PANDADOC, PANDADOC]);
    expect(results.map((result) => result.ok)).toEqual([false, false]);
    for (const result of results) {
      if (result.ok) continue;
      expect(result.error).toBeInstanceOf(UploadFailedError);
      expect(result.error.message).toContain(`bad key ${R}`);
      expectNoCredential(result);
    }
  });
});

describe('WaitTimeoutError.lastStatus', () => {
  const inProgress: [ProviderId, (auth: string, bare: string) => unknown, (status: AnyStatus) => void][] = [
    [
      'sendai',
      (auth, bare) => sendaiUpload('PROCESSING', { extra: bare, [bare]: auth }),
      (status) => {
        expect(status.raw.body).toEqual(sendaiUpload('PROCESSING', { extra: R, [R]: `Bearer ${R}` }));
      },
    ],
    [
      'pandadoc',
      (_auth, bare) => pandadocUpload('document_sections_upload.UPLOADED', { info_message: `still checking ${bare}` }),
      (status) => {
        expect(status.detail).toBe(`still checking ${R}`);
      },
    ],
    [
      'document360',
      (_auth, bare) => d360Task('Processing', { errors: [{ message: `slow for ${bare}` }] }),
      (status) => {
        expect(status.detail).toBe(`slow for ${R}`);
      },
    ],
    [
      'nullspace',
      (auth, bare) => nullspaceSession('uploading', { target_path: `/${bare}`, checksum_algorithm: auth }),
      (status) => {
        expect(status.raw.body).toMatchObject({ target_path: `/${R}`, checksum_algorithm: `Bearer ${R}` });
      },
    ],
  ];

  it.each(inProgress)('%s: the status stays in progress until the wait times out', async (provider, build, shows) => {
    const clock = virtualClock();
    const { url, requests } = await serve(echo(200, build));
    const updates: AnyStatus[] = [];
    const error = await failure(
      facade(url, clock).wait(REFS[provider], {
        timeoutMs: 12_000,
        onUpdate: (status) => {
          updates.push(status);
        },
      }),
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    const timedOut = waitTimedOut(error);
    // Checks at 0, 5 and 10 s; none at the 12 s deadline.
    expect(timedOut.checks).toBe(3);
    expect(requests).toHaveLength(3);
    expect(timedOut.lastStatus?.state).toBe('in_progress');
    shows(timedOut.lastStatus as AnyStatus);
    expectNoCredential(error);
    expectNoCredential(timedOut.lastStatus);
    expect(updates.length).toBeGreaterThan(0);
    expectNoCredential(updates);
  });

  it('a status value that is the credential: raw.state is redacted, and so is the message', async () => {
    const clock = virtualClock();
    const { url } = await serve(echo(200, (_auth, bare) => sendaiUpload(bare)));
    const error = await failure(facade(url, clock).wait(SENDAI, { timeoutMs: 6_000 }));
    expect(error).toBeInstanceOf(WaitTimeoutError);
    const timedOut = waitTimedOut(error);
    expect(timedOut.lastStatus).toMatchObject({ state: 'unknown', raw: { state: R } });
    expectNoCredential(error);
  });

  it('a 503 echoing the credential whose Retry-After passes the wait deadline: WaitTimeoutError, cause chain clean', async () => {
    const clock = virtualClock();
    const { url, requests } = await serve(
      echo(200, (_auth, bare) => sendaiUpload('PROCESSING', { extra: bare })),
      echo(503, (auth, bare) => ({ detail: `overloaded by ${bare}`, who: auth }), (auth) => ({ 'retry-after': '25', 'x-request-id': auth })),
    );
    const error = await failure(facade(url, clock).wait(SENDAI, { timeoutMs: 20_000 }));
    expect(error).toBeInstanceOf(WaitTimeoutError);
    const timedOut = waitTimedOut(error);
    expect(timedOut.lastStatus?.raw.body).toEqual(sendaiUpload('PROCESSING', { extra: R }));
    expect(requests).toHaveLength(2);
    expectNoCredential(error);
  });
});

describe("the facade's shape-mismatch UnexpectedResponseError", () => {
  const wrongShapes: [ProviderId, (auth: string, bare: string) => unknown, (redacted: string, authRedacted: string) => unknown][] = [
    ['sendai', (auth, bare) => ({ payload: bare, [bare]: auth }), (r, a) => ({ payload: r, [r]: a })],
    ['pandadoc', (auth, bare) => ({ status: 42, note: bare, [bare]: { [auth]: bare } }), (r, a) => ({ status: 42, note: r, [r]: { [a]: r } })],
    ['document360', (auth, bare) => ({ data: bare, errors: [{ [bare]: auth }] }), (r, a) => ({ data: r, errors: [{ [r]: a }] })],
    ['nullspace', (auth, bare) => ({ status: 'uploading', accepted_bytes: bare, [bare]: auth }), (r, a) => ({ status: 'uploading', accepted_bytes: r, [r]: a })],
  ];

  it.each(wrongShapes)('%s: body and rawText hold no credential', async (provider, build, expected) => {
    const { url, requests } = await serve(echo(200, build));
    const error = await failure(facade(url).status(REFS[provider]));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toContain('does not match its spec');
    const body = expected(R, redactedHeader(provider));
    expect(error.body).toEqual(body);
    expect(error).toMatchObject({ rawText: JSON.stringify(body) });
    expect(requests).toHaveLength(1);
    expectNoCredential(error);
  });
});

describe('successful statuses', () => {
  const cases: [ProviderId, (auth: string, bare: string) => unknown, (status: AnyStatus) => void][] = [
    [
      'sendai',
      (auth, bare) => sendaiUpload(bare, { name: auth, [bare]: [bare] }),
      (status) => {
        expect(status).toMatchObject({ state: 'unknown', raw: { state: R, body: sendaiUpload(R, { name: `Bearer ${R}`, [R]: [R] }) } });
      },
    ],
    [
      'pandadoc',
      (auth, bare) => pandadocUpload('document_sections_upload.PROCESSED', { info_message: `key ${bare} used`, [bare]: auth }),
      (status) => {
        expect(status).toMatchObject({ state: 'succeeded', detail: `key ${R} used`, raw: { body: { [R]: `API-Key ${R}` } } });
      },
    ],
    [
      'document360',
      (auth, bare) => d360Task('Completed', { errors: [{ message: `note ${bare}` }], request_id: auth, warnings: [bare] }),
      (status) => {
        expect(status).toMatchObject({ state: 'succeeded', detail: `note ${R}`, raw: { body: { request_id: `Bearer ${R}`, warnings: [R] } } });
      },
    ],
    [
      'nullspace',
      (auth, bare) => nullspaceSession('completed', { accepted_bytes: 1024, target_path: `/${bare}/f`, limits: { [bare]: auth } }),
      (status) => {
        expect(status).toMatchObject({ state: 'succeeded', raw: { state: 'completed', body: { target_path: `/${R}/f`, limits: { [R]: `Bearer ${R}` } } } });
      },
    ],
  ];

  it.each(cases)('%s: raw.body, raw.state and detail hold no credential', async (provider, build, shows) => {
    const { url, requests } = await serve(echo(200, build));
    const status = await facade(url).status(REFS[provider]);
    expect(requests[0]?.headers.authorization).toContain(SECRET);
    shows(status);
    expectNoCredential(status);
  });

  it.each(PROVIDERS.map((provider) => [provider.definition.id, provider.definition] as const))(
    '%s: an error response echoing the credential it carried (where its scheme puts it) is clean',
    async (_provider, definition) => {
      const credential = firstCredential(definition);
      let carried = '';
      const { url } = await serve((request, response) => {
        const { whole, bare } = carriedCredential(credential, request);
        carried = whole;
        response.statusMessage = `Nope ${whole}`;
        response.writeHead(401, { 'content-type': 'application/json', 'x-request-id': bare });
        response.end(JSON.stringify({ detail: `invalid ${whole}`, message: bare, [bare]: true }));
      });
      const error = await failure(facade(url).status(exampleRef(definition)));
      expect(error).toBeInstanceOf(AuthenticationError);
      // What was carried, with every form of the credential in it (a part, Basic's base64, a token) redacted.
      const forms = credentialForms(credential, credentialValues(credential, SECRET)).sort((a, b) => b.length - a.length);
      const redacted = forms.reduce((text, form) => text.split(form).join(R), carried);
      expect(redacted).not.toBe(carried);
      expect(error.message).toContain(`401 Nope ${redacted}`);
      expect(error.requestId).toBe(R);
      expectNoCredential(error);
    },
  );
});

describe('refs in error messages', () => {
  const upstat = facade('http://127.0.0.1:9');

  it.each([
    ['an invalid identifier', { provider: 'sendai', teamId: 't', projectId: '', uploadId: 'u', apiKey: SECRET }],
    ['an identifier of the wrong type', { provider: 'pandadoc', documentId: 5, uploadId: 'u', apiKey: SECRET }],
    ['an object as identifier', { provider: 'nullspace', sandboxId: { token: SECRET }, uploadId: 'u' }],
    ['an unknown provider', { provider: 'acme', id: 'x', apiKey: SECRET, headers: { authorization: `Bearer ${SECRET}` } }],
  ])('a ref object with %s and a credential in another field: InvalidArgumentError without it', async (_label, ref) => {
    const error = await failure(upstat.status(ref as unknown as AnyRef));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain('is not an upload ref');
    expectNoCredential(error);
    const waited = await failure(upstat.wait(ref as unknown as AnyRef));
    expect(waited).toBeInstanceOf(InvalidArgumentError);
    expectNoCredential(waited);
  });

  const LONG = 'i'.repeat(100_000);

  it.each([
    ['ref object, invalid other field', { provider: 'pandadoc', documentId: LONG, uploadId: '' }],
    ['ref object, every field long', { provider: 'sendai', teamId: LONG, projectId: LONG, uploadId: 7, note: LONG }],
    ['ref object, unknown provider', { provider: LONG, documentId: LONG }],
    ['ref string, one identifier missing', `pandadoc:${LONG}`],
    ['ref string, unknown provider', `${LONG}:${LONG}/${LONG}`],
    ['ref string, too many identifiers', `sendai:${LONG}/${LONG}/${LONG}/${LONG}`],
    ['ref string, a malformed escape', `nullspace:${LONG}/%E0%A4%A`],
  ])('a 100,000-character id (%s): a message under 1,000 characters', async (_label, ref) => {
    const error = await failure(upstat.status(ref as unknown as AnyRef));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message.length).toBeLessThan(1_000);
    expect(String(error).length).toBeLessThan(1_000);
    expect(safeJson(error).length).toBeLessThan(1_500);
  });

  it('a ref with a 100,000-character id: refused before sending (no server takes such a path), in a short message', async () => {
    const served = await serve(echo(200, () => pandadocUpload('document_sections_upload.PROCESSED')));
    const error = await failure(facade(served.url).status(`pandadoc:${LONG}/u`));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message.length).toBeLessThan(1_000);
    expect(served.requests).toHaveLength(0);
  });

  it('a ref with a 7,900-character id the server refuses: a short message', async () => {
    const served = await serve(echo(400, () => ({ type: 'request_error', detail: 'no such document' })));
    const error = await failure(facade(served.url).status(`pandadoc:${'i'.repeat(7_900)}/u`));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message.length).toBeLessThan(1_000);
    expect(served.requests).toHaveLength(1);
  });
});

describe('a one-character key', () => {
  const KEY = 'k';
  const wholeWordK = /(?<![A-Za-z0-9])k(?![A-Za-z0-9])/;

  it('UploadFailedError: "fake" stays "fake"; the key itself is redacted', async () => {
    const { url } = await serve(
      echo(200, (_auth, bare) => pandadocUpload('document_sections_upload.ERROR', { info_message: `fake key ${bare} rejected, kind of` })),
    );
    const error = await failure(facade(url, virtualClock(), KEY).wait(PANDADOC));
    expect(error).toBeInstanceOf(UploadFailedError);
    const failed = uploadFailed(error);
    expect(failed.message).toBe(`upload ${PANDADOC} ended failed (PandaDoc status "document_sections_upload.ERROR"): fake key ${R} rejected, kind of.`);
    expect(failed.finalStatus.detail).toBe(`fake key ${R} rejected, kind of`);
    expect(failed.message).not.toMatch(wholeWordK);
    expect(safeJson(failed.finalStatus)).not.toMatch(wholeWordK);
  });

  it('an error response: "fake" and other words keep their k', async () => {
    const { url } = await serve((request, response) => {
      const { auth } = credentialOf(request);
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ detail: `fake token, check ${auth}`, k: 'kk k-k' }));
    });
    const error = await failure(facade(url, virtualClock(), KEY).status(SENDAI));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain(`fake token, check Bearer ${R}`);
    expect(error.body).toEqual({ detail: `fake token, check Bearer ${R}`, [R]: `kk ${R}-${R}` });
    expect(error.message).not.toMatch(wholeWordK);
  });

  it('a status: detail and body words intact', async () => {
    const { url } = await serve(echo(200, () => pandadocUpload('document_sections_upload.UPLOADED', { info_message: 'making a bookmark', name: 'k' })));
    const status = await facade(url, virtualClock(), KEY).status(PANDADOC);
    expect(status.detail).toBe('making a bookmark');
    expect(status.raw.body).toMatchObject({ name: R, info_message: 'making a bookmark' });
  });
});

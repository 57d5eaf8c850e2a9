import { inspect } from 'node:util';
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InvalidArgumentError,
  MissingCredentialError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  type UpstatError,
} from '@upstat/core';
import { credentialForms, credentialValues, expectedCarriage, fetchesToken } from '@upstat/test-support';
import { describe, expect, inject, it } from 'vitest';
import { PROVIDERS, type ClientSetup, type ProviderCase } from '../src/providers.js';
import { recordingFetch, type RecordedExchange } from '../src/recording-fetch.js';
import { asObject, deref, firstExample, loadEffectiveSpec, statusOperation, type Json, type JsonObject } from '../src/specs.js';

/** The error class each documented HTTP status must become (the table in packages/core/src/errors.ts, written out again here so the test does not trust it). */
const ERROR_CLASS_FOR_STATUS: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  429: RateLimitError,
  500: ServerError,
};

/** Path parameter values that must never reach the network. */
const BAD_PATH_VALUES: [label: string, value: unknown][] = [
  ['empty', ''],
  ['"."', '.'],
  ['".."', '..'],
  ['"%2e"', '%2e'],
  ['"%2E%2e"', '%2E%2e'],
  ['".%2E"', '.%2E'],
  ['"%252e%252e" (double-encoded)', '%252e%252e'],
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['an object', { id: 'x' }],
];

async function rejection(promise: Promise<unknown>): Promise<UpstatError> {
  return promise.then(
    (value: unknown) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as UpstatError,
  );
}

function onlyExchange(exchanges: RecordedExchange[]): RecordedExchange {
  expect(exchanges).toHaveLength(1);
  const [exchange] = exchanges as [RecordedExchange];
  // Prism (started with --errors) marks any request or response that breaks the spec.
  expect(exchange.violations).toBeNull();
  return exchange;
}

/** Every string a body holds under a request or trace id key (`request_id`, `requestId`, `trace_id`, `traceId`), at any depth. */
function requestIdsIn(value: Json | undefined): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(/^(?:request|trace)_?id$/i.test(key) && typeof inner === 'string' ? [inner] : []),
    ...requestIdsIn(inner),
  ]);
}

function describeProvider(provider: ProviderCase) {
  const spec = loadEffectiveSpec(provider.id);
  const { path: template, operation } = statusOperation(spec);
  const parameters = (operation.parameters as Json[]).map((parameter) => asObject(deref(spec, parameter), 'parameter'));
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const exampleValues: Record<string, string> = Object.fromEntries(
    pathParameters.map((parameter) => {
      const name = parameter.name as string;
      const value = parameter.example ?? provider.fallbackPathParameters[name];
      if (typeof value !== 'string') throw new Error(`${provider.id}: no example value for path parameter ${name}`);
      return [name, value];
    }),
  );
  const expectedPath = (values: Record<string, string>) =>
    template.replace(/\{([^}]+)\}/g, (_match, name: string) => encodeURIComponent(values[name] ?? ''));
  const responses = asObject(operation.responses, 'responses');
  const credential = `upstat-contract-${provider.id}-Zq8xK2`;

  // Each exchange is checked on its own here, so retries are off (they have their own tests).
  function client(overrides: Partial<ClientSetup> = {}) {
    const recorder = recordingFetch();
    const call = provider.create({
      baseUrl: inject('mockUrls')[provider.id],
      tokenUrl: inject('tokenUrls')[provider.id],
      fetch: recorder.fetch,
      credential,
      retry: false,
      ...overrides,
    });
    return { call, exchanges: recorder.exchanges, tokenExchanges: recorder.tokenExchanges };
  }

  describe(`${provider.id}: ${template}`, () => {
    it("returns the 200 body, equal to the spec example, sent with the credential where the spec's security scheme says", async () => {
      const { call, exchanges, tokenExchanges } = client();
      const body = await call(exampleValues);
      const ok = asObject(deref(spec, responses['200']), '200 response');
      const example = firstExample(spec, asObject(asObject(ok.content, 'content')['application/json'], 'application/json'));
      expect(example).toBeDefined();
      expect(body).toEqual(example);
      const exchange = onlyExchange(exchanges);
      expect(exchange.method).toBe('GET');
      expect(new URL(exchange.url).pathname).toBe(expectedPath(exampleValues));
      // A client-credentials client sends the token the mock's token endpoint gave it; any other, the values given.
      const values = credentialValues(provider.credential, credential);
      const token = tokenExchanges.map((token) => (JSON.parse(token.bodyText) as { access_token?: string }).access_token).at(-1);
      const carried = expectedCarriage(provider.credential, values, token);
      expect(tokenExchanges).toHaveLength(token === undefined ? 0 : 1);
      for (const [name, value] of Object.entries(carried.headers)) expect(exchange.headers[name], name).toBe(value);
      for (const [name, value] of Object.entries(carried.query)) expect(new URL(exchange.url).searchParams.get(name), name).toBe(value);
    });

    const errorStatuses = Object.keys(responses)
      .filter((status) => /^[45]\d\d$/.test(status))
      .map(Number);

    it("the definition's ref fills exactly the path parameters, and its example agrees with the spec's examples", () => {
      expect(provider.definition.operation.path).toBe(template);
      expect(Object.keys(provider.fallbackPathParameters).sort()).toEqual(pathParameters.map((parameter) => parameter.name as string).sort());
      for (const parameter of pathParameters) {
        if (parameter.example !== undefined) expect(provider.fallbackPathParameters[parameter.name as string]).toBe(parameter.example);
      }
    });

    it('documents error responses (so the cases below are not vacuous)', () => {
      expect(errorStatuses.length).toBeGreaterThanOrEqual(4);
      for (const status of errorStatuses) expect(ERROR_CLASS_FOR_STATUS[status], `class for ${status}`).toBeDefined();
    });

    for (const status of errorStatuses) {
      const ErrorClass = ERROR_CLASS_FOR_STATUS[status] ?? ApiError;
      it(`maps a documented ${status} to ${ErrorClass.name} carrying the parsed body`, async () => {
        const { call, exchanges } = client();
        const error = await rejection(call(exampleValues, { headers: { Prefer: `code=${status}` } }));
        expect(error).toBeInstanceOf(ErrorClass);
        expect(error).toMatchObject({ provider: provider.id, status });
        expect(error.message).toContain(String(status));
        // A client that fetched its token renews it once when refused, and sends the request again.
        const renewed = status === 401 && fetchesToken(provider.credential);
        const exchange = onlyExchange(renewed ? exchanges.slice(1) : exchanges);
        if (renewed) expect(exchanges).toHaveLength(2);
        expect(exchange.status).toBe(status);

        const response = asObject(deref(spec, responses[String(status)]), `${status} response`);
        const content = response.content === undefined ? undefined : asObject(response.content, 'content');
        if (content === undefined) {
          // Documented without a body (Send.ai): nothing is invented.
          expect(exchange.bodyText).toBe('');
          expect(error.body).toBeUndefined();
          expect(error.requestId).toBeUndefined();
          return;
        }
        const [mediaType, media] = Object.entries(content)[0] as [string, Json];
        const wireBody = JSON.parse(exchange.bodyText) as Json;
        expect(error.body).toEqual(wireBody);
        const example = firstExample(spec, asObject(media, mediaType));
        if (example === undefined) {
          // No example (PandaDoc): Prism builds the body from the schema; every field must be declared.
          const schema = asObject(deref(spec, asObject(media, mediaType).schema), 'schema');
          const declared = Object.keys(asObject(schema.properties, 'properties'));
          expect(Object.keys(asObject(wireBody, 'body')).every((key) => declared.includes(key))).toBe(true);
        } else {
          expect(error.body).toEqual(example);
        }
        // What the provider's error-body reader (its definition's, or the generic one) finds in the example.
        expect(error.requestId).toBe(provider.requestIdInErrorBody(example));
        // And, whatever the reader: a request or trace id the example carries becomes the error's requestId.
        const documentedIds = requestIdsIn(example);
        if (documentedIds.length > 0) {
          expect(error.requestId).toEqual(expect.any(String));
          expect(documentedIds).toContain(error.requestId);
        }

        if (error instanceof RateLimitError) {
          const header = response.headers === undefined ? undefined : deref(spec, asObject(response.headers, 'headers')['Retry-After']);
          const seconds = header === undefined ? undefined : asObject(header, 'Retry-After').example;
          expect(error.retryAfterMs).toBe(typeof seconds === 'number' ? seconds * 1000 : undefined);
        }
      });
    }

    it('never puts the credential into an error, its string, JSON or inspected forms', async () => {
      const { call } = client();
      const error = await rejection(call(exampleValues, { headers: { Prefer: 'code=401' } }));
      expect(error).toBeInstanceOf(AuthenticationError);
      const forms = credentialForms(provider.credential, credentialValues(provider.credential, credential));
      for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10 }), error.stack ?? '']) {
        for (const form of forms) expect(text).not.toContain(form);
      }
    });

    it('throws MissingCredentialError when created without a credential, naming the option', () => {
      for (const missing of [undefined, '']) {
        const { fetch } = recordingFetch();
        expect(() => provider.create({ baseUrl: inject('mockUrls')[provider.id], fetch, credential: missing })).toThrow(
          MissingCredentialError,
        );
        expect(() => provider.create({ baseUrl: inject('mockUrls')[provider.id], fetch, credential: missing })).toThrow(
          `\`${provider.credential.options[0]}\``,
        );
      }
    });

    it('rejects a request whose credential callback returns nothing, before sending it', async () => {
      const { call, exchanges } = client({ credential: () => undefined });
      const error = await rejection(call(exampleValues));
      expect(error).toBeInstanceOf(MissingCredentialError);
      expect(exchanges).toHaveLength(0);
    });

    for (const parameter of pathParameters) {
      const name = parameter.name as string;
      for (const [label, value] of BAD_PATH_VALUES) {
        it(`rejects path parameter ${name} = ${label} without sending a request`, async () => {
          const { call, exchanges } = client();
          const error = await rejection(call({ ...exampleValues, [name]: value }));
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect(error).toMatchObject({ argument: name, provider: provider.id });
          expect(error.message).toContain(`"${name}"`);
          expect(exchanges).toHaveLength(0);
        });
      }
    }

    const freeForm = pathParameters.filter((parameter) => asObject(parameter.schema as JsonObject, 'schema').format === undefined);
    if (freeForm.length > 0) {
      it('percent-encodes every other character, so the request stays on its path', async () => {
        const tricky = 'a/b?c#d e%2F..';
        const values = { ...exampleValues, [freeForm[0]?.name as string]: tricky };
        const { call, exchanges } = client();
        await call(values);
        const exchange = onlyExchange(exchanges);
        const sentPath = new URL(exchange.url).pathname;
        expect(sentPath).toBe(expectedPath(values));
        expect(sentPath.split('/')).toHaveLength(template.split('/').length);
      });
    }
  });
}

for (const provider of PROVIDERS) describeProvider(provider);

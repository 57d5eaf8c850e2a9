import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { StatusShapeError, summarizeErrorBody } from '@upstat/core';
import { definition as document360Definition } from '@upstat/document360';
import { definition as nullspaceDefinition } from '@upstat/nullspace';
import { definition as pandadocDefinition } from '@upstat/pandadoc';
import { definition as sendaiDefinition } from '@upstat/sendai';
import { startLocalServer, type LocalServer } from '@upstat/test-support';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CANONICAL_STATES,
  createUpstat,
  isTerminal,
  mapState,
  TERMINAL_STATES,
  UnexpectedResponseError,
  type CanonicalState,
  type ProviderDefinition,
} from '../src/index.js';
import { DEFINITIONS, everyPlugin, exampleRef, PROVIDERS } from './providers.js';

const require = createRequire(import.meta.url);
interface Schema {
  enum?: string[];
  properties?: Record<string, Schema>;
}
function specText(pkg: string): string {
  return readFileSync(require.resolve(`${pkg}/openapi.json`), 'utf8');
}
function specSchemas(pkg: string): Record<string, Schema> {
  const spec = JSON.parse(specText(pkg)) as { components: { schemas: Record<string, Schema> } };
  return spec.components.schemas;
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Each definition with its id first, for it.each titles. */
const EACH = DEFINITIONS.map((definition) => [definition.id, definition] as const);

describe('status mapping', () => {
  it('is total: any value at all maps to a canonical state, unknown ones to "unknown"', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEFINITIONS.map((definition) => definition.states)), fc.anything(), (table, value) => {
        const state = mapState(table, value);
        expect(CANONICAL_STATES).toContain(state);
        if (typeof value !== 'string' || !Object.hasOwn(table, value)) expect(state).toBe('unknown');
      }),
    );
  });

  it.each(EACH)('%s: is not fooled by inherited property names', (_id, definition) => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(mapState(definition.states, name)).toBe('unknown');
    }
  });

  it.each(EACH)('%s: maps each of its values to a canonical state, and maps at least one', (_id, definition) => {
    const states: unknown[] = Object.values(definition.states);
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) expect(CANONICAL_STATES).toContain(state);
    for (const [value, state] of Object.entries(definition.states)) expect(mapState(definition.states, value)).toBe(state);
  });

  it.each(EACH)('%s: every value it maps is one its spec documents', (_id, definition) => {
    const text = specText(`@upstat/${definition.id}`);
    for (const value of Object.keys(definition.states)) {
      const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(new RegExp(`(?<![\\w.])${escaped}(?![\\w])`).test(text), `${value} is not in the spec of ${definition.id}`).toBe(true);
    }
  });

  it('maps every enum value the specs declare (PandaDoc, Nullspace)', () => {
    const pandadocEnum = specSchemas('@upstat/pandadoc').UploadSectionStatusEnum?.enum ?? [];
    const nullspaceEnum = specSchemas('@upstat/nullspace').UploadSession?.properties?.status?.enum ?? [];
    expect(pandadocEnum.length).toBe(3);
    expect(nullspaceEnum.length).toBe(8);
    expect(Object.keys(pandadocDefinition.states).sort()).toEqual([...pandadocEnum].sort());
    expect(Object.keys(nullspaceDefinition.states).sort()).toEqual([...nullspaceEnum].sort());
  });

  it('matches the status model table (README) for each provider', () => {
    const byState = (table: Readonly<Record<string, CanonicalState>>) => {
      const grouped: Partial<Record<CanonicalState, string[]>> = {};
      for (const [value, state] of Object.entries(table)) (grouped[state] ??= []).push(value);
      return grouped;
    };
    expect(byState(pandadocDefinition.states)).toEqual({
      in_progress: ['document_sections_upload.UPLOADED'],
      succeeded: ['document_sections_upload.PROCESSED'],
      failed: ['document_sections_upload.ERROR'],
    });
    expect(byState(document360Definition.states)).toEqual({
      queued: ['Pending'],
      in_progress: ['InProgress', 'Processing'],
      succeeded: ['Completed'],
      failed: ['Failed'],
    });
    expect(byState(sendaiDefinition.states)).toEqual({
      in_progress: ['PROCESSING'],
      action_required: ['REVIEWING', 'IN_REVIEW'],
      succeeded: ['COMPLETED'],
      partial: ['PARTIAL'],
      failed: ['FAILED'],
    });
    expect(byState(nullspaceDefinition.states)).toEqual({
      queued: ['created'],
      in_progress: ['uploading', 'staged', 'completing'],
      succeeded: ['completed'],
      canceled: ['aborted'],
      expired: ['expired'],
      failed: ['failed'],
    });
    expect([...TERMINAL_STATES].sort()).toEqual(['canceled', 'expired', 'failed', 'partial', 'succeeded']);
    expect(CANONICAL_STATES.filter(isTerminal)).toEqual(['succeeded', 'partial', 'failed', 'canceled', 'expired']);
  });
});

/** The problem a definition's `read` reports for `body`; fails the test when it reads the body without complaint. */
function shapeProblem(definition: ProviderDefinition, body: unknown): string {
  try {
    definition.read(body);
  } catch (error) {
    expect(error).toBeInstanceOf(StatusShapeError);
    return (error as Error).message;
  }
  throw new Error(`${definition.id} read ${JSON.stringify(body)} without complaint`);
}

describe('reading status bodies', () => {
  it.each(EACH)('%s: a body that is not an object is a shape error (StatusShapeError)', (_id, definition) => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(null, undefined), fc.string(), fc.double(), fc.boolean(), fc.array(fc.anything())), (body) => {
        expect(shapeProblem(definition, body)).not.toBe('');
      }),
    );
  });

  it.each([
    [nullspaceDefinition, { upload_id: 'upl_1', accepted_bytes: 1 }, '`status` must be a string'],
    [nullspaceDefinition, { status: 'uploading', accepted_bytes: '5', content_length: 10 }, '`accepted_bytes` and `content_length` must be byte counts'],
    [nullspaceDefinition, { status: 'uploading', accepted_bytes: 5, content_length: -1 }, '`accepted_bytes` and `content_length` must be byte counts'],
    [pandadocDefinition, { status: 42 }, '`status` must be a string'],
    [document360Definition, { data: 'x' }, '`data` must be an object'],
    [document360Definition, { data: { status: 5 } }, '`data.status` must be a string or null'],
    [sendaiDefinition, { payload: 'x' }, '`payload` must be an object'],
    [sendaiDefinition, { payload: { status: 5 } }, '`payload.status` must be a string'],
  ] as [ProviderDefinition, unknown, string][])('%#: %o of the wrong shape: "%s"', (definition, body, problem) => {
    expect(shapeProblem(definition, body)).toBe(problem);
  });

  it.each(PROVIDERS.map((provider) => [provider.definition.id, provider] as const))(
    '%s: the facade reports a shape error as UnexpectedResponseError naming the provider and the problem',
    async (_id, { definition }) => {
      server = await startLocalServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('[1,2]');
      });
      const upstat = createUpstat({ providers: everyPlugin('k', { baseUrl: server.url }) });
      const error = await upstat.status(exampleRef(definition)).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error).toMatchObject({
        message: `${definition.name} returned a status body that does not match its spec: ${shapeProblem(definition, [1, 2])}.`,
        provider: definition.id,
        body: [1, 2],
        rawText: '[1,2]',
      });
      expect(server.requests).toHaveLength(1);
    },
  );
});

describe("vendors' error bodies, read by their definitions", () => {
  it('Nullspace: the error envelope with its hint', () => {
    const body = { error: { code: 'sandbox_not_found', message: 'No sandbox.', hint: 'Check the id.', request_id: 'req_b' } };
    expect(nullspaceDefinition.readErrorBody?.(body)).toEqual({ message: 'No sandbox. [sandbox_not_found] — hint: Check the id.', requestId: 'req_b' });
    // The generic reader alone leaves the hint out.
    expect(summarizeErrorBody(body)).toEqual({ message: 'No sandbox. [sandbox_not_found]', requestId: 'req_b' });
  });

  it('Nullspace: without a hint, what the generic reader gives', () => {
    const body = { error: { code: 'rate_limited', message: 'Slow down.', hint: '  ', request_id: 'req_c' } };
    expect(nullspaceDefinition.readErrorBody?.(body)).toEqual(summarizeErrorBody(body));
    expect(nullspaceDefinition.readErrorBody?.('<html>')).toEqual({});
  });

  it('PandaDoc: a 409 status body says why in info_message', () => {
    const body = { id: 'x', status: 'document.uploaded', info_message: 'Wait.' };
    expect(pandadocDefinition.readErrorBody?.(body)).toEqual({ message: 'Wait.' });
    expect(summarizeErrorBody(body)).toEqual({});
  });

  it('PandaDoc: { type, detail }', () => {
    expect(pandadocDefinition.readErrorBody?.({ type: 'request_error', detail: 'Not found' })).toEqual({ message: 'Not found [request_error]' });
    expect(pandadocDefinition.readErrorBody?.({ type: 'request_error', detail: 'Not found', info_message: 'Wait.' })).toEqual({
      message: 'Not found [request_error]',
    });
  });

  it('Nullspace through the facade: the hint and the request id reach the error', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'sandbox_not_found', message: 'No sandbox.', hint: 'Check the id.', request_id: 'req_b' } }));
    });
    const upstat = createUpstat({ providers: everyPlugin('k', { baseUrl: server.url }) });
    const error = await upstat.status('nullspace:sb_1/upl_1').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ name: 'NotFoundError', status: 404, requestId: 'req_b', provider: 'nullspace' });
    expect((error as Error).message).toContain(': No sandbox. [sandbox_not_found] — hint: Check the id.');
    expect((error as Error).message).toContain('(request id req_b)');
  });

  it('PandaDoc through the facade: a 409 says what its info_message says', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(409, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'x', status: 'document.uploaded', info_message: 'Wait.' }));
    });
    const upstat = createUpstat({ providers: everyPlugin('k', { baseUrl: server.url }) });
    const error = await upstat.status('pandadoc:doc_1/upl_1').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ name: 'ConflictError', status: 409, provider: 'pandadoc' });
    expect((error as Error).message).toContain(' 409 Conflict: Wait.');
  });
});

import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../src/diff/classify.js';
import type { SpecChange } from '../src/diff/types.js';
import type { JsonObject } from '../src/load.js';
import { SpecToolError } from '../src/errors.js';
import { loadFixtures } from './fixtures/diff/load.mjs';

// A shared base document plus, per fixture, the edits making its old and new side (see fixtures/diff/load.mjs).
const fixtures = loadFixtures();

const key = (change: { pointer: string; rule: string }) => `${change.pointer} ${change.rule}`;
const shape = ({ rule, severity, breaks, pointer, operation }: SpecChange) => ({
  rule,
  severity,
  ...(breaks === undefined ? {} : { breaks }),
  pointer,
  ...(operation === undefined ? {} : { operation }),
});

describe('diff fixtures', () => {
  it('cover at least 25 pairs, in both OpenAPI 3.0 and 3.1', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
    expect(fixtures.some((fixture) => String(fixture.old.openapi).startsWith('3.0'))).toBe(true);
    expect(fixtures.some((fixture) => String(fixture.new.openapi).startsWith('3.1'))).toBe(true);
  });

  for (const fixture of fixtures) {
    it(`${fixture.name}: ${fixture.description}`, () => {
      const result = diffDocuments(fixture.old, fixture.new);
      expect(result.changes.map(shape).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
        [...fixture.expected].sort((a, b) => key(a).localeCompare(key(b))),
      );
      for (const change of result.changes) {
        expect(change.message.length).toBeGreaterThan(10);
        expect(change.breaks !== undefined).toBe(change.severity === 'breaking');
      }
      // Nothing changes when a document is compared with itself.
      expect(diffDocuments(fixture.new, fixture.new).changes).toEqual([]);
    });
  }
});

describe('diff input errors', () => {
  const document = (extra: JsonObject): JsonObject => ({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {}, ...extra });

  it('names an unresolvable $ref and where it is', () => {
    const broken = document({ paths: { '/a': { get: { responses: { '200': { $ref: '#/components/responses/Missing' } } } } } });
    expect(() => diffDocuments(document({}), broken, { before: 'old.yaml', after: 'new.yaml' })).toThrow(SpecToolError);
    expect(() => diffDocuments(document({}), broken, { before: 'old.yaml', after: 'new.yaml' })).toThrow(
      'new.yaml: unresolvable $ref "#/components/responses/Missing" at /paths/~1a/get/responses/200',
    );
  });

  it('refuses external $refs, asking for a bundled document', () => {
    const external = document({ paths: { '/a': { get: { responses: { '200': { $ref: 'common.yaml#/Ok' } } } } } });
    expect(() => diffDocuments(external, document({}))).toThrow('external $ref "common.yaml#/Ok" at /paths/~1a/get/responses/200 is not supported');
  });

  it('survives recursive schemas', () => {
    const tree = (extra: JsonObject) =>
      document({
        paths: { '/t': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } } } },
        components: { schemas: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } }, ...extra } } } },
      });
    const result = diffDocuments(tree({}), tree({ label: { type: 'string' } }));
    expect(result.changes.map((change) => change.rule)).toEqual(['response-property-added']);
  });
});

describe('pattern direction', () => {
  const withPattern = (pattern: string | undefined): JsonObject => ({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/a': {
        get: {
          parameters: [{ name: 'q', in: 'query', schema: { type: 'string', ...(pattern === undefined ? {} : { pattern }) } }],
          responses: { '204': { description: 'none' } },
        },
      },
    },
  });
  const rules = (before: string | undefined, after: string | undefined) => diffDocuments(withPattern(before), withPattern(after)).changes.map((change) => change.rule);

  it.each([
    ['.*'],
    ['^.*'],
    ['^.*$'],
    ['[\\s\\S]*'],
    ['^[a-z]*'], // searched, not anchored at the end: matches the empty prefix of any string
    [''],
  ])('a pattern replaced by %j, which matches any string, loosens', (pattern) => {
    expect(rules('^[a-z]+$', pattern)).toEqual(['request-constraint-loosened']);
  });

  it.each([
    ['^[a-z0-9]+$'], // looser in fact, but that cannot be told in general
    ['^(?=x).*'],
    ['\\bword'],
    ['[unclosed'],
  ])('a pattern replaced by %j counts as tightened', (pattern) => {
    expect(rules('^[a-z]+$', pattern)).toEqual(['request-constraint-tightened']);
  });

  it('a pattern added tightens and one removed loosens', () => {
    expect(rules(undefined, '^[a-z]+$')).toEqual(['request-constraint-tightened']);
    expect(rules('^[a-z]+$', undefined)).toEqual(['request-constraint-loosened']);
  });
});

describe('pointers of removals', () => {
  it('point into the old document, also when the path template was renamed', () => {
    const document = (path: string, parameter: string, properties: JsonObject): JsonObject => ({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        [path]: {
          get: {
            parameters: [{ name: parameter, in: 'path', required: true, schema: { type: 'string' } }],
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties } } } } },
          },
        },
      },
    });
    const before = document('/books/{bookId}', 'bookId', { title: { type: 'string' }, isbn: { type: 'string' } });
    const after = document('/books/{id}', 'id', { title: { type: 'string' } });
    const changes = diffDocuments(before, after).changes.map(({ rule, pointer, operation }) => ({ rule, pointer, operation }));
    expect(changes).toEqual([
      { rule: 'response-property-removed', pointer: '/paths/~1books~1{bookId}/get/responses/200/content/application~1json/schema/properties/isbn', operation: 'GET /books/{id}' },
      { rule: 'path-parameter-renamed', pointer: '/paths/~1books~1{id}/get', operation: 'GET /books/{id}' },
    ]);
    const resolve = (pointer: string) => pointer.split('/').slice(1).reduce<unknown>((node, key) => (node as JsonObject)[key.replace(/~1/g, '/').replace(/~0/g, '~')], before);
    expect(resolve(changes[0]?.pointer ?? '')).toEqual({ type: 'string' });
  });
});

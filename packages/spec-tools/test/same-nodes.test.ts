/**
 * The diff skips a schema or a response that is the same in both documents (`SameNodes`, src/diff/refs.ts): what it
 * calls the same must hold no change, including one made behind a `$ref` that reads the same in both.
 */
import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../src/diff/classify.js';
import { SameNodes } from '../src/diff/refs.js';
import type { JsonObject } from '../src/load.js';

const document = (extra: JsonObject): JsonObject => ({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {}, ...extra });

describe('SameNodes', () => {
  const thing = (properties: JsonObject) => document({ components: { schemas: { Thing: { type: 'object', properties } } } });

  it('calls equal JSON the same, whatever the order of its keys', () => {
    const same = new SameNodes(document({}), document({}));
    expect(same.same({ type: 'string', enum: ['a', 'b'] }, { enum: ['a', 'b'], type: 'string' })).toBe(true);
    expect(same.same({ enum: ['a', 'b'] }, { enum: ['b', 'a'] })).toBe(false);
    expect(same.same({ type: 'string' }, { type: 'string', format: 'uuid' })).toBe(false);
    expect(same.same({ type: 'string', format: 'uuid' }, { type: 'string' })).toBe(false);
    expect(same.same([1], { 0: 1 })).toBe(false);
    expect(same.same(null, {})).toBe(false);
  });

  it('looks behind a $ref: the same name is the same only when its target is', () => {
    const same = new SameNodes(thing({ id: { type: 'string' } }), thing({ id: { type: 'integer' } }));
    expect(same.same({ $ref: '#/components/schemas/Thing' }, { $ref: '#/components/schemas/Thing' })).toBe(false);
    const unchanged = new SameNodes(thing({ id: { type: 'string' } }), thing({ id: { type: 'string' } }));
    expect(unchanged.same({ $ref: '#/components/schemas/Thing' }, { $ref: '#/components/schemas/Thing' })).toBe(true);
    expect(unchanged.same({ $ref: '#/components/schemas/Thing' }, { type: 'object', properties: { id: { type: 'string' } } })).toBe(false);
  });

  it('leaves a recursive schema to the comparison', () => {
    const tree = document({ components: { schemas: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } } } } });
    expect(new SameNodes(tree, structuredClone(tree)).same({ $ref: '#/components/schemas/Node' }, { $ref: '#/components/schemas/Node' })).toBe(false);
  });
});

describe('the diff skips only what is the same', () => {
  const api = (status: JsonObject, notFound: JsonObject): JsonObject =>
    document({
      paths: {
        '/a': {
          get: {
            responses: {
              '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } } },
              '404': { $ref: '#/components/responses/NotFound' },
            },
          },
        },
      },
      components: {
        schemas: { Status: status },
        responses: { NotFound: { description: 'missing', content: { 'application/json': { schema: notFound } } } },
      },
    });
  const status = (values: string[]): JsonObject => ({ type: 'object', properties: { state: { type: 'string', enum: values } } });

  it('finds a change behind a $ref that reads the same in both documents, in a schema and in a response', () => {
    const before = api(status(['done']), { type: 'object', properties: { detail: { type: 'string' } } });
    const after = api(status(['done', 'paused']), { type: 'object', properties: { detail: { type: 'integer' } } });
    const rules = diffDocuments(before, after).changes.map((change) => `${change.rule} ${change.pointer}`);
    expect(rules).toContain('response-enum-value-added /paths/~1a/get/responses/200/content/application~1json/schema/properties/state/enum');
    expect(rules.some((rule) => rule.startsWith('response-type-changed') || rule.startsWith('response-type-narrowed') || rule.startsWith('response-type-widened'))).toBe(true);
  });

  it('finds a change behind a $ref of a path item that reads the same in both documents', () => {
    const limited = (maximum: number): JsonObject =>
      document({
        paths: { '/a': { parameters: [{ $ref: '#/components/parameters/Limit' }], get: { responses: { '204': { description: 'none' } } } } },
        components: { parameters: { Limit: { name: 'limit', in: 'query', schema: { type: 'integer', maximum } } } },
      });
    const changes = diffDocuments(limited(100), limited(50)).changes;
    expect(changes.map((change) => `${change.rule} ${change.operation ?? ''}`)).toContain('request-constraint-tightened GET /a');
  });

  it('finds nothing when both documents are the same', () => {
    const before = api(status(['done']), { type: 'object' });
    expect(diffDocuments(before, structuredClone(before)).changes).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../src/diff/classify.js';
import type { SpecChange } from '../src/diff/types.js';
import type { JsonObject } from '../src/load.js';
import { SpecToolError } from '../src/errors.js';

interface Fixture {
  description: string;
  expected: Omit<SpecChange, 'message'>[];
  old: JsonObject;
  new: JsonObject;
}

const directory = fileURLToPath(new URL('./fixtures/diff/', import.meta.url));
const fixtures = readdirSync(directory)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => ({ name: name.replace(/\.yaml$/, ''), ...(parse(readFileSync(`${directory}${name}`, 'utf8')) as Fixture) }));

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

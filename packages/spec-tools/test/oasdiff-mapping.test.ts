/**
 * docs/oasdiff-mapping.json maps every rule oasdiff rates breaking or warning to the upstat rule that reports the same
 * change (or says why none does); docs/oasdiff-mapping.md is generated from it by docs/oasdiff-mapping.mjs.
 * The ids are checked against the rules catalogue, a minimal example of one oasdiff rule per kind of change is diffed
 * to see that the upstat rule the JSON names really fires, and the generator is run as a child process.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { diffDocuments } from '../src/diff/index.js';
import { allRules, type Rule } from '../src/diff/rules.js';

/** A row as parsed: nothing in it is trusted, the tests below check it. */
interface MappingRow {
  oasdiff: string;
  level: string;
  object: string;
  detects: string;
  upstat: string | null;
  related?: string[];
  reason?: string;
}

const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
const script = docs('oasdiff-mapping.mjs');
const jsonText = readFileSync(docs('oasdiff-mapping.json'), 'utf8');
const rows = JSON.parse(jsonText) as MappingRow[];
const catalogue = new Map<string, Rule>(allRules().map((entry) => [entry.id, entry]));

/** Which side of the exchange each group of rows is about (the catalogue's side must not contradict it). */
const SIDE_OF_GROUP: Record<string, Rule['side']> = {
  parameters: 'request',
  'request-body': 'request',
  'request-schema': 'request',
  responses: 'response',
  'response-schema': 'response',
};

interface Run {
  code: number | null;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 30_000, encoding: 'utf8' }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr });
    });
  });
}

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Copies of the JSON and the Markdown in a scratch directory, so a test can damage them. */
function copies(): { json: string; md: string } {
  const dir = mkdtempSync(join(tmpdir(), 'oasdiff-mapping-'));
  scratch.push(dir);
  const json = join(dir, 'mapping.json');
  const md = join(dir, 'mapping.md');
  copyFileSync(docs('oasdiff-mapping.json'), json);
  copyFileSync(docs('oasdiff-mapping.md'), md);
  return { json, md };
}

describe('docs/oasdiff-mapping.json', () => {
  it('names only rules of the catalogue (src/diff/rules.ts)', () => {
    const unknown = rows.flatMap((row) =>
      [row.upstat, ...(row.related ?? [])].filter((id): id is string => id !== null && !catalogue.has(id)).map((id) => `${row.oasdiff} → ${id}`),
    );
    expect(unknown).toEqual([]);
  });

  it('says why for every rule upstat has no rule for', () => {
    const silent = rows.filter((row) => row.upstat === null && (row.reason ?? '').trim() === '').map((row) => row.oasdiff);
    expect(silent).toEqual([]);
  });

  it('says why wherever upstat rates the change differently from oasdiff', () => {
    // oasdiff's error is breaking; its warning is "may break". A deliberate disagreement must be explained in the row.
    const unexplained = rows
      .filter((row) => row.upstat !== null && row.reason === undefined)
      .filter((row) => {
        const severity = catalogue.get(row.upstat as string)?.severity;
        return row.level === 'error' ? severity !== 'breaking' : severity === 'breaking';
      })
      .map((row) => `${row.oasdiff} (${row.level}) → ${String(row.upstat)}`);
    expect(unexplained).toEqual([]);
  });

  it('maps request-side rules to request-side upstat rules, and response-side ones to response-side rules', () => {
    const crossed = rows.flatMap((row) => {
      const side = SIDE_OF_GROUP[row.object];
      if (side === undefined) return [];
      return [row.upstat, ...(row.related ?? [])]
        .filter((id): id is string => id !== null)
        .filter((id) => {
          const other = catalogue.get(id)?.side;
          return other !== undefined && other !== side;
        })
        .map((id) => `${row.oasdiff} (${side}) → ${id}`);
    });
    expect(crossed).toEqual([]);
  });

  it('lists each oasdiff rule once, at level error or warning', () => {
    const ids = rows.map((row) => row.oasdiff);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rows.filter((row) => !['error', 'warning'].includes(row.level)).map((row) => row.oasdiff)).toEqual([]);
  });
});

describe('docs/oasdiff-mapping.md', () => {
  it('is what docs/oasdiff-mapping.mjs generates from the JSON', async () => {
    expect(await run(['--check'])).toEqual({ code: 0, stderr: '' });
  });

  it('has one table row per oasdiff rule, with its upstat rule', () => {
    const markdown = readFileSync(docs('oasdiff-mapping.md'), 'utf8');
    for (const row of rows) {
      const line = markdown.split('\n').filter((text) => text.startsWith(`| \`${row.oasdiff}\` |`));
      expect(line, row.oasdiff).toHaveLength(1);
      expect(line[0], row.oasdiff).toContain(row.upstat === null ? '| none |' : `| \`${row.upstat}\``);
    }
  });

  it('--check fails, naming the line, when the Markdown was edited by hand', async () => {
    const { json, md } = copies();
    writeFileSync(md, readFileSync(md, 'utf8').replace('| `webhook-removed` |', '| `webhook-deleted` |'));
    const result = await run(['--check', '--json', json, '--md', md]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is not generated from .*line \d+: expected .*webhook-removed/);
  });

  it('--check fails when the JSON changed and the Markdown was not regenerated; regenerating fixes it', async () => {
    const { json, md } = copies();
    const changed = rows.map((row) => (row.oasdiff === 'webhook-removed' ? { ...row, upstat: 'operation-removed' } : row));
    writeFileSync(json, JSON.stringify(changed));
    expect((await run(['--check', '--json', json, '--md', md])).code).toBe(1);
    expect((await run(['--json', json, '--md', md])).code).toBe(0);
    expect(await run(['--check', '--json', json, '--md', md])).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(md, 'utf8')).toContain('| `webhook-removed` | error | a webhook removed | `operation-removed` |');
  });

  it('refuses a row without an upstat rule and without a reason, naming it (exit 2)', async () => {
    const { json, md } = copies();
    const before = readFileSync(md, 'utf8');
    const broken = rows.map((row) => (row.oasdiff === 'webhook-removed' ? { ...row, upstat: null } : row));
    writeFileSync(json, JSON.stringify(broken));
    const result = await run(['--json', json, '--md', md]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(webhook-removed): "upstat": null needs a "reason" saying why');
    expect(readFileSync(md, 'utf8')).toBe(before);
  });
});

type Document = Parameters<typeof diffDocuments>[0];
/** A JSON pointer into the document and the value to put there (`undefined` deletes it). */
type Edit = [string, unknown];

const OP = '/paths/~1items~1{id}/post';
const REQ = `${OP}/requestBody/content/application~1json/schema`;
const RES = `${OP}/responses/200/content/application~1json/schema`;
const HEADER = `${OP}/responses/200/headers/X-Count`;
const QUERY = `${OP}/parameters/1`;

/** One small OpenAPI 3.1 document: an operation with a path and a query parameter, a body, a response with a header. */
function base(): Document {
  return {
    openapi: '3.1.0',
    info: { title: 'probe', version: '1' },
    security: [{ key: [] }],
    components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Key' }, oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.invalid/token', scopes: { read: 'r', write: 'w' } } } } } },
    paths: {
      '/items/{id}': {
        post: {
          operationId: 'postItem',
          security: [{ key: [] }, { oauth: ['read'] }],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'q', in: 'query', schema: { type: 'string', 'x-extensible-enum': ['a', 'b'] } },
          ],
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } } } } },
          responses: {
            '200': {
              description: 'ok',
              headers: { 'X-Count': { required: true, schema: { type: 'integer' } } },
              content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, state: { type: 'string', enum: ['a', 'b'] } } } } },
            },
          },
        },
      },
    },
  };
}

function edited(edits: Edit[]): Document {
  const document = base();
  for (const [where, value] of edits) {
    const keys = where.split('/').slice(1).map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop() as string;
    let node: unknown = document;
    for (const key of keys) {
      const holder = node as Record<string, unknown>;
      holder[key] ??= {};
      node = holder[key];
    }
    const holder = node as Record<string, unknown>;
    if (Array.isArray(holder) && value === undefined) holder.splice(Number(last), 1);
    else if (value === undefined) Reflect.deleteProperty(holder, last);
    else holder[last] = value;
  }
  return document;
}

/** For one oasdiff rule of each kind: edits that make the old document and the new one show that change. */
const EXAMPLES: [oasdiff: string, before: Edit[], after: Edit[]][] = [
  ['api-removed-without-deprecation', [], [[OP, undefined]]],
  ['api-path-removed-before-sunset', [[`${OP}/deprecated`, true], [`${OP}/x-sunset`, '2999-01-01']], [['/paths/~1items~1{id}', undefined]]],
  ['webhook-removed', [['/webhooks', { created: { post: { responses: { '200': { description: 'ok' } } } } }]], []],
  ['api-security-removed', [], [[`${OP}/security`, [{ key: [] }]]]],
  ['api-global-security-scope-added', [], [['/security', [{ key: [], oauth: ['read'] }]]]],
  ['api-deprecated-sunset-missing', [], [[`${OP}/deprecated`, true]]],
  ['api-stability-decreased', [[`${OP}/x-stability-level`, 'stable']], [[`${OP}/x-stability-level`, 'beta']]],
  ['api-invalid-stability-level', [], [[`${OP}/x-stability-level`, 'Beta']]],
  ['api-deprecated-sunset-parse', [], [[`${OP}/deprecated`, true], [`${OP}/x-sunset`, '2026-02-30']]],
  ['api-path-sunset-parse', [[`${OP}/deprecated`, true], [`${OP}/x-sunset`, 'soon']], [['/paths/~1items~1{id}', undefined]]],
  ['sunset-deleted', [[`${OP}/deprecated`, true], [`${OP}/x-sunset`, '2999-01-01']], [[`${OP}/deprecated`, true]]],
  ['request-parameter-sunset-deleted', [[`${QUERY}/deprecated`, true], [`${QUERY}/x-sunset`, '2999-01-01']], [[`${QUERY}/deprecated`, true]]],
  ['request-parameter-sunset-parse', [[`${QUERY}/deprecated`, true], [`${QUERY}/x-sunset`, 'soon']], [[QUERY, undefined]]],
  ['request-property-deprecated-sunset-invalid', [], [[`${REQ}/properties/name/deprecated`, true], [`${REQ}/properties/name/x-sunset`, 'soon']]],
  ['new-required-request-parameter', [], [[`${OP}/parameters/2`, { name: 'limit', in: 'query', required: true, schema: { type: 'integer' } }]]],
  ['request-parameter-removed', [], [[QUERY, undefined]]],
  ['request-parameter-became-required', [], [[`${QUERY}/required`, true]]],
  ['request-parameter-became-enum', [], [[`${QUERY}/schema/enum`, ['a', 'b']]]],
  ['request-parameter-max-length-set', [], [[`${QUERY}/schema/maxLength`, 8]]],
  ['request-parameter-type-changed', [], [[`${QUERY}/schema/type`, 'integer']]],
  ['request-parameter-x-extensible-enum-value-removed', [], [[`${QUERY}/schema/x-extensible-enum`, ['a']]]],
  ['request-body-added-required', [[`${OP}/requestBody`, undefined]], [[`${OP}/requestBody/required`, true]]],
  ['request-body-became-required', [], [[`${OP}/requestBody/required`, true]]],
  ['request-body-media-type-removed', [[`${OP}/requestBody/content/text~1plain`, { schema: { type: 'string' } }]], []],
  ['request-body-media-type-schema-added', [[REQ, undefined]], []],
  ['new-required-request-property', [], [[`${REQ}/properties/size`, { type: 'integer' }], [`${REQ}/required`, ['size']]]],
  ['request-property-removed', [], [[`${REQ}/properties/tags`, undefined]]],
  ['request-property-became-not-nullable', [[`${REQ}/properties/name/type`, ['string', 'null']]], []],
  ['request-property-enum-value-removed', [[`${REQ}/properties/name/enum`, ['x', 'y']]], [[`${REQ}/properties/name/enum`, ['x']]]],
  ['request-property-max-length-decreased', [[`${REQ}/properties/name/maxLength`, 9]], [[`${REQ}/properties/name/maxLength`, 3]]],
  ['request-property-pattern-changed', [[`${REQ}/properties/name/pattern`, '^[a-z]+$']], [[`${REQ}/properties/name/pattern`, '^[a-c]+$']]],
  ['request-body-const-added', [], [[`${REQ}/properties/name/const`, 'k']]],
  ['request-body-all-of-added', [], [[`${REQ}/allOf`, [{ properties: { size: { type: 'integer' } }, required: ['size'] }]]]],
  ['request-property-all-of-added', [], [[`${REQ}/properties/name/allOf`, [{ enum: ['a', 'b'] }]]]],
  ['request-body-one-of-removed', [[`${REQ}/properties/name`, { oneOf: [{ type: 'string' }, { type: 'integer' }] }]], [[`${REQ}/properties/name`, { oneOf: [{ type: 'string' }] }]]],
  ['request-body-wrapped-in-one-of', [[`${REQ}/required`, ['name', 'tags']]], [[`${REQ}/oneOf`, [{ required: ['name'] }, { required: ['tags'] }]]]],
  ['request-property-contains-added', [], [[`${REQ}/properties/tags/contains`, { const: 'x' }]]],
  ['request-property-min-contains-increased', [[`${REQ}/properties/tags/contains`, { const: 'x' }]], [[`${REQ}/properties/tags/contains`, { const: 'x' }], [`${REQ}/properties/tags/minContains`, 2]]],
  ['request-body-if-added', [], [[`${REQ}/if`, { required: ['name'] }], [`${REQ}/then`, { required: ['tags'] }]]],
  ['request-body-dependent-required-added', [], [[`${REQ}/dependentRequired`, { name: ['tags'] }]]],
  ['request-body-dependent-schema-added', [], [[`${REQ}/dependentSchemas`, { name: { required: ['tags'] } }]]],
  ['request-body-pattern-property-added', [], [[`${REQ}/patternProperties`, { '^x-': { type: 'string' } }]]],
  ['request-body-property-names-added', [], [[`${REQ}/propertyNames`, { maxLength: 8 }]]],
  ['request-body-unevaluated-properties-added', [], [[`${REQ}/unevaluatedProperties`, false]]],
  ['request-body-prefix-items-removed', [[`${REQ}/properties/tags/prefixItems`, [{ type: 'string' }, { type: 'integer' }]]], [[`${REQ}/properties/tags/prefixItems`, [{ type: 'string' }]]]],
  ['request-property-content-encoding-changed', [[`${REQ}/properties/name/contentEncoding`, 'base64']], [[`${REQ}/properties/name/contentEncoding`, 'base32']]],
  ['request-property-content-schema-added', [[`${REQ}/properties/name/contentMediaType`, 'application/json']], [[`${REQ}/properties/name/contentMediaType`, 'application/json'], [`${REQ}/properties/name/contentSchema`, { type: 'object' }]]],
  ['response-success-status-removed', [[`${OP}/responses/201`, { description: 'created' }]], []],
  ['response-media-type-removed', [[`${OP}/responses/200/content/text~1plain`, { schema: { type: 'string' } }]], []],
  ['response-media-type-name-generalized', [], [[`${OP}/responses/200/content/application~1json`, undefined], [`${OP}/responses/200/content/application~1*`, { schema: { type: 'object' } }]]],
  ['response-body-media-type-schema-removed', [], [[RES, undefined]]],
  ['required-response-header-removed', [], [[HEADER, undefined]]],
  ['response-header-type-generalized', [], [[`${HEADER}/schema/type`, ['integer', 'string']]]],
  ['response-header-became-nullable', [], [[`${HEADER}/schema/type`, ['integer', 'null']]]],
  ['response-required-property-removed', [], [[`${RES}/properties/id`, undefined], [`${RES}/required`, undefined]]],
  ['response-property-became-optional', [], [[`${RES}/required`, undefined]]],
  ['response-property-became-nullable', [], [[`${RES}/properties/id/type`, ['string', 'null']]]],
  ['response-property-enum-value-added', [], [[`${RES}/properties/state/enum`, ['a', 'b', 'c']]]],
  ['response-property-type-generalized', [], [[`${RES}/properties/id/type`, ['string', 'integer']]]],
  ['response-body-any-of-added', [[`${RES}/properties/id`, { anyOf: [{ type: 'string' }] }]], [[`${RES}/properties/id`, { anyOf: [{ type: 'string' }, { type: 'integer' }] }]]],
  ['response-body-all-of-removed', [[`${RES}/allOf`, [{ properties: { extra: { type: 'string' } }, required: ['extra'] }]]], []],
  ['response-body-const-changed', [[`${RES}/properties/id/const`, 'k']], [[`${RES}/properties/id/const`, 'j']]],
  ['response-property-max-length-increased', [[`${RES}/properties/id/maxLength`, 3]], [[`${RES}/properties/id/maxLength`, 9]]],
  ['response-property-pattern-removed', [[`${RES}/properties/id/pattern`, '^[a-z]+$']], []],
  ['response-body-contains-removed', [[`${RES}/properties/list`, { type: 'array', contains: { const: 'x' } }]], [[`${RES}/properties/list`, { type: 'array' }]]],
  ['response-body-unevaluated-properties-removed', [[`${RES}/unevaluatedProperties`, false]], []],
  ['response-body-prefix-items-added', [[`${RES}/properties/list`, { type: 'array', prefixItems: [{ type: 'string' }] }]], [[`${RES}/properties/list`, { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }] }]]],
  ['response-required-property-became-not-write-only', [[`${RES}/properties/id/writeOnly`, true]], []],
];

describe('the upstat rule each row names', () => {
  it.each(EXAMPLES)('fires on an example of %s', (oasdiff, before, after) => {
    const row = rows.find((candidate) => candidate.oasdiff === oasdiff);
    expect(row, `${oasdiff} is not in docs/oasdiff-mapping.json`).toBeDefined();
    const reported = diffDocuments(edited(before), edited(after)).changes.map((change) => change.rule);
    expect(reported, `upstat's rules for the ${oasdiff} example`).toContain(row?.upstat);
  });
});

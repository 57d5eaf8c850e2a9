import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffDocuments, markdownReport } from '../src/diff/index.js';
import { applyPolicy, parseSunset, type PolicyChange, type PolicyOptions, type PolicyResult } from '../src/diff/policy.js';
import {
  DEFAULT_POLICY,
  findPolicyFile,
  loadPolicyFile,
  catalogueRuleIds,
  parsePolicy,
  POLICY_FILE_NAMES,
  POLICY_HELP,
  policyDefaultsMarkdown,
  PolicyConfigError,
  resolvePolicy,
} from '../src/diff/policy-config.js';
import { isObject, type JsonObject } from '../src/load.js';

const RULE_IDS = await catalogueRuleIds();

// Each test starts from one small document and changes a little of it: the old side declares deprecation, sunsets
// and stability levels, the new side removes or breaks something.

const TODAY = '2026-06-01';

function base(): JsonObject {
  return {
    openapi: '3.1.0',
    info: { title: 'Books', version: '1.0.0' },
    paths: {
      '/books': {
        get: {
          operationId: 'listBooks',
          parameters: [
            { name: 'q', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', enum: [10, 50] } },
          ],
          responses: { '200': { description: 'Books.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Book' } } } } },
        },
        post: {
          operationId: 'addBook',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/BookInput' } } } },
          responses: { '201': { description: 'Added.' } },
        },
      },
      '/books/{id}': {
        parameters: [{ $ref: '#/components/parameters/Id' }, { $ref: '#/components/parameters/Fields' }],
        get: { operationId: 'getBook', responses: { '200': { description: 'A book.' } } },
        delete: { operationId: 'deleteBook', responses: { '204': { description: 'Deleted.' } } },
      },
    },
    components: {
      parameters: {
        Id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        Fields: { name: 'fields', in: 'query', schema: { type: 'string' } },
      },
      schemas: {
        Book: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, title: { type: 'string' }, isbn: { type: 'string' } } },
        BookInput: { type: 'object', required: ['title'], properties: { title: { type: 'string' }, subtitle: { type: 'string' }, isbn: { type: 'string' } } },
      },
    },
  };
}

/** The object at `keys` in `document` (a test's typo fails loudly here, not as a confusing diff). */
function node(document: JsonObject, ...keys: (string | number)[]): JsonObject {
  let current: unknown = document;
  for (const key of keys) {
    current = Array.isArray(current) ? (current[Number(key)] as unknown) : isObject(current) ? current[String(key)] : undefined;
    if (current === undefined) throw new Error(`no ${keys.join('/')} in the test document`);
  }
  if (!isObject(current)) throw new Error(`${keys.join('/')} is not an object`);
  return current;
}

/** A copy of the base document, changed by `edit`. */
function documentWith(edit: (document: JsonObject) => void): JsonObject {
  const document = base();
  edit(document);
  return document;
}

const remove = (object: JsonObject, key: string) => Reflect.deleteProperty(object, key);
const listOf = (object: JsonObject, key: string): unknown[] => {
  const value = object[key];
  if (!Array.isArray(value)) throw new Error(`${key} is not a list`);
  return value;
};

function judged(before: JsonObject, after: JsonObject, options: PolicyOptions = {}): PolicyResult {
  return applyPolicy(diffDocuments(before, after), before, after, { today: TODAY, ...options });
}

function only(result: { changes: PolicyChange[] }, rule: string): PolicyChange {
  const matching = result.changes.filter((change) => change.rule === rule);
  expect(matching, `${rule} in ${JSON.stringify(result.changes, null, 2)}`).toHaveLength(1);
  return matching[0] as PolicyChange;
}

const deprecateListBooks = (extra: JsonObject) => (document: JsonObject) => Object.assign(node(document, 'paths', '/books', 'get'), { deprecated: true, ...extra });
const removeListBooks = documentWith((document) => remove(node(document, 'paths', '/books'), 'get'));

describe('deprecation and sunset', () => {
  it('removing a deprecated operation after its sunset is not breaking, keeps its rule and records the policy', () => {
    const before = documentWith(deprecateListBooks({ 'x-sunset': '2026-01-15' }));
    const raw = diffDocuments(before, removeListBooks);
    expect(only(raw, 'operation-removed').severity).toBe('breaking');
    const result = applyPolicy(raw, before, removeListBooks, { today: TODAY });
    const change = only(result, 'operation-removed');
    expect(change).toMatchObject({
      severity: 'non-breaking',
      pointer: '/paths/~1books/get',
      operation: 'GET /books',
      policy: { applied: 'sunset-passed', originalSeverity: 'breaking', originalBreaks: 'compile' },
    });
    expect(change.breaks).toBeUndefined();
    expect(change.message).toContain('Removed after its sunset on 2026-01-15');
    expect(change.message).toContain('operation GET /books');
    expect(result.summary).toEqual({ breaking: raw.summary.breaking - 1, nonBreaking: raw.summary.nonBreaking + 1, docsOnly: raw.summary.docsOnly });
    // What JSON output prints.
    expect((JSON.parse(JSON.stringify(result)) as PolicyResult).changes).toContainEqual(expect.objectContaining({ rule: 'operation-removed', policy: change.policy }));
    // The Markdown report counts and files it with the new severity.
    const report = markdownReport(result, 'old → new');
    expect(report).toContain(`**${result.summary.breaking} breaking**`);
    expect(report).toMatch(/### Non-breaking\n\n- \*\*non-breaking\*\* `operation-removed`/);
  });

  it('the sunset date itself counts as passed; the day before does not', () => {
    const before = documentWith(deprecateListBooks({ 'x-sunset': TODAY }));
    expect(only(judged(before, removeListBooks), 'operation-removed').severity).toBe('non-breaking');
    const dayBefore = only(judged(before, removeListBooks, { today: '2026-05-31' }), 'operation-removed');
    expect(dayBefore.severity).toBe('breaking');
    expect(dayBefore.message).toContain(`Removed before its sunset on ${TODAY}`);
  });

  it('removing a deprecated operation before its sunset stays breaking and says so', () => {
    const before = documentWith(deprecateListBooks({ 'x-sunset': '2027-06-30' }));
    const change = only(judged(before, removeListBooks), 'operation-removed');
    expect(change).toMatchObject({ severity: 'breaking', breaks: 'compile' });
    expect(change.policy).toBeUndefined();
    expect(change.message).toMatch(/Removed before its sunset on 2027-06-30 \(deprecated operation GET \/books\): breaking until then\./);
  });

  it('removing an operation that was not deprecated stays breaking, unchanged, even with an x-sunset (as oasdiff)', () => {
    const plain = base();
    const raw = diffDocuments(plain, removeListBooks);
    expect(applyPolicy(raw, plain, removeListBooks, { today: TODAY }).changes).toEqual(raw.changes);
    const sunsetOnly = documentWith((document) => Object.assign(node(document, 'paths', '/books', 'get'), { 'x-sunset': '2020-01-01' }));
    expect(only(judged(sunsetOnly, removeListBooks), 'operation-removed')).toEqual(only(diffDocuments(sunsetOnly, removeListBooks), 'operation-removed'));
  });

  it('deprecated without a sunset: breaking by default, downgraded when the policy says non-breaking', () => {
    const before = documentWith(deprecateListBooks({}));
    const strict = only(judged(before, removeListBooks), 'operation-removed');
    expect(DEFAULT_POLICY.deprecatedWithoutSunset).toBe('breaking');
    expect(strict.severity).toBe('breaking');
    expect(strict.message).toContain('Removed while deprecated without a sunset date (operation GET /books): breaking under the policy');
    const lenient = only(judged(before, removeListBooks, { policy: { deprecatedWithoutSunset: 'non-breaking' } }), 'operation-removed');
    expect(lenient).toMatchObject({ severity: 'non-breaking', policy: { applied: 'deprecated-without-sunset', originalSeverity: 'breaking' } });
  });

  it('afterSunset: breaking keeps a removal after its sunset breaking, and says why', () => {
    const before = documentWith(deprecateListBooks({ 'x-sunset': '2026-01-15' }));
    const change = only(judged(before, removeListBooks, { policy: { afterSunset: 'breaking' } }), 'operation-removed');
    expect(change.severity).toBe('breaking');
    expect(change.message).toContain('Removed after its sunset on 2026-01-15 (deprecated operation GET /books), but the policy keeps it breaking (afterSunset).');
  });

  it('an x-sunset that is not a date grants nothing, and the message quotes it', () => {
    const before = documentWith(deprecateListBooks({ 'x-sunset': 'soon' }));
    const change = only(judged(before, removeListBooks, { policy: { deprecatedWithoutSunset: 'non-breaking' } }), 'operation-removed');
    expect(change.severity).toBe('breaking');
    expect(change.message).toContain('its x-sunset "soon" is not a date');
  });

  it('reads x-sunset as a date, an RFC 3339 date-time (its date as written) or an HTTP date', () => {
    expect(parseSunset('2026-01-15')).toBe('2026-01-15');
    expect(parseSunset('2026-01-15T23:30:00-05:00')).toBe('2026-01-15');
    expect(parseSunset('2026-01-15T00:00:00.5Z')).toBe('2026-01-15');
    expect(parseSunset('Thu, 15 Jan 2026 23:59:59 GMT')).toBe('2026-01-15');
    expect(parseSunset(new Date(Date.UTC(2026, 0, 15)))).toBe('2026-01-15');
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-15', '15.01.2026', '2026-01-15T25:00:00Z', 'Fri, 15 Jan 2026 23:59:59 CET', '', 20260115, null]) {
      expect(parseSunset(bad), String(bad)).toBeUndefined();
    }
    const dateTime = documentWith(deprecateListBooks({ 'x-sunset': 'Thu, 15 Jan 2026 12:00:00 GMT' }));
    expect(only(judged(dateTime, removeListBooks), 'operation-removed').message).toContain('after its sunset on 2026-01-15');
  });

  it('a deprecated parameter removed after its sunset is not breaking; before it, it is', () => {
    const deprecateQ = (sunset: string) => (document: JsonObject) =>
      Object.assign(node(document, 'paths', '/books', 'get', 'parameters', 0), { deprecated: true, 'x-sunset': sunset });
    const after = documentWith((document) => listOf(node(document, 'paths', '/books', 'get'), 'parameters').shift());
    const passed = only(judged(documentWith(deprecateQ('2026-03-01')), after), 'request-parameter-removed');
    expect(passed).toMatchObject({ severity: 'non-breaking', pointer: '/paths/~1books/get/parameters/0', policy: { applied: 'sunset-passed' } });
    expect(passed.message).toContain('(deprecated query parameter `q`)');
    const pending = only(judged(documentWith(deprecateQ('2026-09-01')), after), 'request-parameter-removed');
    expect(pending.severity).toBe('breaking');
    expect(pending.message).toContain('Removed before its sunset on 2026-09-01 (deprecated query parameter `q`)');
  });

  it('a path-level parameter deprecated through its $ref target counts for every operation of the path', () => {
    const before = documentWith((document) => Object.assign(node(document, 'components', 'parameters', 'Fields'), { deprecated: true, 'x-sunset': '2026-02-01' }));
    const after = documentWith((document) => listOf(node(document, 'paths', '/books/{id}'), 'parameters').pop());
    const result = judged(before, after);
    const removed = result.changes.filter((change) => change.rule === 'request-parameter-removed');
    expect(removed.map((change) => change.operation).sort()).toEqual(['DELETE /books/{id}', 'GET /books/{id}']);
    for (const change of removed) {
      expect(change).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed' } });
      expect(change.message).toContain('(deprecated query parameter `fields`)');
    }
  });

  it('a deprecated property removed after its sunset is not breaking, in requests and responses; a plain one still breaks', () => {
    const before = documentWith((document) => {
      Object.assign(node(document, 'components', 'schemas', 'Book', 'properties', 'isbn'), { deprecated: true, 'x-sunset': '2026-04-01' });
      Object.assign(node(document, 'components', 'schemas', 'BookInput', 'properties', 'isbn'), { deprecated: true, 'x-sunset': '2026-04-01' });
    });
    const after = documentWith((document) => {
      remove(node(document, 'components', 'schemas', 'Book', 'properties'), 'isbn');
      remove(node(document, 'components', 'schemas', 'BookInput', 'properties'), 'isbn');
      remove(node(document, 'components', 'schemas', 'BookInput', 'properties'), 'subtitle');
    });
    const result = judged(before, after);
    const response = only(result, 'response-property-removed');
    expect(response).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed', originalSeverity: 'breaking' } });
    expect(response.message).toContain('Removed after its sunset on 2026-04-01 (deprecated property `isbn`)');
    const request = result.changes.filter((change) => change.rule === 'request-property-removed');
    expect(request.map((change) => [change.pointer.split('/').pop(), change.severity]).sort()).toEqual([
      ['isbn', 'non-breaking'],
      ['subtitle', 'breaking'],
    ]);
  });

  it('a deprecated component schema removed after its sunset is not breaking', () => {
    const before = documentWith((document) => {
      const schemas = node(document, 'components', 'schemas');
      schemas.Legacy = { type: 'object', deprecated: true, 'x-sunset': '2026-01-01' };
    });
    const change = only(judged(before, base()), 'component-schema-removed');
    expect(change).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed' } });
    expect(change.message).toContain('(deprecated schema `Legacy`)');
  });

  it('removing part of a deprecated operation after its sunset is not breaking; other breaking changes to it are', () => {
    const before = documentWith(deprecateListBooks({ 'x-sunset': '2026-01-15' }));
    const after = documentWith((document) => {
      const list = listOf(node(document, 'paths', '/books', 'get'), 'parameters');
      list.shift(); // q removed: part of the deprecated operation
      list.push({ name: 'shelf', in: 'query', required: true, schema: { type: 'string' } });
      node(document, 'paths', '/books', 'get', 'parameters', 0).schema = { type: 'integer', enum: [10] }; // limit: 50 removed
    });
    const result = judged(before, after);
    expect(only(result, 'request-parameter-removed')).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed' } });
    expect(only(result, 'request-enum-value-removed')).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed' } });
    const added = only(result, 'request-parameter-added-required');
    expect(added.severity).toBe('breaking');
    expect(added.policy).toBeUndefined();
  });

  it('deprecated beside a $ref (OpenAPI 3.1) counts, and so does removing part of a deprecated parameter', () => {
    const before = documentWith((document) => {
      const schemas = node(document, 'components', 'schemas');
      schemas.Isbn = { type: 'string', pattern: '^[0-9-]+$' };
      node(document, 'components', 'schemas', 'Book', 'properties').isbn = { $ref: '#/components/schemas/Isbn', deprecated: true, 'x-sunset': '2026-02-01' };
      Object.assign(node(document, 'paths', '/books', 'get', 'parameters', 1), { deprecated: true, 'x-sunset': '2026-02-01' });
    });
    const after = documentWith((document) => {
      node(document, 'components', 'schemas').Isbn = { type: 'string', pattern: '^[0-9-]+$' };
      remove(node(document, 'components', 'schemas', 'Book', 'properties'), 'isbn');
      node(document, 'paths', '/books', 'get', 'parameters', 1).schema = { type: 'integer', enum: [10] };
    });
    const result = judged(before, after);
    const property = only(result, 'response-property-removed');
    expect(property).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed' } });
    expect(property.message).toContain('(deprecated property `isbn`)');
    const enumValue = only(result, 'request-enum-value-removed');
    expect(enumValue).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed' } });
    expect(enumValue.message).toContain('(deprecated query parameter `limit`)');
  });

  it('a parameter is matched by name, not position: narrowing a plain one next to a removed deprecated one still breaks', () => {
    const before = documentWith((document) => Object.assign(node(document, 'paths', '/books', 'get', 'parameters', 0), { deprecated: true, 'x-sunset': '2026-01-01' }));
    const after = documentWith((document) => {
      const list = listOf(node(document, 'paths', '/books', 'get'), 'parameters');
      list.shift(); // q (deprecated, sunset passed) removed: limit is now first
      node(document, 'paths', '/books', 'get', 'parameters', 0).schema = { type: 'integer', enum: [10] };
    });
    const result = judged(before, after);
    expect(only(result, 'request-parameter-removed').severity).toBe('non-breaking');
    const narrowed = only(result, 'request-enum-value-removed');
    // A removal (here an enum value) points into the old document, where `limit` is the second parameter.
    expect(narrowed.pointer).toBe('/paths/~1books/get/parameters/1/schema/enum');
    expect(narrowed).toMatchObject({ severity: 'breaking', breaks: 'compile' });
    expect(narrowed.message).not.toContain('sunset');
  });

  it('leaves changes that are not breaking exactly as they were', () => {
    const before = documentWith(deprecateListBooks({ 'x-sunset': '2026-01-15', 'x-stability-level': 'draft' }));
    const after = documentWith((document) => {
      Object.assign(node(document, 'paths', '/books', 'get'), { deprecated: true, 'x-sunset': '2026-01-15', 'x-stability-level': 'draft', summary: 'List books.' });
      node(document, 'components', 'schemas', 'Book', 'properties').pages = { type: 'integer' };
    });
    const raw = diffDocuments(before, after);
    expect(raw.summary.breaking).toBe(0);
    expect(applyPolicy(raw, before, after, { today: TODAY })).toEqual(raw);
  });
});

describe('stability levels', () => {
  const requireShelf = (document: JsonObject) =>
    listOf(node(document, 'paths', '/books', 'get'), 'parameters').push({ name: 'shelf', in: 'query', required: true, schema: { type: 'string' } });
  const at = (level: unknown, where: 'operation' | 'path' = 'operation') => (document: JsonObject) => {
    node(document, ...(where === 'operation' ? ['paths', '/books', 'get'] : ['paths', '/books']))['x-stability-level'] = level;
  };
  const withLevel = (level: unknown, where?: 'operation' | 'path') =>
    [documentWith(at(level, where)), documentWith((document) => (at(level, where)(document), requireShelf(document)))] as const;

  for (const level of DEFAULT_POLICY.stabilityDowngrade) {
    it(`a breaking change to a ${level} operation is downgraded by default, and the message says why`, () => {
      const change = only(judged(...withLevel(level)), 'request-parameter-added-required');
      expect(change).toMatchObject({ severity: 'non-breaking', policy: { applied: 'stability-level', originalSeverity: 'breaking', originalBreaks: 'compile' } });
      expect(change.message).toContain(`Not breaking under the policy: operation GET /books is ${level} (x-stability-level).`);
    });
  }

  for (const level of ['beta', 'stable']) {
    it(`a breaking change to a ${level} operation stays breaking`, () => {
      const change = only(judged(...withLevel(level)), 'request-parameter-added-required');
      expect(change).toMatchObject({ severity: 'breaking', breaks: 'compile' });
      expect(change.policy).toBeUndefined();
    });
  }

  it('a level on the path item applies to its operations', () => {
    expect(only(judged(...withLevel('alpha', 'path')), 'request-parameter-added-required').severity).toBe('non-breaking');
  });

  it("the old document's level decides: relabelling a stable operation draft does not excuse breaking it", () => {
    const before = documentWith(at('stable'));
    const after = documentWith((document) => (at('draft')(document), requireShelf(document)));
    expect(only(judged(before, after), 'request-parameter-added-required').severity).toBe('breaking');
  });

  it('the downgraded levels are configurable', () => {
    expect(only(judged(...withLevel('beta'), { policy: { stabilityDowngrade: ['beta'] } }), 'request-parameter-added-required').severity).toBe('non-breaking');
    expect(only(judged(...withLevel('alpha'), { policy: { stabilityDowngrade: ['beta'] } }), 'request-parameter-added-required').severity).toBe('breaking');
    expect(only(judged(...withLevel('draft'), { policy: { stabilityDowngrade: [] } }), 'request-parameter-added-required').severity).toBe('breaking');
  });

  it('an unknown level is ignored, and the message says so', () => {
    const change = only(judged(...withLevel('experimental')), 'request-parameter-added-required');
    expect(change.severity).toBe('breaking');
    expect(change.message).toContain('The x-stability-level "experimental" of operation GET /books is not one of draft, alpha, beta, stable');
  });

  it('removing an alpha operation is not breaking either', () => {
    const before = documentWith(at('alpha'));
    expect(only(judged(before, removeListBooks), 'operation-removed')).toMatchObject({ severity: 'non-breaking', policy: { applied: 'stability-level' } });
  });
});

describe('policy files and flags', () => {
  const fixtures = fileURLToPath(new URL('./fixtures/policy/', import.meta.url));
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upstat-policy-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads YAML and JSON policy files', async () => {
    await expect(loadPolicyFile(join(fixtures, 'strict.yaml'))).resolves.toEqual({ afterSunset: 'breaking', stabilityDowngrade: ['draft'] });
    await expect(loadPolicyFile(join(fixtures, 'lenient.json'))).resolves.toEqual({ deprecatedWithoutSunset: 'non-breaking' });
  });

  it.each([
    ['unknown-key.yaml', /unknown-key\.yaml: unknown key "afterSunsett" \(expected one of afterSunset, deprecatedWithoutSunset, stabilityDowngrade, severity, accepted\)/],
    ['bad-level.json', /bad-level\.json: "stabilityDowngrade"\[1\]: "gamma" is not a stability level \(draft, alpha, beta, stable\)/],
    ['bad-outcome.yaml', /bad-outcome\.yaml: "deprecatedWithoutSunset": expected "breaking" or "non-breaking", got "maybe"/],
    ['not-json.json', /not-json\.json: not valid JSON/],
    ['list.yaml', /list\.yaml: expected an object with any of afterSunset, deprecatedWithoutSunset, stabilityDowngrade, severity, accepted/],
    ['missing.yaml', /missing\.yaml: cannot read policy file \(ENOENT\)/],
  ])('rejects %s, naming the file and what is wrong', async (name, message) => {
    const error: unknown = await loadPolicyFile(join(fixtures, name)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a level listed twice and a list that is not a list', () => {
    expect(() => parsePolicy({ stabilityDowngrade: ['alpha', 'alpha'] }, 'p.json', RULE_IDS)).toThrow('p.json: "stabilityDowngrade"[1]: "alpha" is listed twice');
    expect(() => parsePolicy({ stabilityDowngrade: 'alpha' }, 'p.json', RULE_IDS)).toThrow(/p\.json: "stabilityDowngrade": expected a list of stability levels/);
  });

  it('finds the policy file in the current directory; none is fine, two are an error', async () => {
    expect(findPolicyFile(dir)).toBeUndefined();
    const [json, yaml] = POLICY_FILE_NAMES;
    await writeFile(join(dir, json), JSON.stringify({ afterSunset: 'breaking' }));
    expect(findPolicyFile(dir)).toBe(join(dir, json));
    const resolved = await resolvePolicy({ today: TODAY }, { cwd: dir });
    expect(resolved).toEqual({ policy: { ...DEFAULT_POLICY, afterSunset: 'breaking' }, today: TODAY, file: join(dir, json), severity: [], accepted: [] });
    await writeFile(join(dir, yaml), 'afterSunset: breaking\n');
    expect(() => findPolicyFile(dir)).toThrow(`more than one policy file in ${dir}: ${join(dir, json)}, ${join(dir, yaml)}; keep one`);
  });

  it('flags override the file, setting by setting; the file overrides the defaults', async () => {
    const file = join(fixtures, 'strict.yaml');
    const fromFile = await resolvePolicy({ policy: file, today: TODAY }, { cwd: dir });
    expect(fromFile.policy).toEqual({ afterSunset: 'breaking', deprecatedWithoutSunset: DEFAULT_POLICY.deprecatedWithoutSunset, stabilityDowngrade: ['draft'] });
    const overridden = await resolvePolicy({ policy: file, 'after-sunset': 'non-breaking', 'stability-downgrade': 'alpha, beta', today: TODAY }, { cwd: dir });
    expect(overridden.policy).toEqual({ afterSunset: 'non-breaking', deprecatedWithoutSunset: DEFAULT_POLICY.deprecatedWithoutSunset, stabilityDowngrade: ['alpha', 'beta'] });
    expect((await resolvePolicy({ 'stability-downgrade': 'none' }, { cwd: dir })).policy.stabilityDowngrade).toEqual([]);
    // --policy wins over a file in the current directory.
    await writeFile(join(dir, POLICY_FILE_NAMES[0]), '{"afterSunset": "non-breaking"}');
    expect((await resolvePolicy({ policy: file }, { cwd: dir })).policy.afterSunset).toBe('breaking');
    // And what the flags set changes what the diff says.
    const before = documentWith(deprecateListBooks({ 'x-sunset': '2026-01-15' }));
    const strict = await resolvePolicy({ policy: file, today: TODAY }, { cwd: dir });
    expect(only(judged(before, removeListBooks, strict), 'operation-removed').severity).toBe('breaking');
    const flagged = await resolvePolicy({ policy: file, 'after-sunset': 'non-breaking', today: TODAY }, { cwd: dir });
    expect(only(judged(before, removeListBooks, flagged), 'operation-removed').severity).toBe('non-breaking');
  });

  it.each([
    [{ 'after-sunset': 'nope' }, '--after-sunset: expected "breaking" or "non-breaking", got "nope"'],
    [{ 'deprecated-without-sunset': '' }, '--deprecated-without-sunset: expected "breaking" or "non-breaking", got ""'],
    [{ 'stability-downgrade': 'draft,gamma' }, '--stability-downgrade[1]: "gamma" is not a stability level (draft, alpha, beta, stable)'],
    [{ today: '2026-02-30' }, '--today: expected a date as YYYY-MM-DD, got "2026-02-30"'],
    [{ today: 'yesterday' }, '--today: expected a date as YYYY-MM-DD, got "yesterday"'],
  ])('rejects bad flags, naming the flag: %o', async (flags, message) => {
    await expect(resolvePolicy(flags, { cwd: dir })).rejects.toThrow(message);
  });

  it('defaults to today in UTC', async () => {
    const { today } = await resolvePolicy({}, { cwd: dir });
    expect(today).toBe(new Date().toISOString().slice(0, 10));
    expect(() => applyPolicy({ changes: [], summary: { breaking: 0, nonBreaking: 0, docsOnly: 0 } }, base(), base(), { today: '01/06/2026' })).toThrow(PolicyConfigError);
  });

  it("the README's table and the help are rendered from DEFAULT_POLICY", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(policyDefaultsMarkdown());
    for (const [key, value] of Object.entries(DEFAULT_POLICY)) {
      const shown = Array.isArray(value) ? value.join(',') : String(value);
      expect(policyDefaultsMarkdown()).toContain(`| \`${key}\` |`);
      expect(POLICY_HELP).toContain(`(default ${shown})`);
    }
  });
});

describe('the policy extensions themselves (rules of the catalogue, src/diff/rules.ts)', () => {
  const rulesOf = (result: { changes: PolicyChange[] }) => result.changes.map((change) => change.rule).sort();
  const getBooks = (document: JsonObject) => node(document, 'paths', '/books', 'get');

  it('an x-sunset set to something that is not a date is breaking, where it is, not an extension change', () => {
    const before = documentWith(deprecateListBooks({}));
    const after = documentWith(deprecateListBooks({ 'x-sunset': '2026-13-01' }));
    const result = judged(before, after);
    expect(rulesOf(result)).toEqual(['sunset-invalid']);
    expect(only(result, 'sunset-invalid')).toMatchObject({ severity: 'breaking', breaks: 'runtime', pointer: '/paths/~1books/get/x-sunset', operation: 'GET /books' });
    expect(only(result, 'sunset-invalid').message).toContain('"2026-13-01" is not a date');
  });

  it('so is a malformed x-sunset on a parameter, and on an item that becomes deprecated while carrying one', () => {
    const after = documentWith((document) => {
      Object.assign(node(document, 'paths', '/books', 'get', 'parameters', 0), { deprecated: true, 'x-sunset': 'end of Q3' });
    });
    const result = judged(base(), after);
    expect(rulesOf(result)).toEqual(['deprecated-changed', 'sunset-invalid']);
    expect(only(result, 'sunset-invalid').pointer).toBe('/paths/~1books/get/parameters/0/x-sunset');
    // The same unreadable date, left as it was while the deprecation is set, is reported then.
    const carried = documentWith((document) => Object.assign(getBooks(document), { 'x-sunset': 'soon' }));
    expect(rulesOf(judged(carried, documentWith(deprecateListBooks({ 'x-sunset': 'soon' }))))).toEqual(['deprecated-changed', 'sunset-invalid']);
    // Left as it was on an item that stays deprecated, it was reported when it was set: not again.
    const kept = documentWith(deprecateListBooks({ 'x-sunset': 'soon' }));
    expect(judged(kept, documentWith(deprecateListBooks({ 'x-sunset': 'soon' }))).changes).toEqual([]);
  });

  it('removing x-sunset from a deprecated operation before the date is breaking; after it, the policy excuses it as it would the removal', () => {
    const withoutDate = documentWith(deprecateListBooks({}));
    const pending = only(judged(documentWith(deprecateListBooks({ 'x-sunset': '2027-01-01' })), withoutDate), 'sunset-removed');
    expect(pending).toMatchObject({ severity: 'breaking', breaks: 'runtime', pointer: '/paths/~1books/get/x-sunset', operation: 'GET /books' });
    expect(pending.message).toContain('Removed before its sunset on 2027-01-01 (deprecated operation GET /books)');
    const passed = only(judged(documentWith(deprecateListBooks({ 'x-sunset': '2026-01-01' })), withoutDate), 'sunset-removed');
    expect(passed).toMatchObject({ severity: 'non-breaking', policy: { applied: 'sunset-passed', originalSeverity: 'breaking', originalBreaks: 'runtime' } });
  });

  it('removing x-sunset together with the deprecation is an extension change, not sunset-removed', () => {
    const result = judged(documentWith(deprecateListBooks({ 'x-sunset': '2027-01-01' })), base());
    expect(rulesOf(result)).toEqual(['deprecated-changed', 'extension-changed']);
  });

  it('a deprecated parameter losing its x-sunset is found by name in the old document', () => {
    const deprecateQ = (extra: JsonObject) => (document: JsonObject) => Object.assign(node(document, 'paths', '/books', 'get', 'parameters', 0), { deprecated: true, ...extra });
    const change = only(judged(documentWith(deprecateQ({ 'x-sunset': '2026-02-01' })), documentWith(deprecateQ({}))), 'sunset-removed');
    expect(change).toMatchObject({ pointer: '/paths/~1books/get/parameters/0/x-sunset', severity: 'non-breaking', policy: { applied: 'sunset-passed' } });
    expect(change.message).toContain('(deprecated query parameter `q`)');
  });

  it('an x-stability-level set to an unknown level is breaking (the policy would ignore it), not an extension change', () => {
    const after = documentWith((document) => (getBooks(document)['x-stability-level'] = 'experimental'));
    const result = judged(base(), after);
    expect(rulesOf(result)).toEqual(['stability-level-invalid']);
    expect(only(result, 'stability-level-invalid')).toMatchObject({ severity: 'breaking', breaks: 'runtime', pointer: '/paths/~1books/get/x-stability-level', operation: 'GET /books' });
    expect(only(result, 'stability-level-invalid').message).toContain('"experimental"');
  });

  it('lowering a stable operation to alpha is breaking: it is what would let the next release break the operation unreported', () => {
    const level = (value: string) => documentWith((document) => (getBooks(document)['x-stability-level'] = value));
    const lowered = only(judged(level('stable'), level('alpha')), 'stability-level-decreased');
    expect(lowered).toMatchObject({ severity: 'breaking', breaks: 'runtime', pointer: '/paths/~1books/get/x-stability-level', operation: 'GET /books' });
    expect(lowered.message).toContain('lowered from "stable" to "alpha"');
    // An operation without a level counts as stable.
    expect(only(judged(base(), level('draft')), 'stability-level-decreased').severity).toBe('breaking');
    // An alpha operation was free to change already: lowering it to draft is excused by its (old) level.
    expect(only(judged(level('alpha'), level('draft')), 'stability-level-decreased')).toMatchObject({ severity: 'non-breaking', policy: { applied: 'stability-level' } });
    // Raising a level is an extension change.
    expect(rulesOf(judged(level('alpha'), level('stable')))).toEqual(['extension-changed']);
  });
});

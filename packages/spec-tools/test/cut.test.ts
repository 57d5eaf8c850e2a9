/**
 * The cut of a vendor's whole document to the operations a client covers, on a synthetic "whole document": many
 * operations, components shared between covered and uncovered ones, a `$ref` chain from the covered operation into a
 * shared enum, security schemes named globally and per operation, tags and webhooks. Then `check` on a throwaway
 * repository (the built CLI, as a child process): a change reaching the covered operation through the chain is
 * reported in full, changes elsewhere only in the one out-of-scope line, never in the exit code.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutToOperations, outOfScopeChanges, parseCover } from '../src/cut.js';
import { SpecToolError } from '../src/errors.js';
import { isObject, type JsonObject } from '../src/load.js';

const COVERED = 'GET /v1/uploads/{upload_id}';
type Json = JsonObject;

/** The object at a path of keys (keys may hold slashes, as paths do), failing loudly when there is none. */
function at(root: Json, ...keys: string[]): Json {
  let node: unknown = root;
  for (const key of keys) {
    node = isObject(node) ? node[key] : undefined;
    if (!isObject(node)) throw new Error(`no object at ${keys.join(' → ')}`);
  }
  return node as Json;
}
const keysAt = (root: Json, ...keys: string[]) => Object.keys(at(root, ...keys));
const enumOf = (root: Json) => at(root, 'components', 'schemas', 'StateEnum').enum as string[];

/** A vendor's whole document: the covered operation and 12 others, sharing components. */
function wholeDocument(): Json {
  const paths: Json = {
    '/v1/uploads': {
      get: { operationId: 'listUploads', tags: ['uploads'], responses: { '200': { description: 'Uploads.', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Upload' } } } } } } },
    },
    '/v1/uploads/{upload_id}': {
      summary: 'One upload',
      parameters: [{ $ref: '#/components/parameters/UploadId' }],
      get: {
        operationId: 'getUpload',
        tags: ['uploads'],
        security: [{ oauth: ['read'] }],
        responses: {
          '200': {
            description: 'The upload.',
            headers: { 'X-Rate-Limit': { $ref: '#/components/headers/RateLimit' } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Upload' }, examples: { done: { $ref: '#/components/examples/Done' } } } },
          },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
      delete: { operationId: 'deleteUpload', tags: ['admin'], responses: { '204': { description: 'Gone.' } } },
    },
  };
  for (let index = 0; index < 10; index++) {
    paths[`/v1/things${index}/{id}`] = {
      get: {
        operationId: `getThing${index}`,
        tags: ['things'],
        responses: { '200': { description: 'A thing.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } }, '404': { $ref: '#/components/responses/NotFound' } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Vendor API', version: '8.8.0' },
    servers: [{ url: 'https://api.vendor.example' }],
    security: [{ apiKey: [] }],
    tags: [{ name: 'admin' }, { name: 'uploads', description: 'Uploads.' }, { name: 'things' }],
    externalDocs: { url: 'https://docs.vendor.example' },
    'x-vendor': { generator: 'in-house' },
    paths,
    webhooks: { uploadDone: { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Upload' } } } }, responses: { '200': { description: 'ok' } } } } },
    components: {
      schemas: {
        Thing: { type: 'object', properties: { id: { type: 'string' }, owner: { $ref: '#/components/schemas/Owner' } } },
        Upload: { type: 'object', required: ['id', 'state'], properties: { id: { type: 'string' }, state: { $ref: '#/components/schemas/State' } } },
        State: { type: 'object', properties: { value: { $ref: '#/components/schemas/StateEnum' } } },
        StateEnum: { type: 'string', enum: ['uploading', 'done', 'failed'] },
        Owner: { type: 'object', properties: { name: { type: 'string' } } },
        Error: { type: 'object', properties: { message: { type: 'string' } } },
        Unused: { type: 'string' },
      },
      parameters: { UploadId: { name: 'upload_id', in: 'path', required: true, schema: { type: 'string' } }, Unused: { name: 'x', in: 'query' } },
      responses: { NotFound: { description: 'Not found.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
      headers: { RateLimit: { schema: { type: 'integer' } } },
      examples: { Done: { value: { id: 'u1', state: { value: 'done' } } } },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'Authorization' },
        basic: { type: 'http', scheme: 'basic' },
        oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://vendor.example/token', scopes: { read: 'Read.' } } } },
      },
    },
  };
}

const cut = (document: Json, covers: string[] = [COVERED]) => cutToOperations(document, covers, 'whole.json');
const thrown = (run: () => unknown): SpecToolError => {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecToolError) return error;
    throw error;
  }
  throw new Error('expected a SpecToolError');
};

describe('cutToOperations', () => {
  it('keeps the covered operation, its path item, everything it reaches and the schemes security names; drops the rest', () => {
    const result = cut(wholeDocument());
    expect(Object.keys(result)).toEqual(['openapi', 'info', 'servers', 'security', 'tags', 'externalDocs', 'x-vendor', 'paths', 'components']);
    expect(keysAt(result, 'paths')).toEqual(['/v1/uploads/{upload_id}']);
    // The other method of the same path is dropped; the path item's shared fields stay.
    expect(keysAt(result, 'paths', '/v1/uploads/{upload_id}')).toEqual(['summary', 'parameters', 'get']);
    expect(result.tags).toEqual([{ name: 'uploads', description: 'Uploads.' }]);
    expect(result.webhooks).toBeUndefined();
    // The chain Upload → State → StateEnum, the error response's schema, and nothing used only elsewhere.
    expect(keysAt(result, 'components', 'schemas')).toEqual(['Upload', 'State', 'StateEnum', 'Error']);
    expect(keysAt(result, 'components', 'parameters')).toEqual(['UploadId']);
    expect(keysAt(result, 'components', 'responses')).toEqual(['NotFound']);
    expect(keysAt(result, 'components', 'headers')).toEqual(['RateLimit']);
    expect(keysAt(result, 'components', 'examples')).toEqual(['Done']);
    // apiKey from the global security, oauth from the operation's; basic is used by nothing.
    expect(keysAt(result, 'components', 'securitySchemes')).toEqual(['apiKey', 'oauth']);
  });

  it('is deterministic and leaves its input alone', () => {
    const document = wholeDocument();
    const before = JSON.stringify(document);
    const first = JSON.stringify(cut(document));
    expect(JSON.stringify(cut(document))).toBe(first);
    expect(JSON.stringify(cut(wholeDocument()))).toBe(first);
    expect(JSON.stringify(document)).toBe(before);
  });

  it('keeps several covered operations, in the vendor order of their paths', () => {
    const result = cut(wholeDocument(), ['GET /v1/things3/{id}', COVERED]);
    expect(keysAt(result, 'paths')).toEqual(['/v1/uploads/{upload_id}', '/v1/things3/{id}']);
    expect(keysAt(result, 'components', 'schemas')).toEqual(['Thing', 'Upload', 'State', 'StateEnum', 'Owner', 'Error']);
    expect(result.tags).toEqual([{ name: 'uploads', description: 'Uploads.' }, { name: 'things' }]);
  });

  it('follows discriminator mappings, which name schemas by ref', () => {
    const document = wholeDocument();
    at(document, 'components', 'schemas').State = { oneOf: [{ $ref: '#/components/schemas/Owner' }], discriminator: { propertyName: 'kind', mapping: { owner: '#/components/schemas/Owner', thing: '#/components/schemas/Thing' } } };
    expect(keysAt(cut(document), 'components', 'schemas')).toEqual(['Thing', 'Upload', 'State', 'Owner', 'Error']);
  });

  it('names a covered operation the document does not have, with similar paths', () => {
    const missing = thrown(() => cut(wholeDocument(), ['GET /v1/upload/{upload_id}']));
    expect(missing.message).toContain('whole.json: covered operation GET /v1/upload/{upload_id} is not in the document');
    expect(missing.message).toMatch(/similar paths: .*\/v1\/uploads\/\{upload_id\}/);
    const method = thrown(() => cut(wholeDocument(), ['POST /v1/uploads/{upload_id}']));
    expect(method.message).toContain('covered operation POST /v1/uploads/{upload_id} is not in the document (the path has GET, DELETE only)');
    expect(thrown(() => cut(wholeDocument(), ['get-upload'])).message).toContain('expected "<METHOD> /path"');
    expect(thrown(() => cut(wholeDocument(), [])).message).toContain('no covered operations');
  });

  it('names a $ref to something missing, and a security scheme components lacks', () => {
    const document = wholeDocument();
    at(document, 'components', 'schemas', 'State', 'properties').value = { $ref: '#/components/schemas/Gone' };
    expect(thrown(() => cut(document)).message).toBe(
      'whole.json: unresolvable $ref "#/components/schemas/Gone" at /components/schemas/State/properties/value/$ref',
    );
    const scheme = wholeDocument();
    delete at(scheme, 'components', 'securitySchemes').oauth;
    expect(thrown(() => cut(scheme)).message).toContain('/paths/~1v1~1uploads~1{upload_id}/get/security names securitySchemes oauth');
    // A missing ref in an operation that is cut away does not matter.
    const elsewhere = wholeDocument();
    at(elsewhere, 'paths', '/v1/things0/{id}', 'get', 'responses')['500'] = { $ref: '#/components/responses/Gone' };
    expect(() => cut(elsewhere)).not.toThrow();
  });

  it('leaves external refs as they are', () => {
    const document = wholeDocument();
    at(document, 'components', 'schemas', 'Upload', 'properties').meta = { $ref: 'common.yaml#/Meta' };
    expect(at(cut(document), 'components', 'schemas', 'Upload', 'properties').meta).toEqual({ $ref: 'common.yaml#/Meta' });
  });

  it('refuses a local ref into an operation the cut drops, rather than leaving it dangling', () => {
    const document = wholeDocument();
    at(document, 'components', 'schemas', 'Upload', 'properties').owner = { $ref: '#/paths/~1v1~1things0~1{id}/get/responses/200/content/application~1json/schema' };
    expect(thrown(() => cut(document)).message).toContain('points outside components and outside the covered operations');
  });
});

describe('outOfScopeChanges', () => {
  it('counts operations outside the cut that were added, removed or changed, a shared component counting against each user', () => {
    const before = wholeDocument();
    const after = wholeDocument();
    delete at(after, 'paths')['/v1/things9/{id}'];
    at(after, 'paths')['/v1/new'] = { get: { responses: { '200': { description: 'New.' } } } };
    at(after, 'paths', '/v1/things0/{id}', 'get').summary = 'Changed';
    // Owner is used only through Thing: every remaining things operation changes, the covered one does not count.
    at(after, 'components', 'schemas', 'Owner', 'properties').email = { type: 'string' };
    expect(outOfScopeChanges(before, after, [COVERED])).toEqual({ added: 1, removed: 1, changed: 9 });
    // A change the covered operation sees also reaches the uncovered ones that share it (list uploads, the DELETE
    // on the same path, through the shared path parameter) — and never the covered one.
    const shared = wholeDocument();
    at(shared, 'components', 'parameters', 'UploadId').description = 'The upload.';
    enumOf(shared).push('paused');
    expect(outOfScopeChanges(before, shared, [parseCover(COVERED)])).toEqual({ added: 0, removed: 0, changed: 2 });
  });
});

describe('check on a whole vendor document (the built CLI)', () => {
  const cli = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));
  let work: string;
  let generated: { status: number | null; stdout: string; stderr: string };
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, ...args], { cwd: work, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });
  const write = async (name: string, document: Json) => {
    const path = join(work, name);
    await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
    return path;
  };

  beforeAll(async () => {
    // A throwaway repository: the vendored whole document, and a client package that covers one operation.
    work = await mkdtemp(join(tmpdir(), 'upstat-cut-'));
    await writeFile(join(work, 'pnpm-workspace.yaml'), 'packages: []\n');
    await mkdir(join(work, 'specs', 'vendor'), { recursive: true });
    await mkdir(join(work, 'packages', 'vendor'), { recursive: true });
    await write('specs/vendor/openapi.json', wholeDocument());
    await write('packages/vendor/package.json', { name: 'vendor-client', upstat: { covers: [COVERED] } });
    generated = await run('generate', join(work, 'specs/vendor'), '--out', join(work, 'packages/vendor'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('generate writes the cut effective spec into the covering package', async () => {
    expect(generated.stderr).toBe('');
    expect(generated.status).toBe(0);
    const effective = JSON.parse(await readFile(join(work, 'packages/vendor/openapi.json'), 'utf8')) as Json;
    expect(effective).toEqual(cut(wholeDocument()));
  });

  it('generate --covers cuts without a manifest', async () => {
    const out = join(work, 'downstream');
    const result = await run('generate', join(work, 'specs/vendor'), '--out', out, '--covers', 'GET /v1/things1/{id}');
    expect(result.status).toBe(0);
    const effective = JSON.parse(await readFile(join(out, 'openapi.json'), 'utf8')) as Json;
    expect(keysAt(effective, 'paths')).toEqual(['/v1/things1/{id}']);
    expect(await readFile(join(out, 'src/generated/openapi.ts'), 'utf8')).not.toContain('/v1/uploads');
  });

  it('reports a change reaching the covered operation through a $ref chain in full, and everything else in one line', async () => {
    const next = wholeDocument();
    enumOf(next).push('paused'); // covered, through Upload → State → StateEnum
    at(next, 'components', 'schemas', 'Owner', 'properties').email = { type: 'string' }; // 10 things operations
    delete at(next, 'paths')['/v1/uploads']; // removed (it used StateEnum too)
    at(next, 'paths')['/v1/extra'] = { get: { responses: { '200': { description: 'Extra.' } } } };
    const file = await write('next.json', next);
    const markdown = await run('check', 'vendor', file);
    expect(markdown.stderr).toBe('');
    expect(markdown.status).toBe(1);
    expect(markdown.stdout).toContain('**1 breaking**, 0 non-breaking, 0 docs-only.');
    expect(markdown.stdout).toContain("`response-enum-value-added` — response 200 (application/json) `state.value`: enum gained 'paused'");
    expect(markdown.stdout).toContain("12 operations outside this client's scope changed (1 added, 1 removed, 10 changed).");
    const json = await run('check', 'vendor', file, '--json');
    const report = JSON.parse(json.stdout) as { changes: { operation?: string }[]; outOfScope: unknown };
    expect(report.outOfScope).toEqual({ added: 1, removed: 1, changed: 10 });
    expect(report.changes.map((change) => change.operation)).toEqual([COVERED]);
  });

  it('exits 0 when only operations outside the cut change, however many', async () => {
    const next = wholeDocument();
    const paths = at(next, 'paths');
    for (const path of Object.keys(paths).filter((name) => name.startsWith('/v1/things'))) Reflect.deleteProperty(paths, path);
    at(next, 'components', 'schemas', 'Thing', 'properties', 'id').type = 'integer';
    const elsewhere = await run('check', 'vendor', await write('elsewhere.json', next), '--fail-on', 'docs-only');
    expect(elsewhere.status).toBe(0);
    expect(elsewhere.stdout).toContain('No changes.');
    expect(elsewhere.stdout).toContain("10 operations outside this client's scope changed (0 added, 10 removed, 0 changed).");
  });

  it('--covers overrides the manifest, and a covered operation missing from the new document exits 2 naming it', async () => {
    const overridden = await run('check', 'vendor', await write('same.json', wholeDocument()), '--covers', 'GET /v1/things1/{id}');
    // The committed effective spec covers the uploads operation only: against a cut to things1, that one is removed.
    expect(overridden.stdout).toContain('`operation-removed`');
    expect(overridden.stdout).toContain('`operation-added`');
    const next = wholeDocument();
    delete at(next, 'paths', '/v1/uploads/{upload_id}').get;
    const missing = await run('check', 'vendor', await write('missing.json', next));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`covered operation ${COVERED} is not in the document (the path has DELETE only)`);
  });
});

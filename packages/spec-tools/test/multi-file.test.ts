/**
 * Specs split over files (src/bundle.ts): local relative and URL `$ref`s are bundled into one document before
 * anything else sees it. The fixtures in test/fixtures/multi-file/ are a two-release spec split over nested files
 * (old/, new/), the same two releases written as single files (inline/), and one broken document per error
 * (errors/). URL refs are served from a loopback server; the CLI is the built bin, run as a child process.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSpec, bundleSpecText, hasExternalRefs } from '../src/bundle.js';
import { diffDocuments } from '../src/diff/classify.js';
import { loadSide, readSpecSource } from '../src/diff/load-side.js';
import type { SpecChange } from '../src/diff/types.js';
import { SpecToolError } from '../src/errors.js';
import { fetchSpec } from '../src/fetch.js';
import { loadDocument, mayReferOutside, type JsonObject } from '../src/load.js';
import { loadEffectiveSpec, locateSpecDir } from '../src/spec-dir.js';
import { compareSpec } from '../src/update.js';

const fixtures = fileURLToPath(new URL('./fixtures/multi-file/', import.meta.url));
const fixture = (path: string) => join(fixtures, path);
const bin = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));

const shape = ({ rule, severity, breaks, pointer, operation }: SpecChange) => ({ rule, severity, breaks, pointer, operation });
const changes = (before: JsonObject, after: JsonObject) =>
  diffDocuments(before, after)
    .changes.map(shape)
    .sort((a, b) => `${a.pointer} ${a.rule}`.localeCompare(`${b.pointer} ${b.rule}`));

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure, but it resolved');
}

// Loopback server: the fixtures under /files/, plus answers that fail in each way a URL ref can.
const requests: string[] = [];
let server: Server;
let base: string;
let scratch: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    if (path.startsWith('/files/')) {
      readFile(join(fixtures, decodeURIComponent(path.slice('/files/'.length).split('?')[0] ?? '')), 'utf8').then(
        (text) => {
          response.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/yaml' });
          response.end(text);
        },
        () => {
          response.writeHead(404, { 'content-type': 'text/plain' });
          response.end('not found');
        },
      );
    } else if (path === '/large.yaml') {
      response.writeHead(200, { 'content-type': 'application/yaml' });
      response.end(`description: ${'x'.repeat(4096)}\n`);
    } else if (path === '/slow.yaml') {
      // Headers, then nothing: only the time limit ends this.
      response.writeHead(200, { 'content-type': 'application/yaml' });
      response.write('type: ');
    } else if (path === '/example.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"fetched": true}');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  scratch = await mkdtemp(join(tmpdir(), 'upstat-multi-file-'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(scratch, { recursive: true, force: true });
});

/** A one-operation document whose 200 body schema is `$ref: <ref>`, written to the scratch directory. */
async function documentReferring(name: string, ref: string, extra: JsonObject = {}): Promise<string> {
  const document = {
    openapi: '3.1.0',
    info: { title: 'Refs', version: '1.0.0' },
    paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: ref } } } } } } } },
    ...extra,
  };
  const path = join(scratch, name);
  await writeFile(path, JSON.stringify(document, null, 2));
  return path;
}

describe('a spec split over files', () => {
  it('diffs to the same changes as the same two releases written as single files', async () => {
    const [oldSplit, newSplit] = await Promise.all([loadSide(fixture('old/openapi.yaml')), loadSide(fixture('new/openapi.yaml'))]);
    const [oldInline, newInline] = await Promise.all([loadSide(fixture('inline/old.yaml')), loadSide(fixture('inline/new.yaml'))]);
    const split = changes(oldSplit.document, newSplit.document);
    expect(split).toEqual(changes(oldInline.document, newInline.document));
    // And they are the changes made, each in a different referenced file (so none was silently left out).
    const seen = new Set(split.map((change) => `${change.operation ?? ''} ${change.rule}`));
    for (const expected of [
      'POST /pets request-constraint-tightened', // schemas/pet.yaml: minLength 1 → 3
      'GET /pets/{petId} response-enum-value-added', // schemas/status.yaml: + pending
      'POST /pets request-property-added-optional', // schemas/nested/owner.yaml: + email
      'GET /pets/{petId} response-property-added', // schemas/problem.json (via common.yaml): + detail
      'GET /pets/{petId} request-format-changed', // common.yaml: petId format uuid
    ]) {
      expect(seen).toContain(expected);
    }
  });

  it('keeps a cycle of schemas across files (pet ↔ owner) as local refs, and a document equal to itself', async () => {
    const { document } = await loadSide(fixture('old/openapi.yaml'));
    expect(hasExternalRefs(document)).toBe(false);
    const schemas = (document.components as { schemas: Record<string, JsonObject> }).schemas;
    expect(schemas.pet?.properties).toMatchObject({ owner: { $ref: '#/components/schemas/owner' } });
    expect(schemas.owner?.properties).toMatchObject({ pets: { items: { $ref: '#/components/schemas/pet' } } });
    expect(diffDocuments(document, document).changes).toEqual([]);
  });

  it('bundles the same way every time, without touching its input', async () => {
    const path = fixture('old/openapi.yaml');
    const input = parse(await readFile(path, 'utf8')) as JsonObject;
    const before = JSON.stringify(input);
    const first = await bundleSpec(input, path);
    const second = await bundleSpec(input, path);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(JSON.stringify(input)).toBe(before);
    expect(Object.keys((first.components as { schemas: JsonObject }).schemas).sort()).toEqual(['owner', 'pet', 'problem', 'status']);
  });

  it('leaves a single-file document alone (the same object: the bundler is not even loaded)', async () => {
    const document = parse(await readFile(fixture('inline/old.yaml'), 'utf8')) as JsonObject;
    expect(hasExternalRefs(document)).toBe(false);
    expect(await bundleSpec(document, fixture('inline/old.yaml'))).toBe(document);
  });

  it('resolves refs relative to a URL, to the same document as from files', async () => {
    const fromUrl = await loadSide(`${base}/files/old/openapi.yaml`);
    const fromFile = await loadSide(fixture('old/openapi.yaml'));
    expect(fromUrl.document).toEqual(fromFile.document);
  });

  it('fetch saves a split document bundled, its refs resolved against the URL', async () => {
    const fetched = await fetchSpec(`${base}/files/old/openapi.yaml`);
    const document = parse(fetched.text) as JsonObject;
    expect(hasExternalRefs(document)).toBe(false);
    expect(document).toEqual((await loadSide(fixture('old/openapi.yaml'))).document);
  });

  it('resolves absolute URL refs from a local file, fragments included', async () => {
    const path = await documentReferring('url-refs.json', `${base}/files/old/schemas/pet.yaml`, {
      components: { parameters: { Id: { $ref: `${base}/files/old/common.yaml#/components/parameters/PetId` } } },
    });
    const document = await loadDocument(path);
    expect(hasExternalRefs(document)).toBe(false);
    const components = document.components as { schemas: Record<string, JsonObject>; parameters: Record<string, JsonObject> };
    expect(components.schemas.pet?.required).toEqual(['name', 'status']);
    expect(components.parameters.Id).toEqual({ $ref: '#/components/parameters/PetId' });
    expect(components.parameters.PetId).toMatchObject({ name: 'petId', in: 'path' });
  });

  it('keeps an example externalValue as it is, and does not fetch it', async () => {
    const path = await documentReferring('external-value.json', './external-value-schema.yaml', {
      components: { examples: { Remote: { externalValue: `${base}/example.json` } } },
    });
    await writeFile(join(scratch, 'external-value-schema.yaml'), 'type: string\n');
    requests.length = 0;
    const document = await loadDocument(path);
    expect(requests).not.toContain('/example.json');
    expect(document.components).toMatchObject({ examples: { Remote: { externalValue: `${base}/example.json` } } });
    expect((document.components as { examples: { Remote: JsonObject } }).examples.Remote.value).toBeUndefined();
  });

  it('gives `update` a text that stands alone: the bundled document, in the format of the source', async () => {
    const source = await readSpecSource(fixture('new/openapi.yaml'));
    expect(parse(source.text)).toEqual(source.document);
    expect(source.text).not.toContain('./schemas/');
    expect(source.isJson).toBe(false);
    const json = await bundleSpecText({ document: source.document, text: 'unchanged', isJson: true }, fixture('new/openapi.yaml'));
    expect(json.text).toBe('unchanged'); // already bundled: nothing to do
  });
});

describe('check and generate with a spec split over files', () => {
  let root: string;

  beforeAll(async () => {
    // A throwaway repository: the vendor's spec directory holds the split old release; the committed effective spec
    // is the inlined old release; the client covers GET /pets/{petId}.
    root = join(scratch, 'repo');
    await mkdir(join(root, 'packages', 'pets'), { recursive: true });
    cpSync(fixture('old'), join(root, 'specs', 'pets'), { recursive: true });
    await writeFile(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    await writeFile(join(root, 'packages', 'pets', 'package.json'), JSON.stringify({ name: '@upstat/pets', upstat: { covers: ['GET /pets/{petId}'] } }));
  });

  it('the spec directory may be split: its effective spec is one document', async () => {
    const effective = await loadEffectiveSpec(locateSpecDir(join(root, 'specs', 'pets')), ['GET /pets/{petId}']);
    expect(hasExternalRefs(effective)).toBe(false);
    expect(Object.keys(effective.paths as JsonObject)).toEqual(['/pets/{petId}']);
    await writeFile(join(root, 'packages', 'pets', 'openapi.json'), JSON.stringify(effective, null, 2));
  });

  it('check of a split vendor release reports the covered changes and counts the rest', async () => {
    const comparison = await compareSpec({ root, provider: 'pets', source: fixture('new/openapi.yaml') });
    const rules = comparison.diff.changes.map((change) => `${change.operation ?? ''} ${change.rule}`);
    expect(rules).toContain('GET /pets/{petId} response-enum-value-added');
    expect(rules).toContain('GET /pets/{petId} request-format-changed');
    expect(rules.every((rule) => !rule.startsWith('POST /pets'))).toBe(true);
    expect(comparison.outOfScope).toEqual({ added: 0, removed: 0, changed: 1 });
  });
});

describe('errors in referenced files', () => {
  const errorCase = async (name: string) => failure(loadSide(fixture(`errors/${name}.yaml`)));
  const shown = (path: string) => relative(process.cwd(), fixture(path));

  it('a missing file: names the file and where the $ref to it is written', async () => {
    const error = await errorCase('missing');
    expect(error).toBeInstanceOf(SpecToolError);
    expect(error.message).toBe(
      `${shown('errors/missing.yaml')}: $ref "./nowhere/gone.yaml" at ${shown('errors/parts/refers-to-missing.yaml')}#/properties/gone: ` +
        `${shown('errors/parts/nowhere/gone.yaml')}: no such file`,
    );
  });

  it('a file that is not valid YAML: names it, the parser error and the $ref', async () => {
    const error = await errorCase('unparseable');
    expect(error).toBeInstanceOf(SpecToolError);
    expect(error.message).toContain(`$ref "./parts/broken.yaml" at ${shown('errors/unparseable.yaml')}#/paths/~1a/get/responses/200/content/application~1json/schema: `);
    expect(error.message).toContain(`${shown('errors/parts/broken.yaml')}: not valid YAML: `);
  });

  it('files that are only $refs to each other: names the cycle', async () => {
    const error = await errorCase('cycle');
    expect(error).toBeInstanceOf(SpecToolError);
    expect(error.message).toBe(
      `${shown('errors/cycle.yaml')}: $refs across files form a cycle that never reaches a definition: ` +
        `${shown('errors/parts/cycle-a.yaml')} → ${shown('errors/parts/cycle-b.yaml')} → ${shown('errors/parts/cycle-a.yaml')}`,
    );
  });

  it('a fragment that points at nothing: names the file and the fragment', async () => {
    const error = await errorCase('fragment');
    expect(error).toBeInstanceOf(SpecToolError);
    expect(error.message).toContain(`$ref "../old/common.yaml#/components/schemas/Nope" at ${shown('errors/fragment.yaml')}#/paths/`);
    expect(error.message).toContain(`${shown('old/common.yaml')} has nothing at #/components/schemas/Nope`);
  });

  it('a URL that answers 404: names the URL and the status, never its credentials or query', async () => {
    const path = await documentReferring('url-404.json', `http://reader:s3cret@${base.slice('http://'.length)}/missing.yaml?token=t0ken#/Pet`);
    const error = await failure(loadDocument(path));
    expect(error).toBeInstanceOf(SpecToolError);
    expect(error.message).toContain(`${base}/missing.yaml?…: HTTP 404`);
    expect(error.message).toContain('$ref "http://127.0.0.1:');
    expect(error.message).not.toMatch(/s3cret|t0ken|reader/);
  });

  it('the number of files one document pulls in is bounded', async () => {
    const path = fixture('old/openapi.yaml');
    const error = await failure(bundleSpec(parse(await readFile(path, 'utf8')) as JsonObject, path, { maxDocuments: 2 }));
    expect(error).toBeInstanceOf(SpecToolError);
    expect(error.message).toContain('not read: more than 2 files and URLs referenced');
  });

  it('URL refs are bounded in size and time', async () => {
    const large = await documentReferring('url-large.json', `${base}/large.yaml`);
    const document = JSON.parse(await readFile(large, 'utf8')) as JsonObject;
    const tooLarge = await failure(bundleSpec(document, large, { maxBytes: 1024 }));
    expect(tooLarge.message).toContain(`${base}/large.yaml: the document is more than the limit of 1024 bytes`);
    const slow = await documentReferring('url-slow.json', `${base}/slow.yaml`);
    const started = Date.now();
    const tooSlow = await failure(bundleSpec(JSON.parse(await readFile(slow, 'utf8')) as JsonObject, slow, { timeoutMs: 300 }));
    expect(tooSlow).toBeInstanceOf(SpecToolError);
    expect(tooSlow.message).toContain(`${base}/slow.yaml: cannot fetch (no complete answer within`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('upstat-spec diff with split specs (built bin)', () => {
  // Records, at exit, whether the bundler was loaded: a single-file diff must not pay for it.
  const probe = join(tmpdir(), `upstat-bundler-probe-${process.pid}.mjs`);

  beforeAll(async () => {
    await writeFile(
      probe,
      [
        "import { createRequire } from 'node:module';",
        'const cache = createRequire(import.meta.url).cache;',
        "process.on('exit', () => process.stderr.write(`bundler loaded: ${Object.keys(cache).some((key) => /@redocly[+/]openapi-core/.test(key))}\\n`));",
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(probe, { force: true });
  });

  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', probe, bin, ...args], { cwd: fixtures, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
  }

  it('reports the breaking changes made in referenced files and exits 1; the same as the inlined releases', async () => {
    expect(existsSync(bin)).toBe(true);
    const split = await run(['diff', 'old/openapi.yaml', 'new/openapi.yaml', '--json']);
    expect(split.code).toBe(1);
    expect(split.stderr).toContain('bundler loaded: true');
    const inline = await run(['diff', 'inline/old.yaml', 'inline/new.yaml', '--json']);
    expect(inline.code).toBe(1);
    expect(inline.stderr).toContain('bundler loaded: false');
    const rules = (stdout: string) => (JSON.parse(stdout) as { changes: SpecChange[] }).changes.map((change) => `${change.pointer} ${change.rule}`).sort();
    expect(rules(split.stdout)).toEqual(rules(inline.stdout));
    expect(rules(split.stdout)).toContain('/paths/~1pets/post/requestBody/content/application~1json/schema/properties/name/minLength request-constraint-tightened');
  });

  it('a missing referenced file exits 2 naming it', async () => {
    const result = await run(['diff', 'old/openapi.yaml', 'errors/missing.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('errors/parts/nowhere/gone.yaml: no such file');
    expect(result.stdout).toBe('');
  });
});

describe('the quick look at the text before the walk (mayReferOutside)', () => {
  it('says "maybe" for every fixture file whose parsed document has an external $ref, and "no" for one with none', async () => {
    const dir = fileURLToPath(new URL('fixtures/multi-file/', import.meta.url));
    const files = (await import('node:fs')).readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => /\.(ya?ml|json)$/.test(file));
    let external = 0;
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8');
      let parsed: unknown;
      try {
        parsed = parse(text);
      } catch {
        continue;
      }
      if (hasExternalRefs(parsed)) {
        external += 1;
        expect(mayReferOutside(text), file).toBe(true);
      }
    }
    expect(external).toBeGreaterThan(0);
    expect(mayReferOutside(JSON.stringify({ a: { $ref: '#/b' }, b: { $ref: '#/c' } }, null, 2))).toBe(false);
    expect(mayReferOutside("a:\n  $ref: '#/b'\nb:\n  $ref: \"#/c\"\n")).toBe(false);
  });

  it.each([
    ['a JSON file ref', '{"a": {"$ref": "other.json#/x"}}'],
    ['a YAML file ref', 'a:\n  $ref: other.yaml#/x\n'],
    ['a value on the next line', 'a:\n  $ref:\n    other.yaml\n'],
    ['a YAML alias as the value', 'x: &x other.yaml\na:\n  $ref: *x\n'],
    ['a block scalar as the value', 'a:\n  $ref: |-\n    other.yaml\n'],
    ['a key written with an escape (JSON)', '{"a": {"\\u0024ref": "other.json"}}'],
    ['a key written with an escape (YAML)', 'a:\n  "\\x24ref": other.yaml\n'],
  ])('says "maybe" for %s, which the walk then decides', (_label, text) => {
    expect(mayReferOutside(text)).toBe(true);
    expect(hasExternalRefs(parse(text))).toBe(true);
  });
});


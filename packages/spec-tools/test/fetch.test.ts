/**
 * `upstat-spec fetch` against documents served from a real loopback server (never the internet): the built CLI on a
 * throwaway repository for the command, `fetchSpec` for the limits that would take long at their defaults (size,
 * time).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutToOperations } from '../src/cut.js';
import { SpecToolError } from '../src/errors.js';
import { fetchSpec, publishedAt } from '../src/fetch.js';

const cli = fileURLToPath(new URL('../bin/upstat-spec.js', import.meta.url));
const COVERED = 'GET /v1/uploads/{id}';

function vendorDocument(version: string, states: string[]) {
  return {
    openapi: '3.0.3',
    info: { title: 'Vendor', version },
    paths: {
      '/v1/uploads/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Upload' } } } } },
        },
      },
      '/v1/other': { get: { responses: { '200': { description: 'ok' } } } },
    },
    components: { schemas: { Upload: { type: 'object', properties: { state: { type: 'string', enum: states } } } } },
  };
}

const current = vendorDocument('1.0.0', ['uploading', 'done']);
const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
  '/same.json': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(current));
  },
  '/breaking.yaml': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/yaml' });
    const next = vendorDocument('1.1.0', ['uploading', 'done', 'paused']);
    response.end(stringify({ ...next, paths: { ...next.paths, '/v1/more': { get: { responses: { '200': { description: 'ok' } } } } } }));
  },
  '/moved': (_request, response) => {
    response.writeHead(302, { location: '/same.json' });
    response.end();
  },
  '/loop': (_request, response) => {
    response.writeHead(302, { location: '/loop' });
    response.end();
  },
  '/not-openapi.json': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ swagger: '2.0', info: {}, paths: {} }));
  },
  '/html': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html><body>Sign in</body></html>');
  },
  '/large-declared': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) });
    response.end('{');
  },
  '/large-chunked': (_request, response) => {
    // No content-length: the limit must hold while reading.
    response.writeHead(200, { 'content-type': 'application/json' });
    const chunk = ' '.repeat(64 * 1024);
    let sent = 0;
    const push = () => {
      if (sent >= 64 || response.destroyed) {
        response.end();
        return;
      }
      sent++;
      response.write(chunk, push);
    };
    push();
  },
  '/private.json': (request, response) => {
    const expected = `Basic ${Buffer.from('user:s3cret').toString('base64')}`;
    response.writeHead(request.headers.authorization === expected ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(current));
  },
  '/hang': () => {
    // Never answers.
  },
};

let server: Server;
let base: string;
let work: string;

const run = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: work, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes[(request.url ?? '').split('?')[0] ?? ''];
    if (route) route(request, response);
    else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // A throwaway repository: a vendored whole document whose PROVENANCE.md says where it is published, and a client
  // package covering one of its operations, with its committed effective spec.
  work = await mkdtemp(join(tmpdir(), 'upstat-fetch-'));
  await writeFile(join(work, 'pnpm-workspace.yaml'), 'packages: []\n');
  for (const dir of ['specs/vendor', 'packages/vendor', 'specs/unpublished']) await mkdir(join(work, dir), { recursive: true });
  await writeFile(join(work, 'specs/vendor/openapi.json'), JSON.stringify(current, null, 2));
  await writeFile(join(work, 'specs/vendor/PROVENANCE.md'), `# Vendor\n\n- **Origin:** vendored\n- **Published at:** ${base}/same.json\n`);
  await writeFile(join(work, 'specs/unpublished/PROVENANCE.md'), '# Unpublished\n\n- **Origin:** vendored\n');
  await writeFile(join(work, 'packages/vendor/package.json'), JSON.stringify({ name: 'vendor', upstat: { covers: [COVERED] } }));
  await writeFile(join(work, 'packages/vendor/openapi.json'), JSON.stringify(cutToOperations(current, [COVERED]), null, 2));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

describe('upstat-spec fetch', () => {
  it('downloads from the Published at URL, saves under .fetched, runs check and says how to apply it', async () => {
    const result = await run('fetch', 'vendor');
    expect(result.stderr).toContain(`fetched ${base}/same.json (`);
    expect(result.stderr).toContain('to specs/vendor/.fetched/openapi.json');
    expect(result.stderr).toContain('to apply it: pnpm spec:update vendor specs/vendor/.fetched/openapi.json');
    expect(result.stdout).toContain('No changes.');
    expect(result.stdout).toContain("0 operations outside this client's scope changed (0 added, 0 removed, 0 changed).");
    expect(result.status).toBe(0);
    expect(JSON.parse(await readFile(join(work, 'specs/vendor/.fetched/openapi.json'), 'utf8'))).toEqual(current);
  });

  it('takes --url, keeps YAML as YAML (one file in .fetched), and exits 1 on a breaking change with the same report as check', async () => {
    const result = await run('fetch', 'vendor', '--url', `${base}/breaking.yaml`, '--json');
    expect(result.status).toBe(1);
    expect(await readdir(join(work, 'specs/vendor/.fetched'))).toEqual(['openapi.yaml']);
    const report = JSON.parse(result.stdout) as { summary: unknown; outOfScope: unknown };
    expect(report.summary).toEqual({ breaking: 1, nonBreaking: 0, docsOnly: 1 });
    expect(report.outOfScope).toEqual({ added: 1, removed: 0, changed: 0 });
    const check = await run('check', 'vendor', 'specs/vendor/.fetched/openapi.yaml', '--json');
    expect(check.status).toBe(1);
    expect(JSON.parse(check.stdout)).toEqual(report);
  });

  it('follows a redirect and writes to --out', async () => {
    const result = await run('fetch', 'vendor', '--url', `${base}/moved`, '--out', 'here/vendor.json');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`fetched ${base}/same.json`);
    expect(existsSync(join(work, 'here/vendor.json'))).toBe(true);
  });

  it.each([
    ['a 404', '/missing.json', 'HTTP 404'],
    ['a document that is not OpenAPI 3', '/not-openapi.json', 'not an OpenAPI 3.0/3.1 document (the "openapi" field is missing)'],
    ['an HTML page', '/html', 'expected a JSON/YAML object at the top level'],
    ['a redirect loop', '/loop', 'more than 5 redirects'],
  ])('exits 2 on %s, saying which, and saves nothing', async (_label, path, message) => {
    await rm(join(work, 'specs/vendor/.fetched'), { recursive: true, force: true });
    const result = await run('fetch', 'vendor', '--url', `${base}${path}`);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(existsSync(join(work, 'specs/vendor/.fetched'))).toBe(false);
  });

  it('exits 2 when PROVENANCE.md records no Published at URL, saying how to go on', async () => {
    const result = await run('fetch', 'unpublished');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('specs/unpublished/PROVENANCE.md records no "- **Published at:** <url>"');
    expect(result.stderr).toContain('Pass --url <url>');
  });

  it('never prints credentials or a query string of the URL', async () => {
    const result = await run('fetch', 'vendor', '--url', `http://user:s3cret@127.0.0.1:${new URL(base).port}/missing.json?token=t0ken`);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${base}/missing.json?…: HTTP 404`);
    expect(result.stderr).not.toMatch(/s3cret|t0ken|user/);
  });

  it('sends credentials in the URL as Basic auth', async () => {
    const result = await run('fetch', 'vendor', '--url', `http://user:s3cret@127.0.0.1:${new URL(base).port}/private.json`);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`fetched ${base}/private.json`);
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret');
  });

  it('published lists the spec directories with a Published at URL', async () => {
    const result = await run('published');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['vendor']);
  });
});

describe('fetchSpec limits', () => {
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(SpecToolError);
    return (error as SpecToolError).message;
  };

  it('refuses a document over the size limit, declared or streamed', async () => {
    expect(await failure(fetchSpec(`${base}/large-declared`, { maxBytes: 1024 * 1024 }))).toBe(
      `${base}/large-declared: the document is 2097152 bytes, more than the limit of 1048576`,
    );
    expect(await failure(fetchSpec(`${base}/large-chunked`, { maxBytes: 1024 * 1024 }))).toBe(
      `${base}/large-chunked: the document is more than the limit of 1048576 bytes`,
    );
  });

  it('gives up on a server that never answers', async () => {
    const started = Date.now();
    expect(await failure(fetchSpec(`${base}/hang`, { timeoutMs: 300 }))).toBe(`${base}/hang: cannot fetch (no complete answer within 300 ms)`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses what is not http(s), and names a refused connection', async () => {
    expect(await failure(fetchSpec('file:///etc/passwd'))).toBe('file:///etc/passwd: only http(s) URLs can be fetched');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await failure(fetchSpec(`http://127.0.0.1:${port}/x.json`))).toBe(`http://127.0.0.1:${port}/x.json: cannot fetch (ECONNREFUSED)`);
  });

  it('reads the Published at field', () => {
    expect(publishedAt('- **Origin:** vendored\n- **Published at:** <https://example.com/openapi.json>\n')).toBe('https://example.com/openapi.json');
    expect(publishedAt('- **Published at:** https://example.com/a.yaml')).toBe('https://example.com/a.yaml');
    expect(publishedAt('- **Source:** a page')).toBeUndefined();
  });
});

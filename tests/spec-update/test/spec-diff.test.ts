/** `spec:diff` and `spec:check` against this repository's specs (read-only: new specs go to a temp dir). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, snapshot } from '@upstat/test-support';
import { PANDADOC_COVERED, wholePandadoc } from '../src/whole-document.js';

const work = mkdtempSync(join(tmpdir(), 'upstat-spec-diff-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The CLI the root scripts run (`pnpm spec:diff` = `upstat-spec diff`), from the repository root. */
function upstatSpec(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Asynchronous, so a server in this process (the URL test) can answer while the CLI runs.
    execFile(process.execPath, [join(repoRoot, 'packages/spec-tools/bin/upstat-spec.js'), ...args], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

interface JsonReport {
  changes: { rule: string; severity: string; breaks?: string; pointer: string; operation?: string }[];
  summary: { breaking: number; nonBreaking: number; docsOnly: number };
}

interface PandaDoc {
  components: { schemas: { UploadSectionStatusEnum: { enum: string[] }; UploadSectionStatusResponse: { properties: { name: { example: string } } } } };
  paths: Record<string, { get: { summary: string; description: string } }>;
}
const pandadocPath = join(repoRoot, 'specs/pandadoc/openapi.json');
const pandadoc = () => JSON.parse(readFileSync(pandadocPath, 'utf8')) as PandaDoc;
const OPERATION = '/public/v1/documents/{document_id}/sections/uploads/{upload_id}';

function write(name: string, document: unknown): string {
  const path = join(work, name);
  writeFileSync(path, name.endsWith('.json') ? JSON.stringify(document, null, 2) : stringify(document));
  return path;
}

describe('spec:diff (acceptance)', () => {
  it('reports no changes between the PandaDoc spec and itself', async () => {
    const run = await upstatSpec('diff', 'specs/pandadoc/openapi.json', 'specs/pandadoc/openapi.json');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('No changes.');
  });

  it('reports exactly one breaking change, at the enum, when the status enum gains a value', async () => {
    const changed = pandadoc();
    changed.components.schemas.UploadSectionStatusEnum.enum.push('document_sections_upload.PAUSED');
    const file = write('pandadoc-enum.json', changed);
    const markdown = await upstatSpec('diff', 'specs/pandadoc/openapi.json', file);
    expect(markdown.status).toBe(1);
    expect(markdown.stdout).toContain('**1 breaking**, 0 non-breaking, 0 docs-only.');
    const json = await upstatSpec('diff', 'specs/pandadoc/openapi.json', file, '--json');
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.summary).toEqual({ breaking: 1, nonBreaking: 0, docsOnly: 0 });
    expect(report.changes).toEqual([
      expect.objectContaining({
        rule: 'response-enum-value-added',
        severity: 'breaking',
        breaks: 'compile',
        operation: `GET ${OPERATION}`,
        pointer: '/paths/~1public~1v1~1documents~1{document_id}~1sections~1uploads~1{upload_id}/get/responses/200/content/application~1json/schema/properties/status/enum',
      }),
    ]);
  });

  it('reports docs-only changes and exits 0 when only descriptions and examples change', async () => {
    const changed = pandadoc();
    const operation = changed.paths[OPERATION]?.get;
    if (operation === undefined) throw new Error('operation missing');
    operation.description = 'Receive the status of a section upload.';
    operation.summary = 'Section upload status';
    changed.components.schemas.UploadSectionStatusResponse.properties.name.example = 'Another section';
    const run = await upstatSpec('diff', 'specs/pandadoc/openapi.json', write('pandadoc-docs.yaml', changed), '--json');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.summary).toEqual({ breaking: 0, nonBreaking: 0, docsOnly: 3 });
    expect(report.changes.map((change) => change.rule).sort()).toEqual(['description-changed', 'example-changed', 'summary-changed']);
  });

  it('takes a provider name (its committed effective spec) and an http(s) URL as sides', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(readFileSync(join(repoRoot, 'packages/pandadoc/openapi.json')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`;
      const run = await upstatSpec('diff', 'pandadoc', url);
      expect(run.stdout).toContain('No changes.');
      expect(run.status).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('--fail-on non-breaking makes a new optional field fail the run', async () => {
    const changed = parse(readFileSync(join(repoRoot, 'specs/sendai/openapi.yaml'), 'utf8')) as {
      components: { schemas: { Upload: { properties: Record<string, unknown> } } };
    };
    changed.components.schemas.Upload.properties.pages = { type: 'integer' };
    const file = write('sendai-field.yaml', changed);
    expect((await upstatSpec('diff', 'sendai', file)).status).toBe(0);
    expect((await upstatSpec('diff', 'sendai', file, '--fail-on', 'non-breaking')).status).toBe(1);
  });

  it.each([
    ['an unreadable file', ['diff', 'specs/pandadoc/openapi.json', 'no/such/file.yaml'], 'no/such/file.yaml: cannot read file'],
    ['a document that is not OpenAPI', ['diff', 'specs/pandadoc/openapi.json', 'package.json'], 'package.json: not an OpenAPI 3.0/3.1 document'],
    ['an unknown side', ['diff', 'nosuchprovider', 'pandadoc'], 'nosuchprovider: not a readable file, an http(s) URL, or a provider name'],
    ['a bad --fail-on', ['diff', 'pandadoc', 'pandadoc', '--fail-on', 'sometimes'], '--fail-on must be one of'],
  ])('exits 2 on %s, saying which', async (_label, args, message) => {
    const run = await upstatSpec(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('exits 2 on an unresolvable $ref, naming it', async () => {
    const broken = pandadoc() as unknown as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
    const operation = broken.paths[OPERATION]?.get;
    if (operation === undefined) throw new Error('operation missing');
    operation.responses['500'] = { $ref: '#/components/responses/500' };
    const run = await upstatSpec('diff', 'pandadoc', write('broken.json', broken));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unresolvable $ref "#/components/responses/500"');
  });
});

describe('spec:check', () => {
  const watched = ['specs', 'packages/pandadoc/src/generated', 'packages/nullspace/src/generated'];

  it('prints the diff between the committed effective spec and a new vendor spec, writing nothing', async () => {
    const before = snapshot(repoRoot, watched);
    const unchanged = await upstatSpec('check', 'pandadoc', 'specs/pandadoc/openapi.json');
    expect(unchanged.stdout).toContain('No changes.');
    expect(unchanged.status).toBe(0);

    const changed = pandadoc();
    changed.components.schemas.UploadSectionStatusEnum.enum.push('document_sections_upload.PAUSED');
    const run = await upstatSpec('check', 'pandadoc', write('pandadoc-check.json', changed));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('`response-enum-value-added`');
    expect(snapshot(repoRoot, watched)).toEqual(before);
  });

  it('fails, naming the action, when the overlay no longer applies to the new spec', async () => {
    const changed = parse(readFileSync(join(repoRoot, 'specs/nullspace/openapi.yaml'), 'utf8')) as {
      paths: Record<string, { get: { responses: Record<string, { content?: unknown }> } }>;
    };
    const ok = changed.paths['/v1/sandboxes/{id}/uploads/{upload_id}']?.get.responses['200'];
    if (ok === undefined) throw new Error('200 missing');
    delete ok.content;
    const run = await upstatSpec('check', 'nullspace', write('nullspace-no-content.yaml', changed));
    expect(run.status).toBe(2);
    // Both of the overlay's actions (the named scenario examples, and the removal of the vendor's incomplete sample)
    // target the 200 response's content.
    expect(run.stderr).toContain('2 overlay action(s) matched nothing');
    expect(run.stderr).toContain("#1 $.paths['/v1/sandboxes/{id}/uploads/{upload_id}'].get.responses['200'].content['application/json']");
    expect(run.stderr).toContain("#2 $.paths['/v1/sandboxes/{id}/uploads/{upload_id}'].get.responses['200'].content['application/json'].example");
  });
});

describe('spec:check with the vendor\'s whole document', () => {
  it('reports the covered operation in full and the rest in one line, outside the exit code', async () => {
    const file = write('pandadoc-whole.json', wholePandadoc(repoRoot, { coveredChange: true }));
    const markdown = await upstatSpec('check', 'pandadoc', file);
    expect(markdown.stderr).toBe('');
    expect(markdown.status).toBe(0);
    expect(markdown.stdout).toContain('**0 breaking**, 1 non-breaking, 1 docs-only.');
    expect(markdown.stdout).toContain("95 operations outside this client's scope changed (95 added, 0 removed, 0 changed).");
    expect(markdown.stdout).toContain('`page_count`');
    expect(markdown.stdout).not.toContain('templates');
    const json = JSON.parse((await upstatSpec('check', 'pandadoc', file, '--json')).stdout) as JsonReport & { outOfScope: unknown };
    expect(json.outOfScope).toEqual({ added: 95, removed: 0, changed: 0 });
    expect(new Set(json.changes.map((change) => change.operation ?? 'document'))).toEqual(new Set(['document', PANDADOC_COVERED]));
  });

  it('exits 0 even at --fail-on docs-only when only operations outside the client change', async () => {
    const file = write('pandadoc-outside.json', wholePandadoc(repoRoot, { version: '7.18.2', outsideChange: true }));
    const run = await upstatSpec('check', 'pandadoc', file, '--fail-on', 'docs-only');
    expect(run.stdout).toContain('No changes.');
    expect(run.stdout).toContain("95 operations outside this client's scope changed (95 added, 0 removed, 0 changed).");
    expect(run.status).toBe(0);
  });

  it('names the covered operation when the new document lacks it', async () => {
    const whole = wholePandadoc(repoRoot);
    const operation = Object.keys(whole.paths)[0] ?? '';
    const renamed = { ...whole, paths: Object.fromEntries(Object.entries(whole.paths).map(([path, item]) => [path === operation ? `${path}/` : path, item])) };
    const run = await upstatSpec('check', 'pandadoc', write('pandadoc-moved.json', renamed));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`covered operation ${PANDADOC_COVERED} is not in the document (similar paths: ${operation}/`);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintSpecs } from '../src/lint.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'upstat-lint-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const base = {
  openapi: '3.1.0',
  info: { title: 'Lint fixture', version: '1', description: 'd' },
  servers: [{ url: 'https://lint.example.org' }],
  security: [{ bearer: [] }],
  tags: [{ name: 'things', description: 'Things.' }],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
};
const operation = {
  operationId: 'getThing',
  summary: 'Get a thing',
  description: 'Gets a thing.',
  tags: ['things'],
  responses: {
    '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } },
    '404': { description: 'missing' },
  },
};

describe('lintSpecs (Redocly CLI)', () => {
  it('passes a clean spec', async () => {
    const file = join(work, 'clean.json');
    await writeFile(file, JSON.stringify({ ...base, paths: { '/things': { get: operation } } }));
    const result = lintSpecs([file]);
    expect(result.report).not.toContain('Deprecation warning');
    expect(result.ok).toBe(true);
  });

  it('fails on a warning, not only on errors', async () => {
    const file = join(work, 'warning.json');
    const withoutSummary = { ...operation, summary: undefined }; // JSON.stringify drops it
    await writeFile(file, JSON.stringify({ ...base, paths: { '/things': { get: withoutSummary } } }));
    const result = lintSpecs([file]);
    expect(result.ok).toBe(false);
    expect(result.report).toContain('operation-summary');
  });

  it('fails on an example that does not match its schema', async () => {
    const file = join(work, 'example.json');
    const badExample = {
      ...operation,
      responses: {
        ...operation.responses,
        '200': {
          description: 'ok',
          content: {
            'application/json': {
              schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
              example: { name: 'no id' },
            },
          },
        },
      },
    };
    await writeFile(file, JSON.stringify({ ...base, paths: { '/things': { get: badExample } } }));
    const result = lintSpecs([file]);
    expect(result.ok).toBe(false);
    expect(result.report).toContain('no-invalid-media-type-examples');
  });
});

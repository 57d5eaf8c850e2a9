/**
 * What `provider:add` guesses from a spec, without a copy of the repository: ref field names, the vendor's name, and
 * the canonical state of each status value (scripts/providers/scaffold.mjs). provider-add.test.ts runs the scaffold
 * end to end.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@upstat/test-support';
import { describe, expect, it } from 'vitest';

interface Scaffold {
  camel(name: string): string;
  providerName(title: string | undefined, id: string): string;
  guessState(value: string): { state: string; synonym: string | undefined };
  specNeeds(spec: object, path: string, operation: object, stateOf: string[] | ((value: unknown) => string) | undefined): string[];
  credentialsOf(spec: object, operation: object): ({ name: string; data: string; options: string[]; notes: string[] } | { skipped: string })[];
}
const scaffold = (await import(join(repoRoot, 'scripts', 'providers', 'scaffold.mjs'))) as Scaffold;

describe('provider:add guesses', () => {
  it.each([
    ['UPLOAD_ID', 'uploadId'],
    ['upload_id', 'uploadId'],
    ['upload-id', 'uploadId'],
    ['uploadId', 'uploadId'],
    ['DocumentID', 'documentId'],
    ['HTTPServerId', 'httpServerId'],
    ['team.id', 'teamId'],
    ['getUploadStatus', 'getUploadStatus'],
  ])('a path parameter or operationId %j becomes the camelCase name %j', (name, expected) => {
    expect(scaffold.camel(name)).toBe(expected);
  });

  it.each([
    ['Acme Uploads API', 'Acme'],
    ['Acme uploads', 'Acme'],
    ['PandaDoc Public API v7.2', 'PandaDoc'],
    ['  Nullspace   REST API ', 'Nullspace'],
    ['Send.ai', 'Send.ai'],
    ['API', 'API'],
    [undefined, 'Acme'],
  ])('the title %j gives the name %j (what the docs put before "uploads")', (title, expected) => {
    expect(scaffold.providerName(title, 'acme')).toBe(expected);
  });

  it.each([
    ['errored', 'failed'],
    ['error', 'failed'],
    ['timed_out', 'expired'],
    ['UPLOAD_TIMED_OUT', 'expired'],
    ['timeout', 'expired'],
    ['cancelled', 'canceled'],
    ['ready', 'succeeded'],
    ['done', 'succeeded'],
    ['asset_created', 'succeeded'],
    ['document_sections_upload.PROCESSED', 'succeeded'],
    ['created', 'queued'],
    ['completing', 'in_progress'],
    ['partially_completed', 'partial'],
    ['needs_review', 'action_required'],
  ])('the status value %j is guessed %j, naming the word it read', (value, state) => {
    const guess = scaffold.guessState(value);
    expect(guess.state).toBe(state);
    expect(value.toLowerCase().replace(/[^a-z0-9]+/g, '_')).toContain(guess.synonym);
  });

  it('a value with no known word is unknown, with nothing to name', () => {
    expect(scaffold.guessState('mystery_state')).toEqual({ state: 'unknown', synonym: undefined });
  });

  describe('what the tests need from a spec, said up front', () => {
    const json = (value: object) => ({ content: { 'application/json': value } });
    const errors = Object.fromEntries(['401', '404', '429', '500'].map((code) => [code, json({ example: { message: code } })]));
    const examples = (...statuses: string[]) => json({ examples: Object.fromEntries(statuses.map((status) => [status, { value: { upload: { status } } }])) });
    const needs = (responses: object) => scaffold.specNeeds({}, '/u/{id}', { responses }, ['upload', 'status']);

    it('nothing, for four error responses and named examples that end and that do not', () => {
      expect(needs({ '200': examples('processing', 'done', 'errored'), ...errors })).toEqual([]);
    });

    it('fewer than four error responses: how many there are, and which to add', () => {
      const [need, ...rest] = needs({ '200': examples('processing', 'done'), '404': json({}), '500': json({}) });
      expect(rest).toEqual([]);
      expect(need).toBe('GET /u/{id} documents 2 error responses (404, 500): document at least 4 (e.g. 401, 404, 429, 500), each with its body; the contract tests check that each maps to its error class');
    });

    it("once there is a definition (spec:lint's check), an example's state is read with it, not guessed", () => {
      const table: Record<string, string> = { zz_1: 'succeeded', zz_2: 'queued' };
      const stateOf = (value: unknown) => table[(value as { upload: { status: string } }).upload.status] ?? 'unknown';
      expect(scaffold.specNeeds({}, '/u/{id}', { responses: { '200': examples('zz_1', 'zz_2'), ...errors } }, stateOf)).toEqual([]);
      expect(scaffold.specNeeds({}, '/u/{id}', { responses: { '200': examples('zz_2'), ...errors } }, stateOf)).toEqual([
        expect.stringContaining('has no named example that ends an upload'),
      ]);
    });

    it('no named examples, or none that ends, or none before the end: which to add', () => {
      expect(needs({ '200': json({ example: { upload: { status: 'done' } } }), ...errors })).toEqual([
        expect.stringContaining('has no named examples: add one for each state that ends an upload'),
      ]);
      expect(needs({ '200': examples('processing', 'uploading'), ...errors })).toEqual([
        expect.stringContaining('has no named example that ends an upload (succeeded, partial, failed, canceled, expired)'),
      ]);
      expect(needs({ '200': examples('done', 'timed_out'), ...errors })).toEqual([expect.stringContaining('has no named example still queued or in progress')]);
    });
  });

  it("spec:lint's check reads every provider's effective spec with its definition, and finds what the tests need", () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'providers.mjs'), 'check-spec'], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^providers: [a-z0-9, ]+: the spec has what the tests need\n$/);
  });

  describe("credentials from the spec's security schemes", () => {
    const credentials = (securitySchemes: object, security?: object[]) =>
      scaffold.credentialsOf({ components: { securitySchemes }, ...(security === undefined ? {} : { security }) }, {});

    it('one entry per scheme, in the order `security` asks for them, each with its options', () => {
      const found = credentials(
        {
          key: { type: 'apiKey', in: 'header', name: 'Authorization', 'x-default': 'API-Key 3039ba03' },
          basic: { type: 'http', scheme: 'basic', description: 'A token id and its secret.' },
          machine: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.acme.example/token', scopes: { 'uploads:read': 'read' } } } },
          user: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {} } } },
          query: { type: 'apiKey', in: 'query', name: 'api_key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
        [{ machine: [] }, { basic: [] }],
      );
      expect(found.map((credential) => ('name' in credential ? [credential.name, credential.data, credential.options] : credential.skipped))).toEqual([
        ['machine', "{ type: 'oauth2', flow: 'clientCredentials', tokenUrl: 'https://auth.acme.example/token', scopes: ['uploads:read'] }", ['clientId', 'clientSecret']],
        ['basic', "{ type: 'http', scheme: 'basic' }", ['tokenId', 'tokenSecret']],
        ['key', "{ type: 'apiKey', in: 'header', name: 'Authorization', prefix: 'API-Key' }", ['apiKey']],
        ['user', "{ type: 'oauth2', flow: 'accessToken' }", ['accessToken']],
        ['query', "{ type: 'apiKey', in: 'query', name: 'api_key' }", ['apiKey2']],
        ['bearer', "{ type: 'http', scheme: 'bearer' }", ['token']],
      ]);
    });

    it('a scheme upstat cannot apply is left as a TODO naming it', () => {
      const [only, ...rest] = credentials({ oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://x' } });
      expect(rest).toEqual([]);
      expect(only !== undefined && 'skipped' in only ? only.skipped : '').toContain("TODO: security scheme 'oidc' (openIdConnect) is not one upstat applies");
    });
  });
});

/**
 * Why this file exists: users install tarballs, not the workspace. Each consumer (ESM, CommonJS, TypeScript) installs
 * the tarballs packed once per suite (tests/packaging/src/global-setup.ts), once per file, and calls Prism through them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConsumer, installedUpstatPackages, type Consumer } from '../src/consumer.js';
import { EXPECTED_STATUS, PANDADOC_REF, pandadocSpecTitle, startPandaDocMock } from '../src/mock.js';
import { describeRun, readManifest, repoRoot, runNodeAsync, TSC } from '../src/workspace.js';

// Runs against Prism: each script gets the mock's URL and the ref on its command line and prints one JSON line.
const ESM_SCRIPT = `import { createUpstat } from 'upstat';
import { createPandaDocClient, pandadoc } from '@upstat/pandadoc';
import spec from '@upstat/pandadoc/openapi.json' with { type: 'json' };

const [baseUrl, ref] = process.argv.slice(2);
const upstat = createUpstat({ providers: [pandadoc({ apiKey: 'consumer-key', baseUrl })] });
const status = await upstat.status(ref);
const { documentId, uploadId } = upstat.parseRef(ref);
const upload = await createPandaDocClient({ apiKey: 'consumer-key', baseUrl }).getSectionUploadStatus({ document_id: documentId, upload_id: uploadId });
console.log(JSON.stringify({
  resolved: import.meta.resolve('upstat'),
  state: status.state,
  terminal: status.terminal,
  rawState: status.raw.state,
  clientStatus: upload.status,
  specTitle: spec.info.title,
}));
`;

const CJS_SCRIPT = `'use strict';
const { createUpstat } = require('upstat');
const { createPandaDocClient, pandadoc } = require('@upstat/pandadoc');
const spec = require('@upstat/pandadoc/openapi.json');

async function main() {
  const [baseUrl, ref] = process.argv.slice(2);
  const upstat = createUpstat({ providers: [pandadoc({ apiKey: 'consumer-key', baseUrl })] });
  const status = await upstat.status(ref);
  const { documentId, uploadId } = upstat.parseRef(ref);
  const upload = await createPandaDocClient({ apiKey: 'consumer-key', baseUrl }).getSectionUploadStatus({ document_id: documentId, upload_id: uploadId });
  console.log(JSON.stringify({
    resolved: require.resolve('upstat'),
    state: status.state,
    terminal: status.terminal,
    rawState: status.raw.state,
    clientStatus: upload.status,
    specTitle: spec.info.title,
  }));
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/**
 * Code a TypeScript user writes. It compiles only if the packages' declarations resolve with their real types:
 * if anything resolved to `any` (or not at all), the @ts-expect-error lines would be unused, which is an error,
 * and `notAny` would not compile.
 */
function typedUsage(extraImports = ''): string {
  return `import { createUpstat, type AnyStatus } from 'upstat';
import { createPandaDocClient, pandadoc, type PandaDocRef, type SectionUploadStatus } from '@upstat/pandadoc';
import { nullspace } from '@upstat/nullspace';
${extraImports}
type IsAny<T> = 0 extends 1 & T ? true : false;

// Two providers plugged in, so statuses are a union to narrow.
const upstat = createUpstat({
  providers: [pandadoc({ apiKey: 'key', baseUrl: 'http://127.0.0.1:4010' }), nullspace({ apiKey: 'key', baseUrl: 'http://127.0.0.1:4011' })],
});

export async function sectionIds(ref: string): Promise<string[] | undefined> {
  const status = await upstat.status(ref);
  const notAny: IsAny<typeof status> = false;
  void notAny;
  const any: AnyStatus = status;
  void any;
  if (status.provider === 'pandadoc') {
    // Narrowed: raw.body is PandaDoc's response body.
    const body: SectionUploadStatus = status.raw.body;
    void body;
    return status.raw.body.section_uuids;
  }
  // @ts-expect-error not narrowed to PandaDoc: raw.body is another vendor's body, and only PandaDoc's has section_uuids
  return status.raw.body.section_uuids;
}

export async function byObject(ref: PandaDocRef): Promise<SectionUploadStatus> {
  // A PandaDoc ref gives PandaDoc's status, no narrowing needed.
  const status = await upstat.status(ref);
  return status.raw.body;
}

const client = createPandaDocClient({ apiKey: 'key' });

export async function uploadState(): Promise<SectionUploadStatus['status']> {
  const upload = await client.getSectionUploadStatus({ document_id: 'doc', upload_id: 'upl' });
  const notAny: IsAny<typeof upload> = false;
  void notAny;
  return upload.status;
}

// @ts-expect-error upload_id is a required path parameter
export const missingParameter = () => client.getSectionUploadStatus({ document_id: 'doc' });

// @ts-expect-error apiKey and accessToken exclude each other
export const bothCredentials = () => createPandaDocClient({ apiKey: 'key', accessToken: 'token' });

// @ts-expect-error a PandaDoc ref needs its uploadId
export const incompleteRef = () => upstat.status({ provider: 'pandadoc', documentId: 'doc' });

// @ts-expect-error Send.ai is not one of the providers plugged in
export const notPluggedIn = () => upstat.status({ provider: 'sendai', teamId: 'team', projectId: 'proj', uploadId: 'upl' });
`;
}

function tsconfig(compilerOptions: Record<string, unknown>, include: string[]): string {
  const base = {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    strict: true,
    noEmit: true,
    // Check the shipped .d.ts files too, as a user without skipLibCheck would; and with no @types/node, so a
    // declaration that needed Node's types would fail here.
    skipLibCheck: false,
    types: [],
  };
  return `${JSON.stringify({ compilerOptions: { ...base, ...compilerOptions }, include }, null, 2)}\n`;
}

interface Printed {
  resolved: string;
  state: string;
  terminal: boolean;
  rawState: string;
  clientStatus: string;
  specTitle: string;
}

/** The file a condition of upstat's root export points at (`import` → dist/index.js), from its manifest. */
function upstatEntry(condition: 'import' | 'require'): string {
  const exportsMap = readManifest(join(repoRoot, 'packages', 'upstat')).exports as Record<string, Record<string, { default: string }>>;
  const target = exportsMap['.']?.[condition]?.default;
  if (target === undefined) throw new Error(`upstat has no ${condition} export`);
  return target.replace(/^\.\//, '');
}

let mock: Awaited<ReturnType<typeof startPandaDocMock>> | undefined;
const consumers: Consumer[] = [];

beforeAll(async () => {
  mock = await startPandaDocMock();
});

afterAll(async () => {
  for (const consumer of consumers) consumer.remove();
  await mock?.stop();
});

async function consumer(label: string, manifest: Record<string, unknown>, files: Record<string, string>): Promise<Consumer> {
  const created = await createConsumer({ label, tarballs: inject('tarballs'), manifest, files });
  consumers.push(created);
  // Every @upstat package, including upstat's own dependencies, came from a tarball (the overrides work).
  const installed = installedUpstatPackages(created.dir);
  expect(installed.length).toBeGreaterThan(0);
  expect(installed.filter((entry) => !entry.includes('@file+'))).toEqual([]);
  return created;
}

async function runAgainstMock(dir: string, script: string): Promise<Printed> {
  if (mock === undefined) throw new Error('the Prism mock did not start');
  const run = await runNodeAsync([script, mock.server.url, PANDADOC_REF], { cwd: dir });
  expect(run.status, describeRun(`node ${script}`, run)).toBe(0);
  expect(mock.server.violations()).toEqual([]);
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Printed;
}

describe('a JavaScript user', () => {
  it('imports the packages from ESM (with the spec as a JSON module) and fetches a status from Prism', async () => {
    const { dir } = await consumer('esm', { type: 'module' }, { 'index.mjs': ESM_SCRIPT });
    const printed = await runAgainstMock(dir, 'index.mjs');
    expect(printed).toMatchObject({ ...EXPECTED_STATUS, terminal: true, clientStatus: EXPECTED_STATUS.rawState, specTitle: pandadocSpecTitle() });
    // Node picked the ESM build.
    expect(printed.resolved).toMatch(new RegExp(`/${upstatEntry('import').replace(/\./g, '\\.')}$`));
  });

  it('requires the packages from CommonJS and fetches a status from Prism', async () => {
    const { dir } = await consumer('cjs', { type: 'commonjs' }, { 'index.cjs': CJS_SCRIPT });
    const printed = await runAgainstMock(dir, 'index.cjs');
    expect(printed).toMatchObject({ ...EXPECTED_STATUS, terminal: true, clientStatus: EXPECTED_STATUS.rawState, specTitle: pandadocSpecTitle() });
    // Node picked the CommonJS build, not the ESM one through require(esm).
    expect(printed.resolved).toMatch(new RegExp(`/${upstatEntry('require').replace(/\./g, '\\.')}$`));
  });
});

describe('a TypeScript user', () => {
  async function typecheck(dir: string): Promise<void> {
    const run = await runNodeAsync([TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    expect(run.status, describeRun('tsc', run)).toBe(0);
  }

  it('type-checks with module/moduleResolution node16, from ESM and from CommonJS', async () => {
    const { dir } = await consumer('ts-node16', { type: 'module' }, {
      'tsconfig.json': tsconfig({ module: 'node16', moduleResolution: 'node16' }, ['index.ts', 'index.cts']),
      // index.ts is ESM (type: module) and resolves the import condition; index.cts is CommonJS and resolves
      // the require condition, so both sets of declarations (.d.ts and .d.cts) are checked.
      'index.ts': typedUsage(),
      'index.cts': typedUsage(),
    });
    await typecheck(dir);
  });

  it('type-checks with moduleResolution bundler, including the spec as a JSON module', async () => {
    const { dir } = await consumer('ts-bundler', { type: 'module' }, {
      'tsconfig.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler', resolveJsonModule: true }, ['index.ts']),
      'index.ts': `${typedUsage("import spec from '@upstat/pandadoc/openapi.json' with { type: 'json' };\n")}
export const title: string = spec.info.title;
`,
    });
    await typecheck(dir);
  });
});

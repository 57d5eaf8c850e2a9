import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, type ProviderWiring } from '../src/client.js';
import { userAgent, CORE_VERSION } from '../src/user-agent.js';
import { sendJson, startLocalServer, type LocalServer } from '@upstat/test-support';
import { bearer, ITEM_PATH, TEST_PROVIDER, type TestPaths } from './test-paths.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const params = { item_id: 'i1', part_id: 'p1' };
let server: LocalServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function recordingServer(): Promise<LocalServer> {
  return startLocalServer((_request, response) => {
    sendJson(response, 200, { id: 'p1', state: 'ready' });
  });
}

function wiring(baseUrl: string, extra: Partial<ProviderWiring> = {}): ProviderWiring {
  return { provider: TEST_PROVIDER, defaultBaseUrl: baseUrl, authorization: bearer('k'), ...extra };
}

describe('User-Agent', () => {
  it('names upstat with the version in package.json, and the package with its version, on typed and raw calls', async () => {
    server = await recordingServer();
    const client = createApiClient<TestPaths>({}, wiring(server.url, { package: { name: '@acme/client', version: '4.5.6' } }));
    await client.get(ITEM_PATH)(params);
    await client.raw.GET(ITEM_PATH, { params: { path: params } });
    const expected = `upstat/${manifest.version} (@acme/client/4.5.6)`;
    expect(server.requests.map((request) => request.headers['user-agent'])).toEqual([expected, expected]);
  });

  it('names upstat alone when the wiring names no package, and the package without a version when it has none', async () => {
    server = await recordingServer();
    await createApiClient<TestPaths>({}, wiring(server.url)).get(ITEM_PATH)(params);
    await createApiClient<TestPaths>({}, wiring(server.url, { package: { name: '@acme/client' } })).get(ITEM_PATH)(params);
    expect(server.requests.map((request) => request.headers['user-agent'])).toEqual([
      `upstat/${manifest.version}`,
      `upstat/${manifest.version} (@acme/client)`,
    ]);
  });

  it('is replaced by a User-Agent in the client headers (any spelling) or in a call’s headers', async () => {
    server = await recordingServer();
    const withPackage = wiring(server.url, { package: { name: '@acme/client', version: '1.0.0' } });
    const mine = createApiClient<TestPaths>({ headers: { 'user-agent': 'mine/1' } }, withPackage);
    await mine.get(ITEM_PATH)(params);
    await mine.raw.GET(ITEM_PATH, { params: { path: params } });
    const plain = createApiClient<TestPaths>({}, withPackage);
    await plain.get(ITEM_PATH)(params, { headers: { 'User-Agent': 'per-call/2' } });
    // A dynamic credential takes the other header path (Authorization set per request).
    const dynamic = createApiClient<TestPaths>(
      { headers: { 'USER-AGENT': 'mine/3' } },
      { ...withPackage, authorization: bearer(() => 'k') },
    );
    await dynamic.get(ITEM_PATH)(params);
    expect(server.requests.map((request) => request.headers['user-agent'])).toEqual(['mine/1', 'mine/1', 'per-call/2', 'mine/3']);
  });

  it('never sends characters a User-Agent may not hold', () => {
    expect(userAgent({ name: '@a/b (x)\r\nInjected: 1', version: '1.0\n' })).toBe(`upstat/${CORE_VERSION} (@a/bxInjected:1/1.0)`);
  });

  it('carries the version from package.json in the build too (tsup define), not a hand-written one', async () => {
    const built = (await import(new URL('../dist/index.js', import.meta.url).href)) as { CORE_VERSION?: string };
    expect(built.CORE_VERSION).toBe(manifest.version);
    expect(CORE_VERSION).toBe(manifest.version);
  });
});

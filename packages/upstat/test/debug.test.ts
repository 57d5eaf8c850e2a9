/**
 * Debugging a facade from the outside, against real local servers: the request hook (`onRequest`), the vendor's
 * request id on successful statuses, and the User-Agent every provider's requests carry.
 */
import { readFileSync } from 'node:fs';
import { nullspace } from '@upstat/nullspace';
import { startLocalServer, virtualClock, type LocalServer } from '@upstat/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, createUpstat, NotFoundError, type AnyStatus, type RequestEvent } from '../src/index.js';
import { everyPlugin, exampleRef, PROVIDERS } from './providers.js';

const SECRET = 'sk_live_debug_4242_never_shown';
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function versionOf(packageName: string): string {
  const manifest = JSON.parse(readFileSync(new URL(`../node_modules/${packageName}/package.json`, import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** A Nullspace upload session in `status`, valid against its spec. */
function session(status: string): string {
  return JSON.stringify({
    upload_id: 'u',
    kind: 'file',
    source_kind: 'restartable_file',
    target_path: '/f',
    content_length: 1000,
    accepted_bytes: status === 'completed' ? 1000 : 10,
    reserved_staging_bytes: 1000,
    part_size: 100,
    part_count: 10,
    max_concurrency: 1,
    status,
    conflict: 'error',
    checksum_algorithm: 'sha256',
    limits: {},
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    expires_at: '2026-01-02T00:00:00Z',
  });
}

/** Answers each request with the next of `answers` (the last one repeats): status, body, extra headers. */
async function scripted(answers: { status?: number; body: string; headers?: Record<string, string> }[]): Promise<LocalServer> {
  let next = 0;
  return startLocalServer((_request, response) => {
    const answer = answers[Math.min(next++, answers.length - 1)];
    response.writeHead(answer?.status ?? 200, { 'content-type': 'application/json', ...answer?.headers });
    response.end(answer?.body);
  });
}

const REF = 'nullspace:sbx/u';

describe('every provider’s requests', () => {
  it('carry a User-Agent naming upstat’s core version and the provider package with its version, and reach onRequest', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{}');
    });
    const events: RequestEvent[] = [];
    const upstat = createUpstat({ providers: everyPlugin('k', { baseUrl: server.url }), onRequest: (event) => events.push(event) });
    for (const { definition } of PROVIDERS) {
      await expect(upstat.status(exampleRef(definition))).rejects.toBeInstanceOf(NotFoundError);
    }
    const core = versionOf('@upstat/core');
    expect(server.requests.map((request) => request.headers['user-agent'])).toEqual(
      PROVIDERS.map(({ packageName }) => `upstat/${core} (${packageName}/${versionOf(packageName)})`),
    );
    expect(events.map(({ provider, status, attempt, error }) => ({ provider, status, attempt, kind: error?.kind }))).toEqual(
      PROVIDERS.map(({ definition }) => ({ provider: definition.id, status: 404, attempt: 1, kind: 'not_found' })),
    );
    expect(events.map((event) => event.operation)).toEqual(PROVIDERS.map(({ definition }) => `GET ${definition.operation.path}`));
  });

  it('take the User-Agent a provider is given in its headers instead', async () => {
    server = await scripted([{ body: session('completed') }]);
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'k', baseUrl: server.url, headers: { 'User-Agent': 'my-app/1.0' } })] });
    await upstat.status(REF);
    expect(server.requests[0]?.headers['user-agent']).toBe('my-app/1.0');
  });
});

describe('onRequest in the facade', () => {
  it('is given once, at the top or in defaults; a provider’s own hook replaces it for that provider', async () => {
    expect(() => createUpstat({ providers: everyPlugin('k'), onRequest: () => undefined, defaults: { onRequest: () => undefined } })).toThrow(
      ConfigurationError,
    );
    expect(() => createUpstat({ providers: everyPlugin('k'), onRequest: 'log' as never })).toThrow(/onRequest must be a function, got string/);
    server = await scripted([{ body: session('completed') }]);
    const seen: string[] = [];
    for (const config of [
      { onRequest: (event: RequestEvent) => seen.push(`shared ${event.provider}`) },
      { defaults: { onRequest: (event: RequestEvent) => seen.push(`defaults ${event.provider}`) } },
    ]) {
      const own = createUpstat({
        ...config,
        providers: [nullspace({ apiKey: 'k', baseUrl: server.url, onRequest: (event) => seen.push(`own ${event.provider}`) })],
      });
      await own.status(REF);
      await createUpstat({ ...config, providers: [nullspace({ apiKey: 'k', baseUrl: server.url })] }).status(REF);
    }
    expect(seen).toEqual(['own nullspace', 'shared nullspace', 'own nullspace', 'defaults nullspace']);
  });
});

describe('the request id of a successful status', () => {
  it('is on the status when the vendor sent one, and absent when it did not', async () => {
    server = await scripted([
      { body: session('uploading'), headers: { 'x-request-id': 'req-42' } },
      { body: session('uploading') },
    ]);
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'k', baseUrl: server.url })] });
    const first = await upstat.status(REF);
    expect(first.requestId).toBe('req-42');
    const second = await upstat.status(REF);
    expect(second).not.toHaveProperty('requestId');
  });

  it('is the successful attempt’s, never a failed attempt’s before it', async () => {
    server = await scripted([
      { status: 503, body: '{}', headers: { 'x-request-id': 'req-failed' } },
      { body: session('uploading'), headers: { 'request-id': 'req-ok' } },
      { status: 503, body: '{}', headers: { 'x-request-id': 'req-failed-2' } },
      { body: session('uploading') },
    ]);
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'k', baseUrl: server.url })], defaults: { clock: virtualClock() } });
    expect((await upstat.status(REF)).requestId).toBe('req-ok');
    expect(await upstat.status(REF)).not.toHaveProperty('requestId');
  });

  it('comes with each status of a wait, the final one included', async () => {
    server = await scripted([
      { body: session('uploading'), headers: { 'x-request-id': 'req-1' } },
      { body: session('completed'), headers: { 'x-request-id': 'req-2' } },
    ]);
    const clock = virtualClock();
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'k', baseUrl: server.url })], defaults: { clock } });
    const updates: AnyStatus[] = [];
    const final = await upstat.wait(REF, { onUpdate: (status) => updates.push(status), minDelayMs: 1, maxDelayMs: 1 });
    expect(final).toMatchObject({ state: 'succeeded', requestId: 'req-2' });
    expect(updates.map((status) => status.requestId)).toEqual(['req-1', 'req-2']);
  });

  it('from a hostile server that echoes the credential: redacted on the status and in every event', async () => {
    server = await scripted([
      { status: 503, body: JSON.stringify({ detail: SECRET }), headers: { 'x-request-id': `bad-${SECRET}` } },
      { body: session('uploading'), headers: { 'x-request-id': `req-${SECRET}-${encodeURIComponent(SECRET)}` } },
    ]);
    const events: RequestEvent[] = [];
    for (const apiKey of [SECRET, () => SECRET]) {
      const upstat = createUpstat({
        providers: [nullspace({ apiKey, baseUrl: server.url })],
        defaults: { clock: virtualClock() },
        onRequest: (event) => events.push(event),
      });
      const status = await upstat.status(REF);
      expect(status.requestId).toBe('req-[REDACTED]-[REDACTED]');
    }
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it('is capped as on errors', async () => {
    server = await scripted([{ body: session('uploading'), headers: { 'x-request-id': 'r'.repeat(3000) } }]);
    const upstat = createUpstat({ providers: [nullspace({ apiKey: 'k', baseUrl: server.url })] });
    expect((await upstat.status(REF)).requestId).toMatch(/^r{500}… \[2500 more characters\]$/);
  });
});

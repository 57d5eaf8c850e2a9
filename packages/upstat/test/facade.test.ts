import { startLocalServer, virtualClock, type LocalServer } from '@upstat/test-support';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigurationError,
  createUpstat,
  MissingCredentialError,
  NotFoundError,
  InvalidArgumentError,
  type AnyStatus,
  type PandaDocRef,
  type Status,
  type UploadWaitCheckpoint,
} from '../src/index.js';
import type { SectionUploadStatus } from '@upstat/pandadoc';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function session(status: string, accepted: number) {
  return JSON.stringify({
    upload_id: 'u',
    kind: 'file',
    source_kind: 'restartable_file',
    target_path: '/f',
    content_length: 1000,
    accepted_bytes: accepted,
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

describe('createUpstat', () => {
  it('needs at least one provider', () => {
    expect(() => createUpstat({})).toThrow(ConfigurationError);
    expect(() => createUpstat({})).toThrow('no provider configured');
  });

  it('checks each configured provider’s credential up front', () => {
    expect(() => createUpstat({ sendai: { apiKey: '' } })).toThrow(MissingCredentialError);
  });

  it('says clearly when a ref names a provider that is not configured', async () => {
    const upstat = createUpstat({ sendai: { apiKey: 'k', baseUrl: 'http://127.0.0.1:9' } });
    expect(upstat.providers).toEqual(['sendai']);
    await expect(upstat.status('pandadoc:d/u')).rejects.toThrow(
      'PandaDoc is not configured: pass `pandadoc: { ... }` with its credential to createUpstat (configured: sendai).',
    );
    await expect(upstat.wait('nullspace:s/u')).rejects.toBeInstanceOf(ConfigurationError);
    await expect(upstat.status('nope')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('types each status by its ref', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'document_sections_upload.PROCESSED', section_uuids: ['s1'] }));
    });
    const upstat = createUpstat({ pandadoc: { apiKey: 'k', baseUrl: server.url } });
    const ref: PandaDocRef = { provider: 'pandadoc', documentId: 'd', uploadId: 'u' };
    const status = await upstat.status(ref);
    expectTypeOf(status).toEqualTypeOf<Status<PandaDocRef>>();
    expectTypeOf(status.raw.body).toEqualTypeOf<SectionUploadStatus>();
    expect(status.raw.body.section_uuids).toEqual(['s1']);
    const fromString = await upstat.status('pandadoc:d/u');
    expectTypeOf(fromString).toEqualTypeOf<AnyStatus>();
    if (fromString.provider === 'pandadoc') expectTypeOf(fromString.raw.body).toEqualTypeOf<SectionUploadStatus>();
    expect(fromString).toMatchObject({ provider: 'pandadoc', ref, state: 'succeeded', terminal: true });
  });
});

describe('wait', () => {
  it('reports progress changes through onUpdate and checkpoints that resume in a new instance', async () => {
    const script = [session('created', 0), session('uploading', 250), session('uploading', 250), session('uploading', 600), session('completed', 1000)];
    let served = 0;
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(script[Math.min(served++, script.length - 1)]);
    });
    const config = { nullspace: { apiKey: 'k', baseUrl: server.url } };
    const clock = virtualClock();
    const first = createUpstat({ ...config, defaults: { clock, random: () => 0 } });
    const controller = new AbortController();
    const seen: string[] = [];
    let saved: UploadWaitCheckpoint | undefined;
    const interrupted = first
      .wait('nullspace:sb/up', {
        signal: controller.signal,
        onUpdate: (status) => seen.push(`${status.state} ${status.progress?.fraction}`),
        onCheckpoint: (checkpoint) => {
          saved = JSON.parse(JSON.stringify(checkpoint)) as UploadWaitCheckpoint;
          if (checkpoint.checks === 3) controller.abort();
        },
      })
      .catch((error: unknown) => error);
    expect(await interrupted).toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(3);
    expect(saved).toMatchObject({ ref: 'nullspace:sb/up', checks: 3, lastState: 'in_progress', lastProgress: 0.25 });

    // Another process picks the checkpoint up.
    const second = createUpstat({ ...config, defaults: { clock, random: () => 0 } });
    if (saved === undefined) throw new Error('no checkpoint');
    const final = await second.resume(saved, { onUpdate: (status) => seen.push(`${status.state} ${status.progress?.fraction}`) });
    expect(final).toMatchObject({ state: 'succeeded', progress: { bytes: 1000, totalBytes: 1000, fraction: 1 } });
    expect(server.requests).toHaveLength(5);
    expect(seen).toEqual(['queued 0', 'in_progress 0.25', 'in_progress 0.6', 'succeeded 1']);
  });

  it('rejects a checkpoint without a ref', async () => {
    const upstat = createUpstat({ sendai: { apiKey: 'k' } });
    await expect(upstat.resume({ version: 1 } as UploadWaitCheckpoint)).rejects.toThrow('checkpoint.ref must be a ref string');
  });
});

describe('waitAll', () => {
  it('keeps input order, bounds concurrency, and keeps every result when one fails', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server = await startLocalServer((request, response) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const uploadId = decodeURIComponent(request.url?.split('/').at(-1) ?? '');
      setTimeout(() => {
        inFlight -= 1;
        if (uploadId === 'missing') {
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end('{}');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ payload: { status: uploadId === 'partial' ? 'PARTIAL' : 'COMPLETED' } }));
      }, 20);
    });
    const upstat = createUpstat({ sendai: { apiKey: 'k', baseUrl: server.url } });
    const refs = ['sendai:t/p/a', 'sendai:t/p/missing', 'not a ref', 'sendai:t/p/b', 'sendai:t/p/partial', 'sendai:t/p/c'];
    const results = await upstat.waitAll(refs, { concurrency: 2 });
    expect(results.map((result) => result.ok)).toEqual([true, false, false, true, false, true]);
    expect(results.map((result) => (result.ok ? result.status.state : result.error.name))).toEqual([
      'succeeded',
      'NotFoundError',
      'InvalidArgumentError',
      'succeeded',
      'UploadFailedError',
      'succeeded',
    ]);
    expect(results[1]).toMatchObject({ ok: false, ref: { provider: 'sendai', uploadId: 'missing' } });
    expect(results[1]?.ok === false && results[1].error).toBeInstanceOf(NotFoundError);
    expect(results[2]).toMatchObject({ ok: false, ref: 'not a ref' });
    expect(maxInFlight).toBe(2);
    expect(server.requests).toHaveLength(5);
  });

  it('rejects a concurrency that is not a positive integer', async () => {
    const upstat = createUpstat({ sendai: { apiKey: 'k' } });
    await expect(upstat.waitAll(['sendai:a/b/c'], { concurrency: 0 })).rejects.toThrow('concurrency must be a whole number ≥ 1');
  });
});

import { startLocalServer, virtualClock, type LocalServer } from '@upstat/test-support';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { definition as nullspaceDefinition, nullspace, type NullspaceRef, type UploadSession } from '@upstat/nullspace';
import { definition as pandadocDefinition, pandadoc, type PandaDocRef, type SectionUploadStatus } from '@upstat/pandadoc';
import { sendai } from '@upstat/sendai';
import {
  ConfigurationError,
  createUpstat,
  MissingCredentialError,
  NotFoundError,
  InvalidArgumentError,
  type AnyStatus,
  type ProviderStatus,
  type StatusFor,
  type StatusOf,
  type Upstat,
  type UploadWaitCheckpoint,
} from '../src/index.js';

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
    expect(() => createUpstat({ providers: [] })).toThrow(ConfigurationError);
    expect(() => createUpstat({ providers: [] })).toThrow('no provider given. Pass `providers` with at least one plug-in');
    // JavaScript callers can leave `providers` out, or pass the options of the old API.
    expect(() => createUpstat({} as never)).toThrow(ConfigurationError);
    expect(() => createUpstat({} as never)).toThrow('no provider given');
    expect(() => createUpstat({ sendai: { apiKey: 'k' } } as never)).toThrow('no provider given');
  });

  it('takes plug-ins only, each provider once', () => {
    for (const notAPlugin of [{}, null, 'sendai', { definition: {} }]) {
      expect(() => createUpstat({ providers: [notAPlugin as never] })).toThrow(ConfigurationError);
      expect(() => createUpstat({ providers: [notAPlugin as never] })).toThrow('each of `providers` must be a plug-in from a provider package');
    }
    expect(() => createUpstat({ providers: [sendai({ apiKey: 'k' }), pandadoc({ apiKey: 'k' }), sendai({ apiKey: 'j' })] })).toThrow(
      'createUpstat: Send.ai is given twice; pass each provider once.',
    );
  });

  it('checks each configured provider’s credential up front', () => {
    expect(() => createUpstat({ providers: [sendai({ apiKey: '' })] })).toThrow(MissingCredentialError);
    expect(() => createUpstat({ providers: [pandadoc({ apiKey: 'k' }), sendai({ apiKey: '' })] })).toThrow(MissingCredentialError);
  });

  it('says clearly when a ref names a provider that is not plugged in', async () => {
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' })] });
    expect(upstat.providers).toEqual(['sendai']);
    await expect(upstat.status('pandadoc:d/u')).rejects.toThrow(
      '"pandadoc:d/u" is not an upload ref: "pandadoc" is not one of the providers given to createUpstat (sendai); plug it in: ',
    );
    await expect(upstat.status('pandadoc:d/u')).rejects.toThrow('; expected sendai:<teamId>/<projectId>/<uploadId> (');
    await expect(upstat.status('pandadoc:d/u')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(upstat.wait('nullspace:s/u')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(upstat.wait('nullspace:s/u')).rejects.toThrow('"nullspace" is not one of the providers given to createUpstat (sendai)');
    const ref = { provider: 'pandadoc', documentId: 'd', uploadId: 'u' } as const;
    // @ts-expect-error -- a ref of a provider that is not plugged in does not type-check either
    await expect(upstat.status(ref)).rejects.toThrow('"pandadoc" is not one of the providers given to createUpstat (sendai)');
    await expect(upstat.status('nope')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('says how to plug the missing provider in', async () => {
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' })] });
    await expect(upstat.status('pandadoc:d/u')).rejects.toThrow(
      '"pandadoc:d/u" is not an upload ref: "pandadoc" is not one of the providers given to createUpstat (sendai); plug it in: the plug-in of its package for one of upstat\'s (e.g. `nullspace({ apiKey })` from @upstat/nullspace; see @upstat/providers), or `pluginFor(definition, options)` for a provider of your own; ' +
        'expected sendai:<teamId>/<projectId>/<uploadId> (identifiers percent-encoded where they contain "/", ":" or "%").',
    );
  });

  it('types each status by its ref', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'document_sections_upload.PROCESSED', section_uuids: ['s1'] }));
    });
    const upstat = createUpstat({ providers: [pandadoc({ apiKey: 'k', baseUrl: server.url }), nullspace({ apiKey: 'k', baseUrl: server.url })] });
    type Definitions = typeof pandadocDefinition | typeof nullspaceDefinition;
    expectTypeOf(upstat).toEqualTypeOf<Upstat<Definitions>>();
    expectTypeOf(upstat.providers).toEqualTypeOf<readonly ('pandadoc' | 'nullspace')[]>();
    expect(upstat.providers).toEqual(['pandadoc', 'nullspace']);

    const ref: PandaDocRef = { provider: 'pandadoc', documentId: 'd', uploadId: 'u' };
    const status = await upstat.status(ref);
    expectTypeOf(status).toEqualTypeOf<StatusOf<typeof pandadocDefinition>>();
    expectTypeOf(status).toEqualTypeOf<StatusFor<Definitions, PandaDocRef>>();
    expectTypeOf(status).toEqualTypeOf<ProviderStatus<PandaDocRef, SectionUploadStatus>>();
    expectTypeOf(status.provider).toEqualTypeOf<'pandadoc'>();
    expectTypeOf(status.raw.body).toEqualTypeOf<SectionUploadStatus>();
    expect(status.raw.body.section_uuids).toEqual(['s1']);

    const fromString = await upstat.status('pandadoc:d/u');
    expectTypeOf(fromString).toEqualTypeOf<StatusOf<Definitions>>();
    expectTypeOf(fromString).toEqualTypeOf<ProviderStatus<PandaDocRef, SectionUploadStatus> | ProviderStatus<NullspaceRef, UploadSession>>();
    expectTypeOf(fromString).toExtend<AnyStatus>();
    expectTypeOf<AnyStatus>().toEqualTypeOf<ProviderStatus>();
    if (fromString.provider === 'pandadoc') expectTypeOf(fromString.raw.body).toEqualTypeOf<SectionUploadStatus>();
    else expectTypeOf(fromString.raw.body).toEqualTypeOf<UploadSession>();
    expect(fromString).toMatchObject({ provider: 'pandadoc', ref, state: 'succeeded', terminal: true });

    const waited = await upstat.wait(ref, {
      onUpdate: (update) => {
        expectTypeOf(update).toEqualTypeOf<StatusOf<typeof pandadocDefinition>>();
      },
    });
    expectTypeOf(waited.raw.body).toEqualTypeOf<SectionUploadStatus>();
    expect(waited).toMatchObject({ provider: 'pandadoc', state: 'succeeded' });
    const results = await upstat.waitAll([ref, 'pandadoc:d/u']);
    for (const result of results) {
      expectTypeOf(result.ref).toEqualTypeOf<PandaDocRef | NullspaceRef | string>();
      if (result.ok) expectTypeOf(result.status).toEqualTypeOf<StatusOf<Definitions>>();
    }
    expect(results).toMatchObject([
      { ok: true, ref, status: { state: 'succeeded' } },
      { ok: true, ref, status: { state: 'succeeded' } },
    ]);
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
    const url = server.url;
    const config = () => ({ providers: [nullspace({ apiKey: 'k', baseUrl: url })] });
    const clock = virtualClock();
    const first = createUpstat({ ...config(), defaults: { clock, random: () => 0 } });
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
    const second = createUpstat({ ...config(), defaults: { clock, random: () => 0 } });
    if (saved === undefined) throw new Error('no checkpoint');
    const final = await second.resume(saved, { onUpdate: (status) => seen.push(`${status.state} ${status.progress?.fraction}`) });
    expect(final).toMatchObject({ state: 'succeeded', progress: { bytes: 1000, totalBytes: 1000, fraction: 1 } });
    expect(server.requests).toHaveLength(5);
    expect(seen).toEqual(['queued 0', 'in_progress 0.25', 'in_progress 0.6', 'succeeded 1']);
  });

  it('rejects a checkpoint without a ref', async () => {
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k' })] });
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
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k', baseUrl: server.url })] });
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
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'k' })] });
    await expect(upstat.waitAll(['sendai:a/b/c'], { concurrency: 0 })).rejects.toThrow('concurrency must be a whole number ≥ 1');
  });
});

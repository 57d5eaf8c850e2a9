import { createUpstat, WaitTimeoutError, type AnyStatus, type UploadRef } from 'upstat';
import { describe, expect, inject, it } from 'vitest';
import { recordingFetch } from '../src/recording-fetch.js';
import { asObject, deref, firstExample, loadEffectiveSpec, statusOperation, type Json, type JsonObject } from '../src/specs.js';
import type { ProviderId } from '../src/specs.js';

/** The 200 example each mock returns, straight from the effective spec. */
function example(id: ProviderId): JsonObject {
  const spec = loadEffectiveSpec(id);
  const { operation } = statusOperation(spec);
  const ok = asObject(deref(spec, asObject(operation.responses, 'responses')['200']), '200');
  return asObject(firstExample(spec, asObject(asObject(ok.content, 'content')['application/json'], 'media')), 'example');
}
const field = (value: Json | undefined, ...path: string[]): Json | undefined =>
  path.reduce<Json | undefined>((node, key) => (node !== null && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined), value);

const REFS: Record<ProviderId, UploadRef> = {
  pandadoc: { provider: 'pandadoc', documentId: 'BhVzRcxH9Z2LgfPPGXFUBa', uploadId: 'LQ6cUT7xevPLUEgJeF8Zrm' },
  document360: { provider: 'document360', projectId: '7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f', taskId: 'a3b4c5d6-1234-5678-9abc-def012345678' },
  sendai: { provider: 'sendai', teamId: 'team_123456', projectId: 'proj_123456', uploadId: 'upl_abcdef123456' },
  nullspace: { provider: 'nullspace', sandboxId: 'sb_a1b2c3d4', uploadId: 'upl_7Qm2x9K4' },
};

/** What each example says, and the canonical state DESIGN.md gives that vendor value. */
const EXPECTED: Record<ProviderId, { raw: Json | undefined; state: AnyStatus['state'] }> = {
  pandadoc: { raw: field(example('pandadoc'), 'status'), state: 'succeeded' }, // document_sections_upload.PROCESSED
  document360: { raw: field(example('document360'), 'data', 'status'), state: 'succeeded' }, // Completed
  sendai: { raw: field(example('sendai'), 'payload', 'status'), state: 'action_required' }, // IN_REVIEW
  nullspace: { raw: field(example('nullspace'), 'status'), state: 'in_progress' }, // uploading
};

function facade() {
  const mocks = inject('mockUrls');
  const recorder = recordingFetch();
  const upstat = createUpstat({
    pandadoc: { apiKey: 'e2e-key', baseUrl: mocks.pandadoc },
    document360: { token: 'e2e-token', baseUrl: mocks.document360 },
    sendai: { apiKey: 'e2e-key', baseUrl: mocks.sendai },
    nullspace: { apiKey: 'e2e-key', baseUrl: mocks.nullspace },
    defaults: { fetch: recorder.fetch },
    // Short delays: the mocks answer at once, and the Nullspace example never finishes.
    wait: { minDelayMs: 50, maxDelayMs: 100, timeoutMs: 400 },
  });
  return { upstat, exchanges: recorder.exchanges };
}

describe('facade end to end against the Prism mocks', () => {
  for (const id of Object.keys(REFS) as ProviderId[]) {
    it(`${id}: status maps the example's ${JSON.stringify(EXPECTED[id].raw)} to ${EXPECTED[id].state}`, async () => {
      const { upstat, exchanges } = facade();
      const status = await upstat.status(REFS[id]);
      expect(status).toMatchObject({ provider: id, ref: REFS[id], state: EXPECTED[id].state, raw: { state: EXPECTED[id].raw, body: example(id) } });
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0]?.violations).toBeNull();
    });
  }

  it('nullspace: status reports byte progress from the example', async () => {
    const { upstat } = facade();
    const status = await upstat.status(REFS.nullspace);
    const bytes = field(example('nullspace'), 'accepted_bytes') as number;
    const totalBytes = field(example('nullspace'), 'content_length') as number;
    expect(status.progress).toEqual({ bytes, totalBytes, fraction: bytes / totalBytes });
  });

  it('wait resolves at once for terminal successes (PandaDoc, Document360)', async () => {
    const { upstat, exchanges } = facade();
    await expect(upstat.wait(REFS.pandadoc)).resolves.toMatchObject({ state: 'succeeded', terminal: true });
    await expect(upstat.wait(REFS.document360)).resolves.toMatchObject({ state: 'succeeded', terminal: true });
    expect(exchanges).toHaveLength(2);
  });

  it('wait stops at action_required when asked (Send.ai IN_REVIEW)', async () => {
    const { upstat } = facade();
    await expect(upstat.wait(REFS.sendai, { stopOn: ['action_required'] })).resolves.toMatchObject({ state: 'action_required', terminal: false });
  });

  it('wait on an upload that never finishes ends in WaitTimeoutError with the last status and its progress (Nullspace)', async () => {
    const { upstat, exchanges } = facade();
    const updates: AnyStatus[] = [];
    const error = await upstat.wait(REFS.nullspace, { onUpdate: (status) => updates.push(status) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ lastStatus: { state: 'in_progress', progress: { fraction: expect.any(Number) as number } } });
    expect((error as WaitTimeoutError).checks).toBe(exchanges.length);
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    expect(updates).toHaveLength(1); // the same state and progress every time
    expect(exchanges.every((exchange) => exchange.violations === null)).toBe(true);
  });

  it('waitAll over all four keeps order and reports each outcome', async () => {
    const { upstat } = facade();
    const results = await upstat.waitAll(Object.values(REFS), { stopOn: ['action_required'], concurrency: 4 });
    expect(results.map((result) => (result.ok ? `${result.status.provider} ${result.status.state}` : result.error.name))).toEqual([
      'pandadoc succeeded',
      'document360 succeeded',
      'sendai action_required',
      'WaitTimeoutError',
    ]);
  });
});

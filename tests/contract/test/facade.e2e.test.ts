import { document360, nullspace, pandadoc, PROVIDERS, sendai } from '@upstat/providers';
import {
  createUpstat,
  isTerminal,
  mapState,
  WaitTimeoutError,
  type AnyDefinition,
  type AnyStatus,
  type CanonicalState,
  type RefOf,
} from 'upstat';
import { credentialOptions } from '@upstat/test-support';
import { describe, expect, inject, it } from 'vitest';
import { recordingFetch } from '../src/recording-fetch.js';
import { asObject, deref, firstExample, loadEffectiveSpec, statusOperation, type Json, type JsonObject, type ProviderId } from '../src/specs.js';

/** The 200 example each mock returns, straight from the effective spec. */
function example(definition: AnyDefinition): JsonObject {
  const spec = loadEffectiveSpec(definition.id as ProviderId);
  const { operation } = statusOperation(spec);
  const ok = asObject(deref(spec, asObject(operation.responses, 'responses')['200']), '200');
  return asObject(firstExample(spec, asObject(asObject(ok.content, 'content')['application/json'], 'media')), 'example');
}
const field = (value: Json | undefined, ...path: string[]): Json | undefined =>
  path.reduce<Json | undefined>((node, key) => (node !== null && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined), value);

/** The ref the definition gives as its example: the identifiers the spec's examples (and so the mocks) use. */
function exampleRef<D extends AnyDefinition>(definition: D): RefOf<D> {
  return { provider: definition.id, ...definition.example } as RefOf<D>;
}

/** What the definition reads from its spec's example: the vendor value and the canonical state it maps to. */
function expectedFromExample(definition: AnyDefinition): { raw: string | null | undefined; state: CanonicalState } {
  const raw = definition.read(example(definition)).value;
  return { raw, state: mapState(definition.states, raw) };
}

/** The facade over every provider of the registry, each pointed at its mock. */
function facade() {
  const mocks = inject('mockUrls');
  const tokenUrls = inject('tokenUrls');
  const recorder = recordingFetch();
  const upstat = createUpstat({
    providers: PROVIDERS.map(({ definition, plugin }) =>
      plugin({ ...credentialOptions(definition, `e2e-${definition.id}`), baseUrl: mocks[definition.id], tokenUrl: tokenUrls[definition.id] } as never),
    ),
    defaults: { fetch: recorder.fetch },
    // Short delays: the mocks answer at once, and some examples (Nullspace's) never finish.
    wait: { minDelayMs: 50, maxDelayMs: 100, timeoutMs: 400 },
  });
  return { upstat, exchanges: recorder.exchanges };
}

describe('facade end to end against the Prism mocks', () => {
  it('answers for every provider of the registry', () => {
    const { upstat } = facade();
    expect([...upstat.providers].sort()).toEqual(PROVIDERS.map(({ definition }) => definition.id).sort());
  });

  for (const { definition } of PROVIDERS) {
    const expected = expectedFromExample(definition);
    it(`${definition.id}: status maps the example's ${JSON.stringify(expected.raw)} to ${expected.state}`, async () => {
      const { upstat, exchanges } = facade();
      const ref = exampleRef(definition);
      const status = await upstat.status(ref);
      expect(status).toMatchObject({ provider: definition.id, ref, state: expected.state, raw: { state: expected.raw, body: example(definition) } });
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0]?.violations).toBeNull();
      // The string form names the same upload.
      await expect(upstat.status(upstat.formatRef(ref))).resolves.toEqual(status);
    });
  }

  // What each vendor's example says, and the canonical state the README's status table gives that vendor value.

  it('nullspace: status reports byte progress from the example', async () => {
    const { upstat } = facade();
    const status = await upstat.status(exampleRef(nullspace.definition));
    const bytes = field(example(nullspace.definition), 'accepted_bytes') as number;
    const totalBytes = field(example(nullspace.definition), 'content_length') as number;
    expect(status.progress).toEqual({ bytes, totalBytes, fraction: bytes / totalBytes });
  });

  it('wait resolves at once for terminal successes (PandaDoc document_sections_upload.PROCESSED, Document360 Completed)', async () => {
    const { upstat, exchanges } = facade();
    const pandadocRaw = field(example(pandadoc.definition), 'status');
    const document360Raw = field(example(document360.definition), 'data', 'status');
    expect(pandadocRaw).toBe('document_sections_upload.PROCESSED');
    expect(document360Raw).toBe('Completed');
    await expect(upstat.wait(exampleRef(pandadoc.definition))).resolves.toMatchObject({
      provider: 'pandadoc',
      state: 'succeeded',
      terminal: true,
      raw: { state: pandadocRaw, body: example(pandadoc.definition) },
    });
    await expect(upstat.wait(exampleRef(document360.definition))).resolves.toMatchObject({
      provider: 'document360',
      state: 'succeeded',
      terminal: true,
      raw: { state: document360Raw, body: example(document360.definition) },
    });
    expect(exchanges).toHaveLength(2);
  });

  it('wait stops at action_required when asked (Send.ai IN_REVIEW)', async () => {
    const { upstat } = facade();
    const raw = field(example(sendai.definition), 'payload', 'status');
    expect(raw).toBe('IN_REVIEW');
    await expect(upstat.wait(exampleRef(sendai.definition), { stopOn: ['action_required'] })).resolves.toMatchObject({
      provider: 'sendai',
      state: 'action_required',
      terminal: false,
      raw: { state: raw, body: example(sendai.definition) },
    });
  });

  it('wait on an upload that never finishes ends in WaitTimeoutError with the last status and its progress (Nullspace uploading)', async () => {
    const { upstat, exchanges } = facade();
    const raw = field(example(nullspace.definition), 'status');
    expect(raw).toBe('uploading');
    const updates: AnyStatus[] = [];
    const error = await upstat.wait(exampleRef(nullspace.definition), { onUpdate: (status) => updates.push(status) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({
      lastStatus: { provider: 'nullspace', state: 'in_progress', raw: { state: raw }, progress: { fraction: expect.any(Number) as number } },
    });
    expect((error as WaitTimeoutError).checks).toBe(exchanges.length);
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    expect(updates).toHaveLength(1); // the same state and progress every time
    expect(exchanges.every((exchange) => exchange.violations === null)).toBe(true);
  });

  it('waitAll over every provider keeps order and reports each outcome', async () => {
    const { upstat } = facade();
    const stopOn: CanonicalState[] = ['action_required'];
    const refs = PROVIDERS.map(({ definition }) => exampleRef(definition));
    // Each example's outcome: an accepted state or one of stopOn is returned; any other terminal state is an
    // UploadFailedError; an upload still going when the wait's time is up, a WaitTimeoutError.
    const outcomes = PROVIDERS.map(({ definition }) => {
      const { state } = expectedFromExample(definition);
      if (state === 'succeeded' || stopOn.includes(state)) return `${definition.id} ${state}`;
      return isTerminal(state) ? 'UploadFailedError' : 'WaitTimeoutError';
    });
    const results = await upstat.waitAll(refs, { stopOn, concurrency: refs.length });
    expect(results.map((result) => result.ref)).toEqual(refs);
    expect(results.map((result) => (result.ok ? `${result.status.provider} ${result.status.state}` : result.error.name))).toEqual(outcomes);
  });
});

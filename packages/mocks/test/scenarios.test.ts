/**
 * Every registry provider's mock and its upload scenarios, played through upstat's own facade over loopback:
 * derived from the specs' examples, reaching the state they are named after, and accepted by Prism's validation.
 */
import { readFileSync } from 'node:fs';
import { mapState, isTerminal, type CanonicalState } from '@upstat/core';
import { PROVIDERS } from '@upstat/providers';
import { createUpstat, UploadFailedError, type AnyDefinition, type AnyStatus, type WaitOptions } from 'upstat';
import { credentialOptions, credentialValues, expectedCarriage } from '@upstat/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deriveScenarios,
  providerScenarios,
  providerSpecPath,
  scenarioRef,
  ScenarioError,
  startProviderMocks,
  stopMockServers,
  type MockServer,
  type ScenarioStep,
} from '../src/index.js';

let servers: MockServer[] = [];
beforeAll(async () => {
  servers = await startProviderMocks();
});
afterAll(async () => {
  // Every request of these tests must pass Prism's validation, scenario bodies included.
  const violations = servers.flatMap((server) => server.violations().map((line) => `${server.name}: ${line}`));
  await stopMockServers(servers);
  expect(violations).toEqual([]);
});

function serverOf(id: string): MockServer {
  const server = servers.find((candidate) => candidate.name === id);
  if (server === undefined) throw new Error(`no mock for ${id}`);
  return server;
}

/** Answers (status and `sl-violations` header) of every status request (not token requests), for the checks below. */
const exchanges: { url: string; status: number; violations: string | null }[] = [];
const recordingFetch = async (request: Request) => {
  const response = await fetch(request);
  if (request.method === 'GET') exchanges.push({ url: request.url, status: response.status, violations: response.headers.get('sl-violations') });
  return response;
};

/** What a request carries for a definition's first credential (where its security scheme says), with a test value. */
function carriage(definition: AnyDefinition) {
  const [credential] = definition.credentials;
  return expectedCarriage(credential, credentialValues(credential, 'scenario-test-key'), 'mock-token');
}

/** The facade's calls these tests make, typed loosely: refs come from every provider of the registry. */
interface LooseFacade {
  status(ref: string | object): Promise<AnyStatus>;
  wait(ref: string | object, options: WaitOptions): Promise<AnyStatus>;
  formatRef(ref: object): string;
}

/** upstat's facade for one provider, pointed at its mock. */
function facade(definition: AnyDefinition, headers: Record<string, string> = {}): LooseFacade {
  const entry = PROVIDERS.find((provider) => provider.definition.id === definition.id);
  if (entry === undefined) throw new Error(definition.id);
  const withHeaders = (request: Request) => {
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
    return recordingFetch(request);
  };
  return createUpstat({
    providers: [entry.plugin({ ...credentialOptions(definition, 'scenario-test-key'), baseUrl: serverOf(definition.id).url, tokenUrl: serverOf(definition.id).tokenUrl } as never)],
    defaults: { fetch: withHeaders, retry: false },
  });
}

/** The 200 examples of a provider's effective spec, by name (read straight from the file). */
function specExamples(definition: AnyDefinition): Record<string, unknown> {
  const spec = JSON.parse(readFileSync(providerSpecPath(definition.id), 'utf8')) as {
    paths: Record<string, { get: { responses: { '200': { content: { 'application/json': { examples?: Record<string, { value: unknown }> } } } } } }>;
  };
  const examples = spec.paths[definition.operation.path]?.get.responses['200'].content['application/json'].examples ?? {};
  return Object.fromEntries(Object.entries(examples).map(([name, example]) => [name, example.value]));
}

const ORDER: Record<CanonicalState, number> = {
  queued: 0,
  in_progress: 1,
  action_required: 2,
  succeeded: 2,
  partial: 2,
  failed: 2,
  canceled: 2,
  expired: 2,
  unknown: -1,
};

for (const entry of PROVIDERS) {
  const definition: AnyDefinition = entry.definition;
  describe(`${definition.id} scenarios`, () => {
    const scenarios = providerScenarios(definition.id);
    // Every terminal state of the definition's table, and action_required, needs examples to play it.
    const promised = [...new Set(Object.values(definition.states as Record<string, CanonicalState>))].filter(
      (state) => isTerminal(state) || state === 'action_required',
    );

    it(`has a scenario for each end state of its state table (${promised.join(', ')})`, () => {
      expect(scenarios.map((scenario) => scenario.name).sort()).toEqual([...promised].sort());
    });

    it('each scenario moves forward: queued, then in progress with byte progress that never goes back, then its state', () => {
      const examples = specExamples(definition);
      for (const scenario of scenarios) {
        expect(scenario.steps.length, scenario.name).toBeGreaterThanOrEqual(2);
        const states = scenario.steps.map((step) => {
          // What the definition reads from the example, checked here against the spec file itself.
          expect(Object.keys(examples)).toContain(step.example);
          expect(mapState(definition.states, definition.read(examples[step.example]).value)).toBe(step.state);
          return step.state;
        });
        expect(states.at(-1)).toBe(scenario.name);
        expect(states.slice(0, -1).every((state) => state === 'queued' || state === 'in_progress')).toBe(true);
        const ranks = states.map((state) => ORDER[state]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        const progress = scenario.steps.flatMap((step) => (step.progress === undefined ? [] : [step.progress]));
        expect(progress).toEqual([...progress].sort((a, b) => a - b));
      }
    });

    for (const scenario of scenarios) {
      it(`plays "${scenario.name}" one step per request on a scenario ref, then repeats the last`, async () => {
        const upstat = facade(definition);
        const ref = scenarioRef(definition.id, scenario.name, `steps-${scenario.name}`);
        const seen: AnyStatus[] = [];
        for (let index = 0; index <= scenario.steps.length; index += 1) seen.push(await upstat.status(ref));
        const expected = [...scenario.steps, scenario.steps.at(-1) as ScenarioStep];
        expect(seen.map((status) => [status.state, status.raw.state])).toEqual(expected.map((step) => [step.state, step.raw]));
        expect(seen.map((status) => status.progress?.fraction)).toEqual(expected.map((step) => step.progress));
        // The ref the status reports is the scenario ref asked about.
        expect(upstat.formatRef(seen[0]?.ref ?? {})).toBe(ref);
      });

      it(`a wait on a "${scenario.name}" ref ends the way that state ends a wait`, async () => {
        const upstat = facade(definition);
        const ref = scenarioRef(definition.id, scenario.name, `wait-${scenario.name}`);
        const wait = upstat.wait(ref, {
          minDelayMs: 1,
          maxDelayMs: 1,
          timeoutMs: 20_000,
          ...(scenario.name === 'action_required' ? { stopOn: ['action_required'] as CanonicalState[] } : {}),
        });
        if (scenario.name === 'succeeded' || scenario.name === 'action_required') {
          await expect(wait).resolves.toMatchObject({ state: scenario.name });
        } else {
          const error = await wait.then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error).toBeInstanceOf(UploadFailedError);
          expect(error).toMatchObject({ state: scenario.name, finalStatus: { state: scenario.name } });
        }
      });
    }

    it('plays a scenario per request with `Prefer: scenario=<name>`, counted per scenario and path', async () => {
      const [first, second] = scenarios;
      if (first === undefined) throw new Error('no scenario');
      // The definition's example ref: its identifiers are valid for the spec (Document360's are UUIDs), and no
      // other test sends it a scenario header.
      const ref = { ...definition.example, provider: definition.id };
      const byHeader = facade(definition, { prefer: `scenario=${first.name}` });
      const states = [];
      while (states.length < first.steps.length) states.push((await byHeader.status(ref)).raw.state);
      expect(states).toEqual(first.steps.map((step) => step.raw));
      if (second !== undefined) {
        // Another scenario on the same path starts from its own first step.
        const other = facade(definition, { prefer: `scenario=${second.name}` });
        expect((await other.status(ref)).raw.state).toBe(second.steps[0]?.raw);
      }
      // Without the header, the path answers the spec's default example, as before.
      expect((await facade(definition).status(ref)).raw.state).toBe(definition.read(Object.values(specExamples(definition))[0]).value);
    });

    it('a request that chooses its own answer (Prefer: code=…) gets it, and plays no step', async () => {
      const ref = scenarioRef(definition.id, scenarios[0]?.name ?? '', 'explicit');
      const upstat = facade(definition, { prefer: 'code=401' });
      await expect(upstat.status(ref)).rejects.toMatchObject({ status: 401 });
      const status = await facade(definition).status(ref);
      expect(status.raw.state).toBe(scenarios[0]?.steps[0]?.raw);
    });

    it('every named 200 example passes Prism validation', async () => {
      const server = serverOf(definition.id);
      const upstat = facade(definition);
      for (const name of Object.keys(specExamples(definition))) {
        const before = exchanges.length;
        await upstat.status({ ...definition.example, provider: definition.id }).catch(() => undefined);
        expect(exchanges.length).toBe(before + 1);
        const { headers, query } = carriage(definition);
        const url = new URL(new URL(exchanges.at(-1)?.url ?? '').pathname, server.url);
        for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
        const response = await fetch(url, { headers: { ...headers, prefer: `example="${name}"` } });
        expect(response.status, name).toBe(200);
        expect(response.headers.get('sl-violations'), name).toBeNull();
      }
    });
  });
}

describe('scenario refs and unknown scenarios', () => {
  const [provider] = PROVIDERS;
  const definition = provider.definition as AnyDefinition;

  it('scenarioRef builds the example ref with its last identifier scenario-<name>[-<tag>], percent-encoded', () => {
    const [scenario] = providerScenarios(definition.id);
    const ref = scenarioRef(definition.id, scenario?.name ?? '', 'a/b c');
    const values = Object.keys(definition.ref).map((field) => (definition.example as Record<string, string>)[field] ?? '');
    values[values.length - 1] = `scenario-${scenario?.name ?? ''}-a/b c`;
    expect(ref).toBe(`${definition.id}:${values.map((value) => encodeURIComponent(value)).join('/')}`);
    expect(scenarioRef(definition.id, scenario?.name ?? '')).toMatch(new RegExp(`/scenario-${scenario?.name ?? ''}$`));
  });

  it('scenarioRef names the scenarios a provider has, and the providers there are', () => {
    expect(() => scenarioRef(definition.id, 'nope')).toThrow(ScenarioError);
    expect(() => scenarioRef(definition.id, 'nope')).toThrow(`its scenarios: ${providerScenarios(definition.id).map((scenario) => scenario.name).join(', ')}`);
    expect(() => scenarioRef('acme', 'succeeded')).toThrow(`unknown provider "acme"; the providers are ${PROVIDERS.map((entry) => entry.definition.id).join(', ')}`);
    expect(() => scenarioRef(definition.id, providerScenarios(definition.id)[0]?.name ?? '', '')).toThrow('must not be empty');
  });

  it('a ref or header naming an unknown scenario gets a 404 problem listing the scenarios', async () => {
    const server = serverOf(definition.id);
    const names = providerScenarios(definition.id).map((scenario) => scenario.name).join(', ');
    const response = await fetch(`${server.url}/anything/scenario-nope-x`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    await expect(response.json()).resolves.toMatchObject({ title: 'Unknown mock scenario', detail: expect.stringContaining(`its scenarios: ${names}`) as string });
    const byHeader = await fetch(`${server.url}/anything`, { headers: { prefer: 'scenario=nope' } });
    expect(byHeader.status).toBe(404);
    expect(server.output()).toContain('no scenario "nope"');
  });
});

describe('deriveScenarios', () => {
  const step = (example: string, state: CanonicalState, progress?: number): ScenarioStep => ({ example, state, raw: example, ...(progress === undefined ? {} : { progress }) });

  it('orders in-progress steps by progress, keeps only those not past the end step, and takes the first example of each end state', () => {
    const scenarios = deriveScenarios('p', [
      step('half', 'in_progress', 0.5),
      step('new', 'queued', 0),
      step('most', 'in_progress', 0.9),
      step('little', 'in_progress', 0.1),
      step('done', 'succeeded', 1),
      step('broke', 'failed', 0.5),
      step('done-again', 'succeeded', 1),
      step('odd', 'unknown'),
    ]);
    expect(scenarios.map((scenario) => [scenario.name, scenario.steps.map((s) => s.example)])).toEqual([
      ['succeeded', ['new', 'little', 'half', 'most', 'done']],
      ['failed', ['new', 'little', 'half', 'broke']],
    ]);
  });

  it('keeps the spec order of steps without progress, and makes no scenario without an end state', () => {
    expect(deriveScenarios('p', [step('b', 'in_progress'), step('a', 'in_progress'), step('r', 'action_required')])[0]?.steps.map((s) => s.example)).toEqual(['b', 'a', 'r']);
    expect(deriveScenarios('p', [step('a', 'in_progress'), step('q', 'queued')])).toEqual([]);
  });
});

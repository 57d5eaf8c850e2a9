/**
 * upstat's providers as mocks: each registry provider's effective spec (`@upstat/<id>/openapi.json`), served with
 * its upload scenarios. A scenario's steps are derived, never listed: the named examples of the status operation's
 * 200 response, each read with the provider's definition (`read`, `states`) into a canonical state.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createRequire } from 'node:module';
import { clientCredentialsOf, isTerminal, mapState, pathParameters, type AnyDefinition, type CanonicalState } from '@upstat/core';
import { PROVIDERS } from '@upstat/providers';
import { createRefCodec } from 'upstat';
import type { MockScenarios } from './front.js';
import { startMockServers, type MockServer, type MockSpec, type StartMockOptions } from './servers.js';

/** One step of a scenario: the example Prism answers with, and what upstat reads from it. */
export interface ScenarioStep {
  /** The name of the 200 example (`Prefer: example=<name>`). */
  example: string;
  state: CanonicalState;
  /** The vendor's own status value in the example. */
  raw: string | null | undefined;
  /** Byte progress in [0, 1], for providers that report it. */
  progress?: number;
}

/** An upload scenario: named after the state it ends in (`succeeded`, `failed`, …, `action_required`). */
export interface Scenario {
  provider: string;
  name: CanonicalState;
  /** The examples played in order: queued ones, in-progress ones by progress, then the one of `name`. */
  steps: ScenarioStep[];
}

/** A problem with a provider's spec examples or with a scenario asked for. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = Record<string, Json>;

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

// pnpm lets a package resolve only its direct dependencies: the provider packages are the registry's, so their
// files are resolved from @upstat/providers.
const registryRequire = createRequire(createRequire(import.meta.url).resolve('@upstat/providers/package.json'));

/** Every registry provider's definition, in the registry's order. */
function definitions(): AnyDefinition[] {
  return PROVIDERS.map((provider) => provider.definition as AnyDefinition);
}

/**
 * A provider from outside the registry (a downstream repository's own): its definition and the path of its spec, the
 * effective one (overlay applied: what `upstat-spec generate` writes) or the document itself.
 */
export interface ExternalProvider {
  definition: AnyDefinition;
  specPath: string;
}

/** A registry provider by id, or a provider of your own. */
export type ProviderSource = string | ExternalProvider;

function definitionOf(source: ProviderSource): AnyDefinition {
  if (typeof source !== 'string') return source.definition;
  const id = source;
  const found = definitions().find((definition) => definition.id === id);
  if (found === undefined) {
    throw new ScenarioError(`unknown provider ${JSON.stringify(id)}; the providers are ${definitions().map((definition) => definition.id).join(', ')}`);
  }
  return found;
}

/** The absolute path of the effective spec a provider package ships, `@upstat/<id>/openapi.json` (or an external one's). */
export function providerSpecPath(source: ProviderSource): string {
  if (typeof source !== 'string') return resolve(source.specPath);
  return registryRequire.resolve(`@upstat/${definitionOf(source).id}/openapi.json`);
}

/** A spec file as JSON or YAML, by its extension. */
function parseSpec(path: string, text: string): unknown {
  return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
}

/** Follows local `$ref`s (`#/components/...`) until the value is not a reference. */
function deref(spec: JsonObject, value: Json | undefined): Json | undefined {
  let current = value;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops += 1) {
    if (hops > 32 || !current.$ref.startsWith('#/')) return undefined;
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce<Json | undefined>((node, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), spec);
  }
  return current;
}

/** The named examples of the status operation's 200 JSON response, in the spec's order. */
function namedExamples(definition: AnyDefinition, spec: JsonObject): [name: string, value: Json][] {
  const where = `${definition.id}: GET ${definition.operation.path} 200 application/json`;
  const paths = deref(spec, spec.paths);
  const item = isObject(paths) ? deref(spec, paths[definition.operation.path]) : undefined;
  const operation = isObject(item) ? deref(spec, item.get) : undefined;
  const responses = isObject(operation) ? deref(spec, operation.responses) : undefined;
  const ok = isObject(responses) ? deref(spec, responses['200']) : undefined;
  const content = isObject(ok) ? deref(spec, ok.content) : undefined;
  const media = isObject(content) ? deref(spec, content['application/json']) : undefined;
  if (!isObject(media)) throw new ScenarioError(`${where}: not in the spec`);
  const examples = deref(spec, media.examples);
  if (!isObject(examples)) return [];
  return Object.entries(examples).map(([name, example]) => {
    const resolved = deref(spec, example);
    if (!isObject(resolved) || !('value' in resolved)) throw new ScenarioError(`${where}: example ${JSON.stringify(name)} has no value`);
    return [name, resolved.value ?? null];
  });
}

function stepOf(definition: AnyDefinition, name: string, value: Json): ScenarioStep {
  let reading: ReturnType<AnyDefinition['read']>;
  try {
    reading = definition.read(value);
  } catch (error) {
    throw new ScenarioError(`${definition.id}: the 200 example ${JSON.stringify(name)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const state = mapState(definition.states, reading.value);
  return { example: name, state, raw: reading.value, ...(reading.progress === undefined ? {} : { progress: reading.progress.fraction }) };
}

/** Steps that come before an example of `last`: never past its byte progress, when both report one. */
function before(last: ScenarioStep, steps: ScenarioStep[], state: CanonicalState): ScenarioStep[] {
  return steps.filter((step) => step.state === state && (step.progress === undefined || last.progress === undefined || step.progress <= last.progress));
}

/** A scenario's steps, from steps read out of the spec's examples (see `Scenario.steps`). */
export function deriveScenarios(provider: string, steps: readonly ScenarioStep[]): Scenario[] {
  const ends = new Map<CanonicalState, ScenarioStep>();
  for (const step of steps) {
    if ((isTerminal(step.state) || step.state === 'action_required') && !ends.has(step.state)) ends.set(step.state, step);
  }
  // A stable sort: in-progress examples without byte progress keep the spec's order.
  const ordered = [...steps].sort((a, b) => (a.progress ?? 0) - (b.progress ?? 0));
  return [...ends.values()].map((last) => ({
    provider,
    name: last.state,
    steps: [...before(last, steps as ScenarioStep[], 'queued'), ...before(last, ordered, 'in_progress'), last],
  }));
}

/** The scenarios of a provider's mock, derived from its effective spec's 200 examples and its definition. */
export function providerScenarios(source: ProviderSource): Scenario[] {
  const definition = definitionOf(source);
  const id = definition.id;
  const path = providerSpecPath(source);
  let spec: unknown;
  try {
    spec = parseSpec(path, readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ScenarioError(`${id}: cannot read its effective spec ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(spec)) throw new ScenarioError(`${id}: its spec ${path} is not an object`);
  const steps = namedExamples(definition, spec).map(([name, value]) => stepOf(definition, name, value));
  return deriveScenarios(id, steps);
}

/** The ref field whose value selects a scenario: the last, which must fill the operation path's last segment. */
function scenarioField(definition: AnyDefinition): string {
  const entries = Object.entries(definition.ref);
  const last = entries.at(-1);
  if (last === undefined || !definition.operation.path.endsWith(`/{${last[1]}}`)) {
    throw new ScenarioError(`${definition.id}: its ref's last identifier does not fill the last segment of ${definition.operation.path}`);
  }
  return last[0];
}

/** The operation's path for the definition's example ref: where the mock sends a scenario ref's requests. */
function examplePath(definition: AnyDefinition): string {
  const values = pathParameters(definition, definition.example);
  return definition.operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => encodeURIComponent(values[name] ?? ''));
}

/**
 * The string form of a ref whose mock plays a scenario, e.g. `scenarioRef('nullspace', 'succeeded', 'my-test')`:
 * the definition's example ref with its last identifier `scenario-<name>[-<tag>]`. Each distinct ref plays the
 * scenario from its first step, so a test can take its own tag.
 */
export function scenarioRef(source: ProviderSource, scenario: string, tag?: string): string {
  const definition = definitionOf(source);
  const provider = definition.id;
  const names = providerScenarios(source).map((known) => known.name as string);
  if (!names.includes(scenario)) {
    throw new ScenarioError(`${provider} has no scenario ${JSON.stringify(scenario)}; its scenarios: ${names.join(', ') || 'none'}`);
  }
  if (tag === '') throw new ScenarioError('scenarioRef: the tag must not be empty (leave it out instead)');
  const ref = { ...definition.example, provider: definition.id, [scenarioField(definition)]: `scenario-${scenario}${tag === undefined ? '' : `-${tag}`}` };
  return createRefCodec([definition]).format(ref);
}

export interface StartProviderMocksOptions extends StartMockOptions {
  /** Providers to start, registry ids or providers of your own; every registry provider by default. */
  providers?: readonly ProviderSource[];
}

/** The path of the token URL of a provider that authenticates with OAuth2 client credentials (its first such scheme). */
function tokenPath(definition: AnyDefinition): string | undefined {
  const scheme = clientCredentialsOf(definition.credentials);
  return scheme === undefined ? undefined : new URL(scheme.tokenUrl, 'http://mock.invalid/').pathname;
}

/** What `startMockServers` needs for one provider: its effective spec, its scenarios and where it hands out tokens. */
export function providerMockSpec(source: ProviderSource): MockSpec & { scenarios: MockScenarios } {
  const definition = definitionOf(source);
  scenarioField(definition);
  const steps = Object.fromEntries(providerScenarios(source).map((scenario) => [scenario.name, scenario.steps.map((step) => step.example)]));
  const spec = { name: definition.id, specPath: providerSpecPath(source), scenarios: { examplePath: examplePath(definition), steps } };
  const path = tokenPath(definition);
  return path === undefined ? spec : { ...spec, tokenPath: path };
}

/** Starts the mocks of every registry provider (or of `options.providers`), with their scenarios, in this process. */
export async function startProviderMocks(options: StartProviderMocksOptions = {}): Promise<MockServer[]> {
  const { providers, ...rest } = options;
  const sources = providers ?? definitions().map((definition) => definition.id);
  return startMockServers(sources.map(providerMockSpec), rest);
}

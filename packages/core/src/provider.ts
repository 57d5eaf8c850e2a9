/**
 * A provider is its spec directory plus one typed definition (`packages/<id>/src/definition.ts`) holding every
 * fact about it: who it is, its status operation, how it authenticates, its refs, how its statuses map into the
 * shared model and how its bodies are read. Everything else about a provider — its package's manifest, its client
 * wiring, the facade plug-in, the CLI's tables, the test lists — is generated from or derived from definitions
 * (see CONTRIBUTING.md). Core itself knows no provider: this module only says what a definition is.
 */
import type { CallOptions, BaseClientOptions, ProviderWiring } from './client.js';
import { ConfigurationError, type UpstatError } from './errors.js';
import type { ErrorBodySummary } from './error-body.js';
import type { CredentialDefinition, CredentialSource } from './auth.js';
import type { PackageInfo } from './user-agent.js';
import { isTerminal, mapState, type ProviderStatus, type StateTable, type UploadProgress } from './status.js';

/** Identifies a provider in errors, messages and refs. */
export interface ProviderInfo {
  /** Stable id, e.g. `pandadoc`. */
  readonly id: string;
  /** Name for people, e.g. `PandaDoc`. */
  readonly name: string;
}

/** What a provider's `read` takes out of a status body. */
export interface StatusReading<State extends string = string> {
  /** The vendor's own status value. */
  value: State | null | undefined;
  progress?: UploadProgress | undefined;
  detail?: string | undefined;
  updatedAt?: string | undefined;
}

export interface ProviderDefinition<
  Id extends string = string,
  Method extends string = string,
  Path extends string = string,
  Field extends string = string,
  Body = unknown,
  State extends string = string,
> {
  /** Stable id: the package is `@upstat/<id>`, refs start with `<id>:`, environment variables with `UPSTAT_<ID>_`. */
  readonly id: Id;
  /** The vendor's name for people, e.g. `PandaDoc`. */
  readonly name: string;
  /** The name in generated identifiers: `create<TypeName>Client`, `<TypeName>ClientOptions`, `<TypeName>Ref`. */
  readonly typeName: string;
  /** What is uploaded, e.g. `document section uploads`. */
  readonly summary: string;
  /** The status operation (a GET): its path in the spec, the typed method's name, and its title for docs. */
  readonly operation: { readonly path: Path; readonly method: Method; readonly title: string };
  /** How to authenticate; with more than one, a client takes exactly one of them. */
  readonly credentials: readonly [CredentialDefinition, ...CredentialDefinition[]];
  /** A note on the base URL for docs, when the spec's server is not the one to use. */
  readonly baseUrlNote?: string | undefined;
  /** Extra npm keywords for the package (upstat's own and the id are always there). */
  readonly keywords?: readonly string[] | undefined;
  /** Facts about the provider for its README, one Markdown bullet each. */
  readonly notes?: readonly string[] | undefined;
  /** The ref's identifier fields, in the order of the string form, each with the path parameter it fills. */
  readonly ref: Readonly<Record<Field, string>>;
  /** A ref that exists in the spec's examples (what the mocks answer for), for docs and demos. */
  readonly example: NoInfer<Readonly<Record<Field, string>>>;
  /** The vendor's status values → canonical states (every enum value, when the spec declares an enum). */
  readonly states: StateTable<NoInfer<State>>;
  /** Reads a status body; throws `statusShapeError(...)` for a body that does not match the spec. */
  read(body: Body): StatusReading<State>;
  /** Reads the vendor's own error body shape; the generic reader (`summarizeErrorBody`) is used otherwise. */
  readErrorBody?(body: unknown): ErrorBodySummary;
}

/** Any definition, whatever its types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bodies of every provider differ
export type AnyDefinition = ProviderDefinition<string, string, string, string, any>;

/**
 * Declares a provider. Typed so that the definition is checked where it is written: `example` must have exactly
 * the ref's fields, and where `read` returns an enum, `states` must map every value of it.
 */
export function defineProvider<
  const Id extends string,
  const Method extends string,
  const Path extends string,
  const Field extends string,
  Body,
  State extends string,
>(definition: ProviderDefinition<Id, Method, Path, Field, Body, State>): ProviderDefinition<Id, Method, Path, Field, Body, State> {
  return definition;
}

/** The ref type of a definition: `{ provider: '<id>', <field>: string, ... }`. */
export type RefOf<D> = D extends ProviderDefinition<infer Id, string, string, infer Field> ? { provider: Id } & Record<Field, string> : never;
/** The status body type of a definition. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inference positions
export type BodyOf<D> = D extends ProviderDefinition<any, any, any, any, infer Body, any> ? Body : never;
/** The status of a definition's uploads; for a union of definitions, the union of their statuses. */
export type StatusOf<D> = D extends AnyDefinition ? ProviderStatus<RefOf<D>, BodyOf<D>> : never;

/** The identifier fields of a definition's refs, in the order of the string form. */
export function refFields(definition: AnyDefinition): readonly string[] {
  return Object.keys(definition.ref);
}

/** The path parameters of the status operation for a ref. */
export function pathParameters(definition: AnyDefinition, ref: object): Record<string, string> {
  const record = ref as Record<string, string>;
  return Object.fromEntries(Object.entries(definition.ref).map(([field, parameter]) => [parameter, record[field] as string]));
}

/** The client options shared by every provider of a facade (a provider's own options win). */
export type SharedClientOptions = Pick<
  BaseClientOptions,
  'fetch' | 'retry' | 'timeoutMs' | 'clock' | 'random' | 'maxResponseBytes' | 'onRequest'
>;

/** Fetches the status body of one ref, with the call's options. */
export type StatusFetcher<D extends AnyDefinition = AnyDefinition> = (ref: RefOf<D>, call: CallOptions) => Promise<BodyOf<D>>;

/**
 * What a provider package hands the facade: its definition, and how to make a status fetcher once the facade's
 * shared options are known (`createUpstat({ providers: [pandadoc({ apiKey })] })`).
 */
export interface ProviderPlugin<D extends AnyDefinition = AnyDefinition> {
  readonly definition: D;
  connect(shared: SharedClientOptions): StatusFetcher<D>;
}

/** Thrown by a definition's `read` for a body that does not match the spec; the facade reports it as such. */
export class StatusShapeError extends Error {
  override readonly name = 'StatusShapeError';
}

/** The error a definition's `read` throws when `problem` (e.g. "`status` must be a string") is found. */
export function statusShapeError(problem: string): StatusShapeError {
  return new StatusShapeError(problem);
}

type JsonRecord = Record<string, unknown>;
/** Reader helpers for definitions. */
export const isRecord = (value: unknown): value is JsonRecord => value !== null && typeof value === 'object' && !Array.isArray(value);
export const isOptionalString = (value: unknown): value is string | null | undefined =>
  value === undefined || value === null || typeof value === 'string';
/** A non-blank string, or undefined. */
export const nonBlank = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
export const isByteCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Progress from a byte count and a total (1 for an empty upload). */
export function byteProgress(bytes: number, totalBytes: number): UploadProgress {
  return { bytes, totalBytes, fraction: totalBytes === 0 ? 1 : Math.min(1, bytes / totalBytes) };
}

/**
 * What `createApiClient` needs for a provider, from its definition and the options a user gave: which of the
 * credentials was passed (exactly one), and the vendor's error-body reader. `pkg` names the package in the
 * `User-Agent`; without it, the package is `@upstat/<id>` and no version is given.
 */
export function wiringFor(
  definition: AnyDefinition,
  options: object,
  defaultBaseUrl: string | undefined,
  pkg?: PackageInfo,
): ProviderWiring {
  const provider = { id: definition.id, name: definition.name };
  const given = options as Record<string, CredentialSource | undefined>;
  const isGiven = (credential: CredentialDefinition) => credential.options.some((option) => given[option] !== undefined);
  const passed = definition.credentials.filter(isGiven);
  if (passed.length > 1) {
    throw new ConfigurationError(
      `${definition.name}: pass the options of one credential: ${passed.map((credential) => credential.options.map((option) => `\`${option}\``).join(' and ')).join(', or ')}, not several.`,
      { provider: definition.id },
    );
  }
  const [first] = definition.credentials;
  const chosen = passed[0] ?? first;
  const others = definition.credentials
    .filter((credential) => credential !== first)
    .map((credential) => `\`${credential.options.join('` and `')}\``);
  return {
    provider,
    defaultBaseUrl: defaultBaseUrl ?? '',
    authorization: {
      credential: chosen,
      values: chosen.options.map((option) => given[option]),
      // Named in "no credential" messages: with none given, every option that would do.
      missingHint:
        passed.length === 0 ? `\`${first.options.join('` and `')}\`${others.length > 0 ? ` (or ${others.join(', or ')})` : ''}` : undefined,
    },
    readErrorBody: definition.readErrorBody?.bind(definition),
    package: pkg ?? { name: `@upstat/${definition.id}` },
  };
}

/** Turns a shape error from `read` into the caller's error; anything else passes through. */
export type ShapeErrorFactory = (problem: string) => UpstatError;

/** Reads a body through a definition into the shared status model. */
export function readStatus<D extends AnyDefinition>(
  definition: D,
  ref: RefOf<D>,
  body: BodyOf<D>,
  mismatch: ShapeErrorFactory,
): ProviderStatus<RefOf<D>, BodyOf<D>> {
  let reading: StatusReading;
  try {
    reading = definition.read(body);
  } catch (error) {
    if (error instanceof StatusShapeError) throw mismatch(error.message);
    throw error;
  }
  const state = mapState(definition.states, reading.value);
  const status: ProviderStatus<RefOf<D>, BodyOf<D>> = {
    provider: ref.provider,
    ref,
    state,
    terminal: isTerminal(state),
    raw: { state: reading.value, body },
  };
  if (reading.progress !== undefined) status.progress = reading.progress;
  if (reading.detail !== undefined) status.detail = reading.detail;
  if (reading.updatedAt !== undefined) status.updatedAt = reading.updatedAt;
  return status;
}

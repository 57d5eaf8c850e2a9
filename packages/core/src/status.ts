/**
 * The one status model every provider maps into. A provider's definition (`definition.ts`) says how its
 * vendor's values map; the vendor's own value is always kept next to the canonical state.
 */

export const CANONICAL_STATES = [
  'queued',
  'in_progress',
  'action_required',
  'succeeded',
  'partial',
  'failed',
  'canceled',
  'expired',
  'unknown',
] as const;
export type CanonicalState = (typeof CANONICAL_STATES)[number];

/** The states that end an upload: nothing changes after them. */
export const TERMINAL_STATES: readonly CanonicalState[] = ['succeeded', 'partial', 'failed', 'canceled', 'expired'];

export function isTerminal(state: CanonicalState): boolean {
  return TERMINAL_STATES.includes(state);
}

/**
 * A provider's mapping from its own status values to canonical states. Where the vendor's spec declares an enum,
 * the table must name every value (a value added in a regenerated client fails the build until it is mapped);
 * for an open string, the documented values are listed and anything else is `unknown`.
 */
export type StateTable<State extends string> = string extends State
  ? Readonly<Record<string, CanonicalState>>
  : Readonly<Record<State, CanonicalState>>;

/** Looks a vendor value up in a table; anything not listed (or not a string) is `unknown`. */
export function mapState(table: Readonly<Record<string, CanonicalState>>, value: unknown): CanonicalState {
  return typeof value === 'string' && Object.hasOwn(table, value) ? (table[value] ?? 'unknown') : 'unknown';
}

/** Byte progress, for providers that report it. */
export interface UploadProgress {
  /** Bytes received so far. */
  bytes: number;
  /** Bytes in the whole upload. */
  totalBytes: number;
  /** `bytes / totalBytes`, in [0, 1] (1 for an empty upload). */
  fraction: number;
}

/** A ref: which upload, at which provider. `provider` is the provider's id; the rest are its identifier fields. */
export interface AnyRef {
  readonly provider: string;
}

/** One provider's answer to "is my upload done yet?", in the shared model. */
export interface ProviderStatus<Ref extends AnyRef = AnyRef, Body = unknown> {
  provider: Ref['provider'];
  ref: Ref;
  /** The canonical state (`queued`, `in_progress`, ..., `unknown`). */
  state: CanonicalState;
  /** Whether the state is final (succeeded, partial, failed, canceled, expired). */
  terminal: boolean;
  /** What the vendor said: its own status value, and the whole response body. */
  raw: { state: string | null | undefined; body: Body };
  progress?: UploadProgress;
  /** A short human explanation from the vendor, when it gives one. */
  detail?: string;
  /** When the vendor last changed the upload (ISO 8601), when it says. */
  updatedAt?: string;
  /**
   * The vendor's request id for the response this status was read from, when it sent one in a header
   * (`x-request-id` and the others the error path reads): redacted and capped as on errors. Quote it to the
   * vendor's support.
   */
  requestId?: string;
}

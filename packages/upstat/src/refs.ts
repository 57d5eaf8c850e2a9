import { InvalidArgumentError } from '@upstat/core';

/** The providers the facade knows. */
export const PROVIDER_IDS = ['pandadoc', 'document360', 'sendai', 'nullspace'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** A PandaDoc document section upload. */
export interface PandaDocRef {
  provider: 'pandadoc';
  documentId: string;
  uploadId: string;
}
/** A Document360 drive task. */
export interface Document360Ref {
  provider: 'document360';
  projectId: string;
  taskId: string;
}
/** A Send.ai upload. */
export interface SendaiRef {
  provider: 'sendai';
  teamId: string;
  projectId: string;
  uploadId: string;
}
/** A Nullspace resumable upload session. */
export interface NullspaceRef {
  provider: 'nullspace';
  sandboxId: string;
  uploadId: string;
}

/** Identifies one upload at one provider. */
export type UploadRef = PandaDocRef | Document360Ref | SendaiRef | NullspaceRef;
export type RefFor<P extends ProviderId> = Extract<UploadRef, { provider: P }>;

/** The identifier fields of each provider's ref, in the order of the string form. */
export const REF_FIELDS = {
  pandadoc: ['documentId', 'uploadId'],
  document360: ['projectId', 'taskId'],
  sendai: ['teamId', 'projectId', 'uploadId'],
  nullspace: ['sandboxId', 'uploadId'],
} as const satisfies { [P in ProviderId]: readonly Exclude<keyof RefFor<P>, 'provider'>[] };

/** The string form of each provider's ref, for messages and docs. */
export const REF_FORMATS: Readonly<Record<ProviderId, string>> = Object.fromEntries(
  PROVIDER_IDS.map((id) => [id, `${id}:${REF_FIELDS[id].map((field) => `<${field}>`).join('/')}`]),
) as Record<ProviderId, string>;

const EXPECTED = `expected one of ${PROVIDER_IDS.map((id) => REF_FORMATS[id]).join(', ')} (identifiers percent-encoded where they contain "/", ":" or "%")`;

function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}

function invalid(input: string, problem: string): InvalidArgumentError {
  return new InvalidArgumentError(`${input} is not an upload ref: ${problem}; ${EXPECTED}.`, { provider: 'upstat', argument: 'ref' });
}

/** How much of one identifier (or of a ref string) an error message shows. */
const SHOWN_CHARACTERS = 100;

function shorten(text: string): string {
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(shorten(value));
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

function describeRefObject(record: Record<string, unknown>): string {
  const provider = record.provider;
  const fields = isProviderId(provider) ? REF_FIELDS[provider] : [];
  const parts = [`provider: ${describeValue(provider)}`, ...fields.map((field) => `${field}: ${describeValue(record[field])}`)];
  return `{ ${parts.join(', ')} }`;
}

function fieldsOf(ref: UploadRef): readonly string[] {
  return REF_FIELDS[ref.provider].map((field) => (ref as unknown as Record<string, string>)[field] ?? '');
}

/**
 * The string form of a ref: `<provider>:<id>/<id>...`, e.g. `pandadoc:BhVzRcxH9Z2LgfPPGXFUBa/LQ6cUT7xevPLUEgJeF8Zrm`.
 * Each identifier is percent-encoded (as `encodeURIComponent` does), so any identifier round-trips.
 */
export function formatRef(ref: UploadRef): string {
  const checked = toRef(ref);
  return `${checked.provider}:${fieldsOf(checked).map(encodeURIComponent).join('/')}`;
}

/** Parses the string form; `parseRef(formatRef(ref))` equals `ref`. Throws `InvalidArgumentError` saying what is wrong. */
export function parseRef(text: string): UploadRef {
  if (typeof text !== 'string') throw invalid(describeValue(text), `got ${typeof text}, not a string`);
  const shown = JSON.stringify(shorten(text));
  const colon = text.indexOf(':');
  if (colon === -1) throw invalid(shown, 'it has no "<provider>:" prefix');
  const provider = text.slice(0, colon);
  if (!isProviderId(provider)) throw invalid(shown, `unknown provider ${JSON.stringify(shorten(provider))}`);
  const fields = REF_FIELDS[provider];
  const parts = text.slice(colon + 1).split('/');
  if (parts.length !== fields.length) {
    throw invalid(
      shown,
      `${provider} needs ${fields.length} identifiers (${REF_FORMATS[provider]}), got ${parts.length}`,
    );
  }
  const values = parts.map((part, index) => {
    const field = fields[index] ?? '';
    if (part === '') throw invalid(shown, `${field} is empty`);
    try {
      return decodeURIComponent(part);
    } catch {
      throw invalid(shown, `${field} has a malformed percent-escape`);
    }
  });
  return Object.fromEntries([['provider', provider], ...fields.map((field, index) => [field, values[index]])]) as UploadRef;
}

/** Accepts a ref object or its string form and returns a checked ref object. */
export function toRef(input: UploadRef | string): UploadRef {
  if (typeof input === 'string') return parseRef(input);
  // JavaScript callers can pass anything.
  const value: unknown = input;
  if (value === null || typeof value !== 'object') throw invalid(describeValue(value), 'not a ref object or string');
  // Only an error shows the ref, so it is described only then (this runs on every status call). It shows
  // the provider and the identifier fields, each shortened, never the rest of a caller's object: an extra
  // field may hold anything, a credential included.
  const shown = () => describeRefObject(input as unknown as Record<string, unknown>);
  const provider: unknown = (input as { provider?: unknown }).provider;
  if (!isProviderId(provider)) throw invalid(shown(), `unknown provider ${describeValue(provider)}`);
  const record = input as unknown as Record<string, unknown>;
  for (const field of REF_FIELDS[provider]) {
    const value = record[field];
    if (typeof value !== 'string' || value === '') throw invalid(shown(), `${field} must be a non-empty string`);
    try {
      encodeURIComponent(value);
    } catch {
      throw invalid(shown(), `${field} is not well-formed Unicode`);
    }
  }
  // Keep only the known fields, so the ref a status reports is exactly the ref asked about.
  return Object.fromEntries([['provider', provider], ...REF_FIELDS[provider].map((field) => [field, record[field]])]) as UploadRef;
}

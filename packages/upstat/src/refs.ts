import { InvalidArgumentError, MAX_REQUEST_PATH_LENGTH, refFields, type AnyDefinition, type RefOf } from '@upstat/core';

/**
 * Refs of the providers a facade was given: `{ provider: '<id>', <field>: string, … }`, or the string form
 * `<id>:<field>/<field>…` with each identifier percent-encoded (as `encodeURIComponent` does), so any identifier
 * round-trips. The fields and their order come from each provider's definition.
 */
export interface RefCodec<D extends AnyDefinition = AnyDefinition> {
  /** The string form of each provider's ref, e.g. `<id>:<documentId>/<uploadId>`, by provider id. */
  readonly formats: Readonly<Record<string, string>>;
  /** Parses the string form; `parse(format(ref))` equals `ref`. Throws `InvalidArgumentError` saying what is wrong. */
  readonly parse: (text: string) => RefOf<D>;
  /** The string form of a ref. */
  readonly format: (ref: RefOf<D>) => string;
  /** Accepts a ref object or its string form and returns a checked ref object with only the ref's fields. */
  readonly toRef: (input: RefOf<D> | string) => RefOf<D>;
}

/** Field values made only of these are well-formed Unicode without asking `encodeURIComponent` (the common case of an ID). */
const PLAIN_FIELD = /^[A-Za-z0-9_.~-]+$/;
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

export function createRefCodec<D extends AnyDefinition>(definitions: readonly D[]): RefCodec<D> {
  const fieldsOf = new Map<string, readonly string[]>(definitions.map((definition) => [definition.id, refFields(definition)]));
  const formats: Record<string, string> = Object.fromEntries(
    definitions.map((definition) => [definition.id, `${definition.id}:${refFields(definition).map((field) => `<${field}>`).join('/')}`]),
  );
  const expected = `expected ${Object.values(formats).join(', ')} (identifiers percent-encoded where they contain "/", ":" or "%")`;
  const known = definitions.map((definition) => definition.id).join(', ');

  const invalid = (shown: string, problem: string) =>
    new InvalidArgumentError(`${shown} is not an upload ref: ${problem}; ${expected}.`, { provider: 'upstat', argument: 'ref' });
  // `id` is the caller's value as given; it is shown quoted and cut, and named in the hint only when it is an id.
  const unknownProvider = (shown: string, id: unknown) =>
    invalid(
      shown,
      // Only packages that exist are named: upstat's own providers are @upstat/<id>; any other is one's own definition.
      `${describeValue(id)} is not one of the providers given to createUpstat (${known}); plug it in: the plug-in of its ` +
        'package for one of upstat\'s (e.g. `nullspace({ apiKey })` from @upstat/nullspace; see @upstat/providers), ' +
        'or `pluginFor(definition, options)` for a provider of your own',
    );

  // The length of the status request's path for a ref, as the client would build it (packages/core/src/path-params.ts
  // refuses longer paths before sending): a ref no server would accept is refused here, where a durable wait would
  // otherwise be stored for it. Identifiers are percent-encoded in the path.
  const literalLength = new Map(definitions.map((definition) => [definition.id, definition.operation.path.replace(/\{[^{}]+\}/g, '').length]));
  const encodedLength = (value: string) => (PLAIN_FIELD.test(value) ? value.length : encodeURIComponent(value).length);
  function checkPathLength(shown: () => string, provider: string, fields: readonly string[], values: readonly string[]): void {
    // Every status call reads its ref through here: sum first, and describe only a path that is too long.
    let total = literalLength.get(provider) ?? 0;
    for (const value of values) total += encodedLength(value);
    if (total <= MAX_REQUEST_PATH_LENGTH) return;
    const lengths = values.map(encodedLength);
    const longest = lengths.indexOf(Math.max(...lengths));
    throw invalid(
      shown(),
      `${fields[longest] ?? ''} is too long (${lengths[longest] ?? 0} characters percent-encoded): the status request's path would be ${total} characters, over the ${MAX_REQUEST_PATH_LENGTH} HTTP servers must accept (RFC 9110 §4.1)`,
    );
  }

  /** An invalid ref object, shown by its provider and identifier fields only: other fields may hold anything. */
  const describeRefObject = (record: Record<string, unknown>): string => {
    const provider = record.provider;
    const fields = typeof provider === 'string' ? (fieldsOf.get(provider) ?? []) : [];
    const parts = [`provider: ${describeValue(provider)}`, ...fields.map((field) => `${field}: ${describeValue(record[field])}`)];
    return `{ ${parts.join(', ')} }`;
  };

  function parse(text: string): RefOf<D> {
    if (typeof text !== 'string') throw invalid(describeValue(text), `got ${typeof text}, not a string`);
    const shown = JSON.stringify(shorten(text));
    const colon = text.indexOf(':');
    if (colon === -1) throw invalid(shown, 'it has no "<provider>:" prefix');
    const provider = text.slice(0, colon);
    const fields = fieldsOf.get(provider);
    if (fields === undefined) throw unknownProvider(shown, provider);
    const parts = text.slice(colon + 1).split('/');
    if (parts.length !== fields.length) {
      throw invalid(shown, `${provider} needs ${fields.length} identifiers (${formats[provider] ?? ''}), got ${parts.length}`);
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
    const ref = Object.fromEntries([['provider', provider], ...fields.map((field, index) => [field, values[index]])]) as Record<string, string>;
    checkPathLength(() => shown, provider, fields, values);
    return ref as RefOf<D>;
  }

  function toRef(input: RefOf<D> | string): RefOf<D> {
    if (typeof input === 'string') return parse(input);
    // JavaScript callers can pass anything.
    const value: unknown = input;
    if (value === null || typeof value !== 'object') throw invalid(describeValue(value), 'not a ref object or string');
    const record = value as Record<string, unknown>;
    // Only an error shows the ref, so it is described only then (this runs on every status call).
    const shown = () => describeRefObject(record);
    const provider = record.provider;
    const fields = typeof provider === 'string' ? fieldsOf.get(provider) : undefined;
    if (fields === undefined || typeof provider !== 'string') throw unknownProvider(shown(), provider);
    // Keep only the known fields, so the ref a status reports is exactly the ref asked about.
    const ref: Record<string, unknown> = { provider };
    for (const field of fields) {
      const fieldValue = record[field];
      if (typeof fieldValue !== 'string' || fieldValue === '') throw invalid(shown(), `${field} must be a non-empty string`);
      if (!PLAIN_FIELD.test(fieldValue)) {
        try {
          encodeURIComponent(fieldValue);
        } catch {
          throw invalid(shown(), `${field} is not well-formed Unicode`);
        }
      }
      ref[field] = fieldValue;
    }
    checkPathLength(
      shown,
      provider,
      fields,
      fields.map((field) => ref[field] as string),
    );
    return ref as RefOf<D>;
  }

  function format(ref: RefOf<D>): string {
    const checked = toRef(ref) as unknown as Record<string, string>;
    const fields = fieldsOf.get(checked.provider ?? '') ?? [];
    return `${checked.provider ?? ''}:${fields.map((field) => encodeURIComponent(checked[field] ?? '')).join('/')}`;
  }

  return { formats, parse, format, toRef };
}

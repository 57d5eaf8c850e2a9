import { InvalidArgumentError } from './errors.js';
import type { ProviderInfo } from './provider.js';

/**
 * Path parameters are the one place where user input becomes part of the URL, and openapi-fetch
 * passes `.`/`..` through (so `new Request` resolves them and the request leaves its intended path)
 * and silently leaves `{param}` in the URL for null or undefined values. Every client routes path
 * parameters through here instead.
 */

const TEMPLATE_PARAM = /\{([^{}]+)\}/g;
/** Values made only of these need no decoding check and no encoding: the common case of an ID. */
const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Decode percent-escapes until nothing changes, so `%2e`, `%252e`, ... are all seen as `.`. */
function fullyDecode(value: string): string {
  let current = value;
  for (let round = 0; round < 8; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current; // a malformed escape is just literal text; it is encoded below like any other
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${value.toString()}`;
    default:
      return `a value of type ${typeof value}`;
  }
}

/** Validates one path parameter and returns it percent-encoded for a single path segment. */
export function encodePathParameter(provider: ProviderInfo, name: string, value: unknown): string {
  if (typeof value === 'string' && PLAIN_SEGMENT.test(value)) return value;
  const fail = (problem: string) =>
    new InvalidArgumentError(`${provider.name}: path parameter "${name}" ${problem}.`, {
      provider: provider.id,
      argument: name,
    });
  if (typeof value !== 'string') throw fail(`must be a string, got ${describe(value)}`);
  if (value === '') throw fail('must not be empty');
  const decoded = fullyDecode(value);
  if (decoded === '.' || decoded === '..') {
    throw fail(`must not be "${decoded}" (or a percent-encoded form of it): it would change the request path`);
  }
  try {
    return encodeURIComponent(value);
  } catch {
    throw fail('is not well-formed Unicode (it contains an unpaired surrogate)');
  }
}

/** A path template split once: literal text at even indexes, parameter names at odd ones. */
function splitTemplate(template: string): string[] {
  const parts: string[] = [];
  let last = 0;
  for (const match of template.matchAll(TEMPLATE_PARAM)) {
    parts.push(template.slice(last, match.index));
    // OpenAPI path templates here are plain `{name}` (style "simple", no explode).
    parts.push((match[1] as string).replace(/^[.;]/, '').replace(/\*$/, ''));
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

/**
 * The longest request path (percent-encoded, before the query) a client sends: 8,000 octets is what RFC 9110 §4.1
 * asks every HTTP server to accept in a request line, and servers answer longer ones with 414 or drop them. An
 * identifier that makes the path longer cannot be anyone's upload, so it is refused before anything is sent (and
 * before a durable wait is stored for it: packages/upstat/src/refs.ts checks refs against it too).
 */
export const MAX_REQUEST_PATH_LENGTH = 8_000;
/** The scheme and authority at the start of an absolute URL. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** An openapi-fetch `pathSerializer` that fills every `{name}` in the template through the guard. */
export function createPathSerializer(provider: ProviderInfo) {
  // A client calls the same few templates over and over: each is split once (the hot path of every request).
  const split = new Map<string, string[]>();
  return (template: string, params: Record<string, unknown> | undefined): string => {
    let parts = split.get(template);
    if (parts === undefined) {
      parts = splitTemplate(template);
      if (split.size < 256) split.set(template, parts);
    }
    let url = parts[0] as string;
    let longestName = '';
    let longestLength = 0;
    for (let index = 1; index < parts.length; index += 2) {
      const name = parts[index] as string;
      const value = encodePathParameter(provider, name, params?.[name]);
      if (value.length > longestLength) {
        longestName = name;
        longestLength = value.length;
      }
      url += value + (parts[index + 1] as string);
    }
    // openapi-fetch hands over the base URL and the path as one template: the origin is not part of the path.
    const pathLength = url.length - (ORIGIN.exec(url)?.[0].length ?? 0);
    if (pathLength > MAX_REQUEST_PATH_LENGTH) {
      throw new InvalidArgumentError(
        `${provider.name}: path parameter "${longestName}" is too long: it is ${longestLength} characters (percent-encoded), which makes the request path ${pathLength}, over the ${MAX_REQUEST_PATH_LENGTH} HTTP servers must accept (RFC 9110 §4.1).`,
        { provider: provider.id, argument: longestName },
      );
    }
    return url;
  };
}

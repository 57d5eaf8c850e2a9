/**
 * The generic error-body reader: what most APIs send, without knowing any vendor. A provider whose errors say
 * more (a hint, a message under another name) reads them in its definition's `readErrorBody`, usually on top
 * of this one.
 *
 * Shapes understood:
 * - RFC 7807 problem details: `{ type, title, status, detail?, ... }`
 * - an error envelope: `{ error: { message, code, request_id } }`
 * - `{ message | detail | error (a string), code | type }` at the top level
 * Request ids from `request_id`, `requestId`, `trace_id` or `traceId`. Unknown shapes give no summary; the body
 * is still kept on the error.
 */

export interface ErrorBodySummary {
  /** A one-line human explanation taken from the body. */
  message?: string | undefined;
  /** The vendor's request or trace id, from the body. */
  requestId?: string | undefined;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A trimmed non-blank string, or undefined. */
export function bodyText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `message [code]`, or whichever of the two there is. */
export function withCode(message: string | undefined, code: string | undefined): string | undefined {
  if (message === undefined) return code;
  return code === undefined ? message : `${message} [${code}]`;
}

/** The present parts, joined with a dash. */
export function joinSentences(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined);
  return present.length === 0 ? undefined : present.join(' — ');
}

/** Header names APIs commonly use for a request id, read when the body has none. */
export const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-trace-id', 'x-correlation-id'];

function requestIdIn(value: JsonObject): string | undefined {
  return bodyText(value.request_id) ?? bodyText(value.requestId) ?? bodyText(value.trace_id) ?? bodyText(value.traceId);
}

export function summarizeErrorBody(body: unknown): ErrorBodySummary {
  if (!isObject(body)) return {};
  const envelope = isObject(body.error) ? body.error : undefined;
  if (envelope) {
    return {
      message: withCode(bodyText(envelope.message), bodyText(envelope.code)),
      requestId: requestIdIn(envelope) ?? requestIdIn(body),
    };
  }
  const problem = bodyText(body.title) !== undefined && (typeof body.status === 'number' || bodyText(body.type) !== undefined);
  return {
    message: problem
      ? joinSentences(bodyText(body.title), bodyText(body.detail))
      : withCode(bodyText(body.detail) ?? bodyText(body.message) ?? bodyText(body.error), bodyText(body.type) ?? bodyText(body.code)),
    requestId: requestIdIn(body),
  };
}

/**
 * Reading the error bodies the four vendors send, in one place.
 *
 * Known shapes:
 * - RFC 7807 problem details (Document360): `{ type, title, status, detail?, trace_id? }`
 * - an error envelope (Nullspace): `{ error: { code, message, hint, request_id, ... } }`
 * - `{ type, detail }` (PandaDoc), and PandaDoc's 409 `{ id, status, info_message }`
 * - anything with a top-level `message`
 * Unknown shapes give no summary; the body is still kept on the error.
 */

export interface ErrorBodySummary {
  /** A one-line human explanation taken from the body. */
  message?: string | undefined;
  /** The vendor's request or trace id, from the body or the response headers. */
  requestId?: string | undefined;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function withCode(message: string | undefined, code: string | undefined): string | undefined {
  if (message === undefined) return code;
  return code === undefined ? message : `${message} [${code}]`;
}

function joinSentences(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined);
  return present.length === 0 ? undefined : present.join(' — ');
}

/** Header names vendors commonly use for a request id, checked when the body has none. */
export const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-trace-id', 'x-correlation-id'];

export function summarizeErrorBody(body: unknown, headers?: Headers): ErrorBodySummary {
  const summary: ErrorBodySummary = {};
  if (isObject(body)) {
    const envelope = isObject(body.error) ? body.error : undefined;
    if (envelope) {
      const hint = text(envelope.hint);
      summary.message = joinSentences(
        withCode(text(envelope.message), text(envelope.code)),
        hint === undefined ? undefined : `hint: ${hint}`,
      );
      summary.requestId = text(envelope.request_id) ?? text(envelope.requestId);
    } else if (text(body.title) !== undefined && (typeof body.status === 'number' || text(body.type) !== undefined)) {
      summary.message = joinSentences(text(body.title), text(body.detail));
    } else {
      summary.message = withCode(
        text(body.detail) ?? text(body.message) ?? text(body.info_message),
        text(body.type) ?? text(body.code),
      );
    }
    summary.requestId ??= text(body.trace_id) ?? text(body.request_id) ?? text(body.requestId);
  }
  if (summary.requestId === undefined && headers) {
    for (const name of REQUEST_ID_HEADERS) {
      const value = text(headers.get(name));
      if (value !== undefined) {
        summary.requestId = value;
        break;
      }
    }
  }
  return summary;
}

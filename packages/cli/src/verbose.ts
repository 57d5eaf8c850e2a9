/**
 * `--verbose`: each HTTP attempt as one line on stderr, from the library's request hook (`onRequest`). The hook's
 * event comes from the client's redaction boundary (`packages/core/src/redact.ts`): its URL, status and request id
 * never hold a credential, and request headers are not in it at all.
 */
import type { RequestEvent, RequestHook } from 'upstat';
import { formatDuration } from './duration.js';
import { printable } from './terminal.js';

/** One line for an attempt, e.g. `upstat: GET https://… → 200 in 84ms (sendai, attempt 1, request id req_1)`. */
export function requestLine(event: RequestEvent): string {
  // A response says its status (and the error it made, by kind); a failure without one says why.
  const outcome =
    event.status !== undefined
      ? `${event.status}${event.error ? ` ${event.error.kind}` : ''}`
      : event.error
        ? `${event.error.kind}: ${event.error.message}`
        : 'no response';
  const notes = [event.provider, `attempt ${event.attempt}`];
  if (event.requestId !== undefined) notes.push(`request id ${event.requestId}`);
  if (event.retryInMs !== undefined) notes.push(`retry in ${formatDuration(Math.round(event.retryInMs))}`);
  // What came from the server (status text in a message, a request id) is made printable for the terminal.
  return printable(`upstat: ${event.method} ${event.url} → ${outcome} in ${formatDuration(Math.round(event.durationMs))} (${notes.join(', ')})`);
}

/** The facade options that log each attempt through `say` (which keeps a live display intact). */
export function requestLogger(say: (line: string) => void): { onRequest: RequestHook } {
  return {
    onRequest(event) {
      say(requestLine(event));
    },
  };
}

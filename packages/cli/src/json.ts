/**
 * The `--json` contract: JSON lines, one compact document per line, each with a `type`. The shapes are described
 * by the JSON Schema `schema/output.schema.json` (shipped as `@upstat/cli/schema/output.schema.json`); change both
 * together. Field names are the library's `Status` (`provider`, `ref`, `state`, `terminal`, `raw`, `progress`,
 * `detail`, `updatedAt`, `requestId`) plus `refString`, the ref's string form. Absent values are `null`, so
 * every field is always there.
 */
import { AbortError, ApiError, UploadFailedError, UpstatError, WaitTimeoutError, type AnyStatus } from 'upstat';
import type { Failure } from './outcome.js';
import { formatRef } from './providers.js';

/** A status in the shared model, as JSON. The body is the one the library kept (already redacted). */
export function statusFields(status: AnyStatus) {
  // `requestId` is the vendor's request id on a successful status, when the library and the vendor give one.
  const { requestId } = status as AnyStatus & { requestId?: unknown };
  return {
    provider: status.provider,
    ref: status.ref,
    refString: formatRef(status.ref),
    state: status.state,
    terminal: status.terminal,
    raw: { state: status.raw.state ?? null, body: status.raw.body ?? null },
    progress: status.progress ?? null,
    detail: status.detail ?? null,
    updatedAt: status.updatedAt ?? null,
    requestId: typeof requestId === 'string' ? requestId : null,
  };
}

/**
 * `status`: a status that `upstat status` fetched, or the status a wait ended with (an accepted or --stop-on state);
 * `update`: a change a wait saw on its way (`wait --stream`).
 */
export function statusDocument(type: 'status' | 'update', status: AnyStatus): string {
  return JSON.stringify({ type, ...statusFields(status) });
}

/** Where an error belongs: the ref as parsed, or the text given when it did not parse; neither for the whole command. */
export interface ErrorSubject {
  ref?: { provider: string } | undefined;
  text?: string | undefined;
}

/**
 * `error`: one ref's failure (or the command's, with `ref` and `refString` null); `message`, when given, is the one
 * printed on stderr (the command line's wording of the library's). `exitCode` is what that failure
 * alone would exit with; `lastStatus` is the status a failed upload ended with, or the last one a wait that timed out or
 * was interrupted saw.
 */
export function errorDocument(error: unknown, failure: Failure, subject: ErrorSubject = {}, message?: string): string {
  const upstat = error instanceof UpstatError ? error : undefined;
  let lastStatus: AnyStatus | undefined;
  if (error instanceof UploadFailedError) lastStatus = error.finalStatus as AnyStatus;
  if (error instanceof WaitTimeoutError || error instanceof AbortError) lastStatus = error.lastStatus as AnyStatus | undefined;
  const ref = subject.ref ?? lastStatus?.ref;
  return JSON.stringify({
    type: 'error',
    ref: ref ?? null,
    refString: ref === undefined ? (subject.text ?? null) : formatRef(ref),
    exitCode: failure.code,
    error: {
      kind: failure.kind,
      message: message ?? (error instanceof Error ? error.message : String(error)),
      provider: upstat?.provider ?? ref?.provider ?? null,
      status: upstat?.status ?? null,
      requestId: upstat?.requestId ?? null,
      retryAfterMs: error instanceof ApiError ? (error.retryAfterMs ?? null) : null,
      reason: error instanceof WaitTimeoutError ? error.reason : null,
    },
    lastStatus: lastStatus === undefined ? null : statusFields(lastStatus),
  });
}

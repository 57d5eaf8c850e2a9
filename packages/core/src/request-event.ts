/**
 * The request hook: what a client tells `onRequest` about each HTTP attempt, for logging and debugging (the CLI's
 * `--verbose` prints these). Everything in an event has passed the client's redaction boundary (`redact.ts`).
 */

/** One HTTP attempt, reported once when it ends: with a response (whole body read) or with a failure. */
export interface RequestEvent {
  /** Provider id, e.g. `pandadoc`. */
  provider: string;
  /** The operation, `GET /path/{template}`. */
  operation: string;
  /** The HTTP method, e.g. `GET`. */
  method: string;
  /** The URL requested, redacted. */
  url: string;
  /** Which attempt of the call this was, from 1 (retries count up). */
  attempt: number;
  /** From sending the request to the end of the attempt (body read, or failure), in milliseconds. */
  durationMs: number;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The vendor's request or trace id, when it sent one (redacted, capped like on errors). */
  requestId?: string;
  /** Why the attempt failed (with or without a response): the error's `kind` and message. */
  error?: { kind: string; message: string };
  /** When another attempt follows: the wait before it, in milliseconds. */
  retryInMs?: number;
}

/** A request hook; see `BaseClientOptions.onRequest`. */
export type RequestHook = (event: RequestEvent) => void;

/**
 * Calls each hook with the event. A hook that throws does not change the request: its error is re-thrown on its
 * own, from a microtask, where the runtime reports it as uncaught (Node: `uncaughtException`; browsers: the
 * `error` event and the console) — the way Node's `diagnostics_channel` treats a subscriber that throws, and the
 * way browsers treat an event listener that throws. It is never swallowed, and never turned into the call's error.
 */
export function notifyRequest(hooks: readonly (RequestHook | undefined)[], event: RequestEvent): void {
  const frozen = Object.freeze(event);
  for (const hook of hooks) {
    if (hook === undefined) continue;
    try {
      hook(frozen);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

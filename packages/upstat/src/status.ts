import type { TaskStatusResponse } from '@upstat/document360';
import type { UploadSession } from '@upstat/nullspace';
import type { SectionUploadStatus } from '@upstat/pandadoc';
import type { GetUploadResponse } from '@upstat/sendai';
import type { ProviderId, UploadRef } from './refs.js';
import type { CanonicalState } from './states.js';

/** The vendor's response body for each provider's status call. */
export interface ProviderBodies {
  pandadoc: SectionUploadStatus;
  document360: TaskStatusResponse;
  sendai: GetUploadResponse;
  nullspace: UploadSession;
}

/** Byte progress, for providers that report it (Nullspace). */
export interface UploadProgress {
  /** Bytes received so far. */
  bytes: number;
  /** Bytes in the whole upload. */
  totalBytes: number;
  /** `bytes / totalBytes`, in [0, 1] (1 for an empty upload). */
  fraction: number;
}

/** One provider's answer to "is my upload done yet?", in the shared model, for one kind of ref. */
export interface ProviderStatus<R extends UploadRef> {
  provider: R['provider'];
  ref: R;
  /** The canonical state (`queued`, `in_progress`, ..., `unknown`). */
  state: CanonicalState;
  /** Whether the state is final (succeeded, partial, failed, canceled, expired). */
  terminal: boolean;
  /** What the vendor said: its own status value, and the whole response body. */
  raw: { state: string | null | undefined; body: ProviderBodies[R['provider']] };
  progress?: UploadProgress;
  /** A short human explanation from the vendor, when it gives one (e.g. PandaDoc's info_message). */
  detail?: string;
  /** When the vendor last changed the upload (ISO 8601), when it says. */
  updatedAt?: string;
}

/**
 * The status of an upload at the provider of `R`. For a union of refs (the default) it is the union of
 * each provider's status, so checking `status.provider` narrows `raw.body` to that vendor's type.
 */
export type Status<R extends UploadRef = UploadRef> = R extends UploadRef ? ProviderStatus<R> : never;

/** A status for any provider, narrowed by `provider`. */
export type AnyStatus = Status;

/** The status for one provider id. */
export type StatusOf<P extends ProviderId> = Status<Extract<UploadRef, { provider: P }>>;

import { capText, UnexpectedResponseError, type CallOptions } from '@upstat/core';
import { createDocument360Client, document360, type Document360ClientOptions, type TaskStatusResponse } from '@upstat/document360';
import { createNullspaceClient, nullspace, type NullspaceClientOptions, type UploadSession } from '@upstat/nullspace';
import { createPandaDocClient, pandadoc, type PandaDocClientOptions, type SectionUploadStatus } from '@upstat/pandadoc';
import { createSendaiClient, sendai, type GetUploadResponse, type SendaiClientOptions } from '@upstat/sendai';
import type { Document360Ref, NullspaceRef, PandaDocRef, ProviderId, RefFor, SendaiRef } from './refs.js';
import { DOCUMENT360_STATES, isTerminal, mapState, NULLSPACE_STATES, PANDADOC_STATES, SENDAI_STATES, type CanonicalState } from './states.js';
import type { ProviderBodies, Status, UploadProgress } from './status.js';

/** The options each provider's client takes. */
export interface ProviderOptions {
  pandadoc: PandaDocClientOptions;
  document360: Document360ClientOptions;
  sendai: SendaiClientOptions;
  nullspace: NullspaceClientOptions;
}

/** What the facade knows about one provider: how to fetch a ref's body and read it into a Status. */
interface Adapter<P extends ProviderId> {
  name: string;
  fetcher(options: ProviderOptions[P]): (ref: RefFor<P>, call: CallOptions) => Promise<ProviderBodies[P]>;
  /** The vendor's status value and the fields the model reads; throws UnexpectedResponseError on a body of the wrong shape. */
  read(body: ProviderBodies[P]): { value: string | null | undefined; state: CanonicalState; progress?: UploadProgress; detail?: string; updatedAt?: string };
}

type JsonRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is JsonRecord => value !== null && typeof value === 'object' && !Array.isArray(value);
const optionalString = (value: unknown): value is string | null | undefined => value === undefined || value === null || typeof value === 'string';
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

function unexpected(provider: ProviderId, name: string, problem: string, body: unknown): UnexpectedResponseError {
  return new UnexpectedResponseError(`${name} returned a status body that does not match its spec: ${problem}.`, {
    provider,
    body,
    rawText: capText(body === undefined ? 'undefined' : JSON.stringify(body)),
  });
}

const pandadocAdapter: Adapter<'pandadoc'> = {
  name: pandadoc.name,
  fetcher: (options) => {
    const client = createPandaDocClient(options);
    return (ref: PandaDocRef, call) => client.getSectionUploadStatus({ document_id: ref.documentId, upload_id: ref.uploadId }, call);
  },
  read: (body: SectionUploadStatus) => {
    if (!isRecord(body) || !optionalString(body.status)) throw unexpected('pandadoc', 'PandaDoc', '`status` must be a string', body);
    const detail = text(body.info_message);
    const updatedAt = text(body.date_modified);
    return {
      value: body.status,
      state: mapState(PANDADOC_STATES, body.status),
      ...(detail === undefined ? {} : { detail }),
      ...(updatedAt === undefined ? {} : { updatedAt }),
    };
  },
};

const document360Adapter: Adapter<'document360'> = {
  name: document360.name,
  fetcher: (options) => {
    const client = createDocument360Client(options);
    return (ref: Document360Ref, call) => client.getTaskStatus({ project_id: ref.projectId, task_id: ref.taskId }, call);
  },
  read: (body: TaskStatusResponse) => {
    if (!isRecord(body) || !isRecord(body.data)) throw unexpected('document360', 'Document360', '`data` must be an object', body);
    if (!optionalString(body.data.status)) throw unexpected('document360', 'Document360', '`data.status` must be a string or null', body);
    const problem = Array.isArray(body.errors) ? body.errors.find((error) => text(error.message)) : undefined;
    return {
      value: body.data.status,
      state: mapState(DOCUMENT360_STATES, body.data.status),
      ...(problem?.message ? { detail: problem.message } : {}),
    };
  },
};

const sendaiAdapter: Adapter<'sendai'> = {
  name: sendai.name,
  fetcher: (options) => {
    const client = createSendaiClient(options);
    return (ref: SendaiRef, call) =>
      client.getUpload({ team_id: ref.teamId, project_id: ref.projectId, upload_id: ref.uploadId }, call);
  },
  read: (body: GetUploadResponse) => {
    if (!isRecord(body) || !isRecord(body.payload)) throw unexpected('sendai', 'Send.ai', '`payload` must be an object', body);
    if (!optionalString(body.payload.status)) throw unexpected('sendai', 'Send.ai', '`payload.status` must be a string', body);
    return { value: body.payload.status, state: mapState(SENDAI_STATES, body.payload.status) };
  },
};

const isByteCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

const nullspaceAdapter: Adapter<'nullspace'> = {
  name: nullspace.name,
  fetcher: (options) => {
    const client = createNullspaceClient(options);
    return (ref: NullspaceRef, call) => client.getUploadSession({ id: ref.sandboxId, upload_id: ref.uploadId }, call);
  },
  read: (body: UploadSession) => {
    if (!isRecord(body) || typeof body.status !== 'string') throw unexpected('nullspace', 'Nullspace', '`status` must be a string', body);
    if (!isByteCount(body.accepted_bytes) || !isByteCount(body.content_length)) {
      throw unexpected('nullspace', 'Nullspace', '`accepted_bytes` and `content_length` must be byte counts', body);
    }
    const fraction = body.content_length === 0 ? 1 : Math.min(1, body.accepted_bytes / body.content_length);
    const updatedAt = text(body.updated_at);
    return {
      value: body.status,
      state: mapState(NULLSPACE_STATES, body.status),
      progress: { bytes: body.accepted_bytes, totalBytes: body.content_length, fraction },
      ...(updatedAt === undefined ? {} : { updatedAt }),
    };
  },
};

export const ADAPTERS: { [P in ProviderId]: Adapter<P> } = {
  pandadoc: pandadocAdapter,
  document360: document360Adapter,
  sendai: sendaiAdapter,
  nullspace: nullspaceAdapter,
};

/** Builds the shared Status from a provider's body. */
export function toStatus<P extends ProviderId>(ref: RefFor<P>, body: ProviderBodies[P]): Status<RefFor<P>> {
  const adapter = ADAPTERS[ref.provider] as unknown as Adapter<P>;
  const { value, state, ...facts } = adapter.read(body);
  return {
    provider: ref.provider,
    ref,
    state,
    terminal: isTerminal(state),
    raw: { state: value, body },
    ...facts,
  } as Status<RefFor<P>>;
}

import { createApiClient, type BaseClientOptions, type CredentialSource } from '@upstat/core';
import type { components, operations, paths } from './generated/openapi.js';
import { specInfo } from './generated/spec-info.js';

export type { components, operations, paths };
export { specInfo };

/**
 * A resumable upload session. Byte counts are uint64 in the API; JavaScript numbers hold them exactly
 * up to 2^53 − 1 bytes (8 PiB).
 */
export type UploadSession = components['schemas']['UploadSession'];
/** `created`, `uploading`, `staged`, `completing`, `completed`, `aborted`, `expired` or `failed`. */
export type UploadSessionStatus = UploadSession['status'];
/** Body of every error response: `{ error: { code, message, hint, doc_url, request_id, retryable, suggested_action } }`. */
export type ErrorResponse = components['schemas']['ErrorResponse'];

export const nullspace = { id: 'nullspace', name: 'Nullspace' } as const;

export interface NullspaceClientOptions extends BaseClientOptions {
  /** API key, sent as `Authorization: Bearer <key>`. */
  apiKey: CredentialSource;
  /**
   * The default is the address in the vendor's request samples, which the vendor describes as
   * temporary: set the base URL your Nullspace account uses.
   */
  baseUrl?: string | undefined;
}

export function createNullspaceClient(options: NullspaceClientOptions) {
  const client = createApiClient<paths>(options, {
    provider: nullspace,
    defaultBaseUrl: specInfo.defaultServerUrl,
    authorization: { scheme: 'Bearer', credential: options.apiKey, option: 'apiKey' },
  });
  return {
    baseUrl: client.baseUrl,
    raw: client.raw,
    /** Get resumable upload session status: `GET /v1/sandboxes/{id}/uploads/{upload_id}`. */
    getUploadSession: client.get('/v1/sandboxes/{id}/uploads/{upload_id}'),
  };
}

export type NullspaceClient = ReturnType<typeof createNullspaceClient>;

import { createApiClient, type BaseClientOptions, type CredentialSource } from '@upstat/core';
import type { components, operations, paths } from './generated/openapi.js';
import { specInfo } from './generated/spec-info.js';

export type { components, operations, paths };
export { specInfo };

/** The response: `{ payload: Upload }`. */
export type GetUploadResponse = components['schemas']['GetUploadResponse'];
/** An upload. `status` is an open string (PROCESSING, REVIEWING, IN_REVIEW, COMPLETED, PARTIAL, FAILED, ...). */
export type Upload = components['schemas']['Upload'];

export const sendai = { id: 'sendai', name: 'Send.ai' } as const;

export interface SendaiClientOptions extends BaseClientOptions {
  /** API key with the `upload.read` scope, sent as `Authorization: Bearer <key>`. */
  apiKey: CredentialSource;
}

export function createSendaiClient(options: SendaiClientOptions) {
  const client = createApiClient<paths>(options, {
    provider: sendai,
    defaultBaseUrl: specInfo.defaultServerUrl,
    authorization: { scheme: 'Bearer', credential: options.apiKey, option: 'apiKey' },
  });
  return {
    baseUrl: client.baseUrl,
    raw: client.raw,
    /** Get Upload: `GET /v2/{team_id}/project/{project_id}/upload/{upload_id}`. */
    getUpload: client.get('/v2/{team_id}/project/{project_id}/upload/{upload_id}'),
  };
}

export type SendaiClient = ReturnType<typeof createSendaiClient>;

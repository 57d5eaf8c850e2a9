import { createApiClient, type BaseClientOptions, type CredentialSource } from '@upstat/core';
import type { components, operations, paths } from './generated/openapi.js';
import { specInfo } from './generated/spec-info.js';

export type { components, operations, paths };
export { specInfo };

/** The response envelope: `{ data: { task_id, status }, success, request_id, errors, warnings }`. */
export type TaskStatusResponse = components['schemas']['TaskStatusResponse'];
/** `data` of the envelope. `status` is an open string (Pending, InProgress, Processing, Completed, Failed, ...). */
export type TaskStatus = components['schemas']['TaskStatus'];
/** RFC 7807 body of every error response. */
export type ProblemDetails = components['schemas']['ProblemDetails'];

export const document360 = { id: 'document360', name: 'Document360' } as const;

export interface Document360ClientOptions extends BaseClientOptions {
  /** Project API token with the `customerApi` scope, sent as `Authorization: Bearer <token>`. */
  token: CredentialSource;
}

export function createDocument360Client(options: Document360ClientOptions) {
  const client = createApiClient<paths>(options, {
    provider: document360,
    defaultBaseUrl: specInfo.defaultServerUrl,
    authorization: { scheme: 'Bearer', credential: options.token, option: 'token' },
  });
  return {
    baseUrl: client.baseUrl,
    raw: client.raw,
    /** Get task status for an async operation: `GET /v3/projects/{project_id}/drive/tasks/{task_id}`. */
    getTaskStatus: client.get('/v3/projects/{project_id}/drive/tasks/{task_id}'),
  };
}

export type Document360Client = ReturnType<typeof createDocument360Client>;

import { defineProvider, isOptionalString, isRecord, statusShapeError } from '@upstat/core';
import type { components } from './generated/openapi.js';

/** The response: `{ payload: Upload }`. */
export type GetUploadResponse = components['schemas']['GetUploadResponse'];
/** An upload. `status` is an open string (PROCESSING, REVIEWING, IN_REVIEW, COMPLETED, PARTIAL, FAILED, ...). */
export type Upload = components['schemas']['Upload'];

export const definition = defineProvider({
  id: 'sendai',
  name: 'Send.ai',
  typeName: 'Sendai',
  summary: 'uploads',
  operation: { path: '/v2/{team_id}/project/{project_id}/upload/{upload_id}', method: 'getUpload', title: 'Get Upload' },
  credentials: [
    { securityScheme: 'bearerAuth', scheme: { type: 'http', scheme: 'bearer' }, options: ['apiKey'], description: 'API key with the `upload.read` scope, sent as `Authorization: Bearer <key>`' },
  ],
  keywords: ['send.ai', 'upload-status'],
  notes: [
    "The error responses (400, 401, 403, 404, 500) have no documented body.",
  ],
  ref: { teamId: 'team_id', projectId: 'project_id', uploadId: 'upload_id' },
  example: { teamId: 'team_123456', projectId: 'proj_123456', uploadId: 'upl_abcdef123456' },
  // An open string: the documented values and the example's IN_REVIEW; anything else is `unknown`.
  states: {
    PROCESSING: 'in_progress',
    REVIEWING: 'action_required',
    IN_REVIEW: 'action_required',
    COMPLETED: 'succeeded',
    PARTIAL: 'partial',
    FAILED: 'failed',
  },
  read(body: GetUploadResponse) {
    if (!isRecord(body) || !isRecord(body.payload)) throw statusShapeError('`payload` must be an object');
    if (!isOptionalString(body.payload.status)) throw statusShapeError('`payload.status` must be a string');
    return { value: body.payload.status };
  },
});

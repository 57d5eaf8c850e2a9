import {
  bodyText,
  byteProgress,
  defineProvider,
  isByteCount,
  isRecord,
  joinSentences,
  nonBlank,
  statusShapeError,
  summarizeErrorBody,
} from '@upstat/core';
import type { components } from './generated/openapi.js';

/**
 * A resumable upload session. Byte counts are uint64 in the API; JavaScript numbers hold them exactly
 * up to 2^53 − 1 bytes (8 PiB).
 */
export type UploadSession = components['schemas']['UploadSession'];
/** `created`, `uploading`, `staged`, `completing`, `completed`, `aborted`, `expired` or `failed`. */
export type UploadSessionStatus = UploadSession['status'];
/** Body of every error response: `{ error: { code, message, hint, doc_url, request_id, retryable, suggested_action } }`. */
export type ErrorResponse = components['schemas']['ErrorResponse'];

export const definition = defineProvider({
  id: 'nullspace',
  name: 'Nullspace',
  typeName: 'Nullspace',
  summary: 'resumable upload sessions',
  operation: { path: '/v1/sandboxes/{id}/uploads/{upload_id}', method: 'getUploadSession', title: 'Get resumable upload session status' },
  credentials: [{ securityScheme: 'bearerAuth', scheme: { type: 'http', scheme: 'bearer' }, options: ['apiKey'], description: 'API key, sent as `Authorization: Bearer <key>`' }],
  baseUrlNote:
    "The default is the address in the vendor's request samples, which the vendor describes as temporary: set the base URL your Nullspace account uses.",
  keywords: ['sandbox', 'resumable-upload'],
  notes: [
    "Byte counts are uint64 in the API; JavaScript numbers hold them exactly up to 2^53 − 1. Byte progress (`accepted_bytes` of `content_length`) becomes the status's `progress`.",
    "Error bodies are `{ error: { code, message, hint, doc_url, request_id, retryable, suggested_action } }`; `request_id` becomes the error's `requestId`.",
  ],
  ref: { sandboxId: 'id', uploadId: 'upload_id' },
  example: { sandboxId: 'sb_a1b2c3d4', uploadId: 'upl_7Qm2x9K4' },
  states: {
    created: 'queued',
    uploading: 'in_progress',
    staged: 'in_progress',
    completing: 'in_progress',
    completed: 'succeeded',
    aborted: 'canceled',
    expired: 'expired',
    failed: 'failed',
  },
  read(body: UploadSession) {
    if (!isRecord(body) || typeof body.status !== 'string') throw statusShapeError('`status` must be a string');
    if (!isByteCount(body.accepted_bytes) || !isByteCount(body.content_length)) {
      throw statusShapeError('`accepted_bytes` and `content_length` must be byte counts');
    }
    return { value: body.status, progress: byteProgress(body.accepted_bytes, body.content_length), updatedAt: nonBlank(body.updated_at) };
  },
  // The envelope the generic reader knows, plus the `hint` Nullspace adds to it.
  readErrorBody(body) {
    const generic = summarizeErrorBody(body);
    const hint = isRecord(body) && isRecord(body.error) ? bodyText(body.error.hint) : undefined;
    return { ...generic, message: joinSentences(generic.message, hint === undefined ? undefined : `hint: ${hint}`) };
  },
});

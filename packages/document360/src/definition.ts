import { defineProvider, isOptionalString, isRecord, nonBlank, statusShapeError } from '@upstat/core';
import type { components } from './generated/openapi.js';

/** The response envelope: `{ data: { task_id, status }, success, request_id, errors, warnings }`. */
export type TaskStatusResponse = components['schemas']['TaskStatusResponse'];
/** `data` of the envelope. `status` is an open string (Pending, InProgress, Processing, Completed, Failed, ...). */
export type TaskStatus = components['schemas']['TaskStatus'];
/** RFC 7807 body of every error response (read by the generic reader, `trace_id` included). */
export type ProblemDetails = components['schemas']['ProblemDetails'];

export const definition = defineProvider({
  id: 'document360',
  name: 'Document360',
  typeName: 'Document360',
  summary: 'drive tasks',
  operation: {
    path: '/v3/projects/{project_id}/drive/tasks/{task_id}',
    method: 'getTaskStatus',
    title: 'Get task status for an async operation',
  },
  credentials: [
    {
      securityScheme: 'bearerAuth',
      scheme: { type: 'http', scheme: 'bearer' },
      options: ['token'],
      description: 'project API token with the `customerApi` scope, sent as `Authorization: Bearer <token>`',
    },
  ],
  keywords: ['drive', 'task-status'],
  notes: [
    "`project_id` and `task_id` are UUIDs. Error bodies are RFC 7807 problem details (`application/problem+json`); `trace_id` becomes the error's `requestId`.",
    "A 429 carries `Retry-After` and `X-RateLimit-Limit/Remaining/Reset`, which the retry loop honours.",
  ],
  ref: { projectId: 'project_id', taskId: 'task_id' },
  example: { projectId: '7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f', taskId: 'a3b4c5d6-1234-5678-9abc-def012345678' },
  // An open string: the documented values (and Processing, from the examples); anything else is `unknown`.
  states: { Pending: 'queued', InProgress: 'in_progress', Processing: 'in_progress', Completed: 'succeeded', Failed: 'failed' },
  read(body: TaskStatusResponse) {
    if (!isRecord(body) || !isRecord(body.data)) throw statusShapeError('`data` must be an object');
    if (!isOptionalString(body.data.status)) throw statusShapeError('`data.status` must be a string or null');
    const problem = Array.isArray(body.errors) ? body.errors.map((error) => nonBlank(error.message)).find(Boolean) : undefined;
    return { value: body.data.status, detail: problem };
  },
});

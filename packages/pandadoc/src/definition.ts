import { bodyText, defineProvider, isOptionalString, isRecord, nonBlank, statusShapeError, summarizeErrorBody } from '@upstat/core';
import type { components } from './generated/openapi.js';

/** The body of a section upload status response. */
export type SectionUploadStatus = components['schemas']['UploadSectionStatusResponse'];
/** The documented upload states, e.g. `document_sections_upload.PROCESSED`. */
export type SectionUploadState = components['schemas']['UploadSectionStatusEnum'];

export const definition = defineProvider({
  id: 'pandadoc',
  name: 'PandaDoc',
  typeName: 'PandaDoc',
  summary: 'document section uploads',
  operation: {
    path: '/public/v1/documents/{document_id}/sections/uploads/{upload_id}',
    method: 'getSectionUploadStatus',
    title: 'Document Section Upload Status',
  },
  credentials: [
    {
      securityScheme: 'apiKey',
      scheme: { type: 'apiKey', in: 'header', name: 'Authorization', prefix: 'API-Key' },
      options: ['apiKey'],
      description: 'API key, sent as `Authorization: API-Key <key>`',
    },
    {
      securityScheme: 'oauth2',
      scheme: { type: 'oauth2', flow: 'accessToken' },
      options: ['accessToken'],
      description: 'OAuth2 access token (authorization code flow), sent as `Authorization: Bearer <token>`',
    },
  ],
  keywords: ['document-sections', 'upload-status'],
  notes: [
    "The spec is PandaDoc's own, with upstat's overlay fixes (`section_uuids`, `info_message`); see `specs/pandadoc/PROVENANCE.md`.",
    "Error bodies are `{ type, detail }`; a 409 carries the upload's `info_message`.",
  ],
  ref: { documentId: 'document_id', uploadId: 'upload_id' },
  example: { documentId: 'BhVzRcxH9Z2LgfPPGXFUBa', uploadId: 'LQ6cUT7xevPLUEgJeF8Zrm' },
  states: {
    'document_sections_upload.UPLOADED': 'in_progress',
    'document_sections_upload.PROCESSED': 'succeeded',
    'document_sections_upload.ERROR': 'failed',
  },
  read(body: SectionUploadStatus) {
    if (!isRecord(body) || !isOptionalString(body.status)) throw statusShapeError('`status` must be a string');
    return { value: body.status, detail: nonBlank(body.info_message), updatedAt: nonBlank(body.date_modified) };
  },
  // `{ type, detail }`, and a 409 that is a status body whose `info_message` says why.
  readErrorBody(body) {
    const generic = summarizeErrorBody(body);
    if (generic.message !== undefined || !isRecord(body)) return generic;
    return { ...generic, message: bodyText(body.info_message) };
  },
});

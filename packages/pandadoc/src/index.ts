import { ConfigurationError, createApiClient, type BaseClientOptions, type CredentialSource } from '@upstat/core';
import type { components, operations, paths } from './generated/openapi.js';
import { specInfo } from './generated/spec-info.js';

export type { components, operations, paths };
export { specInfo };

/** The body of a section upload status response. */
export type SectionUploadStatus = components['schemas']['UploadSectionStatusResponse'];
/** The documented upload states, e.g. `document_sections_upload.PROCESSED`. */
export type SectionUploadState = components['schemas']['UploadSectionStatusEnum'];

export const pandadoc = { id: 'pandadoc', name: 'PandaDoc' } as const;

/** Authenticate with an API key (`Authorization: API-Key <key>`) or an OAuth2 access token (`Bearer`). */
export type PandaDocCredentials =
  | { apiKey: CredentialSource; accessToken?: undefined }
  | { accessToken: CredentialSource; apiKey?: undefined };

export type PandaDocClientOptions = BaseClientOptions & PandaDocCredentials;

export function createPandaDocClient(options: PandaDocClientOptions) {
  // The types already forbid both; JavaScript callers get the same rule at run time.
  const given = options as { apiKey?: unknown; accessToken?: unknown };
  if (given.apiKey !== undefined && given.accessToken !== undefined) {
    throw new ConfigurationError('PandaDoc: pass either `apiKey` or `accessToken`, not both.', { provider: pandadoc.id });
  }
  const client = createApiClient<paths>(options, {
    provider: pandadoc,
    defaultBaseUrl: specInfo.defaultServerUrl,
    authorization:
      options.accessToken !== undefined
        ? { scheme: 'Bearer', credential: options.accessToken, option: 'accessToken' }
        : { scheme: 'API-Key', credential: options.apiKey, option: 'apiKey (or accessToken)' },
  });
  return {
    baseUrl: client.baseUrl,
    raw: client.raw,
    /** Document Section Upload Status: `GET /public/v1/documents/{document_id}/sections/uploads/{upload_id}`. */
    getSectionUploadStatus: client.get('/public/v1/documents/{document_id}/sections/uploads/{upload_id}'),
  };
}

export type PandaDocClient = ReturnType<typeof createPandaDocClient>;

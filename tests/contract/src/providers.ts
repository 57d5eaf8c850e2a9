import type { CallOptions, CredentialSource, FetchLike, RetrySetting } from '@upstat/core';
import { createDocument360Client } from '@upstat/document360';
import { createNullspaceClient } from '@upstat/nullspace';
import { createPandaDocClient } from '@upstat/pandadoc';
import { createSendaiClient } from '@upstat/sendai';
import type { Json, ProviderId } from './specs.js';

export interface ClientSetup {
  baseUrl: string;
  fetch: FetchLike;
  credential: CredentialSource | undefined;
  retry?: RetrySetting;
}

/** Calls the provider's typed status method with loosely typed arguments, for table-driven tests. */
export type StatusCall = (pathParameters: Record<string, unknown>, options?: CallOptions) => Promise<unknown>;

export interface ProviderCase {
  id: ProviderId;
  /** The client option that holds the credential. */
  credentialOption: string;
  /** Builds the client and returns its typed status method. */
  create(setup: ClientSetup): StatusCall;
  /** The Authorization header the vendor documents for a credential. */
  authorization(credential: string): string;
  /** Path parameter values for specs that give no example for them. */
  fallbackPathParameters?: Record<string, string>;
  /** Where the vendor puts the request/trace id in an error body, when it does. */
  requestIdInErrorBody?: (body: Json | undefined) => Json | undefined;
}

const field = (value: Json | undefined, key: string): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;

// The `as never` casts let a table hand the clients credentials of any shape (including none), which
// is exactly what the "missing credential" tests need; the typed API is exercised by typecheck.
export const PROVIDERS: ProviderCase[] = [
  {
    id: 'pandadoc',
    credentialOption: 'apiKey',
    create: ({ credential, ...rest }) =>
      createPandaDocClient({ ...rest, apiKey: credential } as never).getSectionUploadStatus as StatusCall,
    authorization: (credential) => `API-Key ${credential}`,
  },
  {
    id: 'document360',
    credentialOption: 'token',
    create: ({ credential, ...rest }) => createDocument360Client({ ...rest, token: credential } as never).getTaskStatus as StatusCall,
    authorization: (credential) => `Bearer ${credential}`,
    requestIdInErrorBody: (body) => field(body, 'trace_id'),
  },
  {
    id: 'sendai',
    credentialOption: 'apiKey',
    create: ({ credential, ...rest }) => createSendaiClient({ ...rest, apiKey: credential } as never).getUpload as StatusCall,
    authorization: (credential) => `Bearer ${credential}`,
  },
  {
    id: 'nullspace',
    credentialOption: 'apiKey',
    create: ({ credential, ...rest }) => createNullspaceClient({ ...rest, apiKey: credential } as never).getUploadSession as StatusCall,
    authorization: (credential) => `Bearer ${credential}`,
    // The reference page gives no example values; these follow its descriptions ("e.g. sb_a1b2c3d4").
    fallbackPathParameters: { id: 'sb_a1b2c3d4', upload_id: 'upl_7Qm2x9K4' },
    requestIdInErrorBody: (body) => field(field(body, 'error'), 'request_id'),
  },
];

export * from './errors.js';
export { summarizeErrorBody, type ErrorBodySummary } from './error-body.js';
export { parseRetryAfter } from './retry-after.js';
export { encodePathParameter, createPathSerializer } from './path-params.js';
export { checkCredential, type AuthorizationConfig, type CredentialSource } from './auth.js';
export type { ProviderInfo } from './provider.js';
export {
  createApiClient,
  type ApiClient,
  type ProviderWiring,
  type BaseClientOptions,
  type CallOptions,
  type FetchLike,
  type GetOperation,
  type PathParameters,
  type SuccessBody,
} from './client.js';

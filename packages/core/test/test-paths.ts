import type { AuthorizationConfig, CredentialSource } from '../src/auth.js';
/** A minimal openapi-typescript-shaped `paths` type for exercising the generic client. */
export interface TestPaths {
  '/items/{item_id}/parts/{part_id}': {
    get: {
      parameters: { query?: never; header?: never; path: { item_id: string; part_id: string }; cookie?: never };
      requestBody?: never;
      responses: {
        200: { headers: Record<string, unknown>; content: { 'application/json': { id: string; state: 'ready' | 'busy' } } };
        404: { headers: Record<string, unknown>; content: { 'application/json': { detail: string } } };
      };
    };
  };
}

export const TEST_PROVIDER = { id: 'acme', name: 'Acme' } as const;
export const ITEM_PATH = '/items/{item_id}/parts/{part_id}' as const;

/** A bearer credential in option `apiKey`, as a provider definition's wiring gives it. */
export function bearer(value: CredentialSource | undefined, option = 'apiKey'): AuthorizationConfig {
  return { credential: { securityScheme: 'bearerAuth', scheme: { type: 'http', scheme: 'bearer' }, options: [option], description: 'token' }, values: [value] };
}

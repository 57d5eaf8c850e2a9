import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { authorizationHeader, checkCredential } from '../src/auth.js';
import { ConfigurationError, MissingCredentialError, type UpstatError } from '../src/errors.js';
import { TEST_PROVIDER } from './test-paths.js';

function thrown(run: () => unknown): UpstatError {
  try {
    run();
  } catch (error) {
    return error as UpstatError;
  }
  throw new Error('expected a throw');
}

describe('checkCredential', () => {
  it.each([undefined, null, ''])('reports %j as missing, naming the option', (value) => {
    const error = thrown(() => checkCredential(TEST_PROVIDER, 'apiKey', value));
    expect(error).toBeInstanceOf(MissingCredentialError);
    expect(error.message).toBe(
      'Acme: no credential. Pass `apiKey` when creating the client (it is sent as the Authorization header).',
    );
  });

  it.each(['Bearer sk_secret_value', 'sk_secret_value\n', ' sk_secret_value', 'sk_secret_välue'])(
    'rejects %j without ever quoting it',
    (value) => {
      const error = thrown(() => checkCredential(TEST_PROVIDER, 'token', value));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('without a scheme prefix');
      for (const text of [error.message, String(error), JSON.stringify(error), inspect(error), error.stack ?? '']) {
        expect(text).not.toContain('sk_secret');
      }
    },
  );

  it('rejects a non-string credential', () => {
    expect(() => checkCredential(TEST_PROVIDER, 'apiKey', 123)).toThrow('`apiKey` must be a string, got number');
  });
});

describe('authorizationHeader', () => {
  it('uses the scheme and calls a credential function on every request', async () => {
    let calls = 0;
    const auth = { scheme: 'Bearer' as const, option: 'token', credential: () => `tok${++calls}` };
    expect(await authorizationHeader(TEST_PROVIDER, auth)).toEqual({ header: 'Bearer tok1', credential: 'tok1' });
    expect(await authorizationHeader(TEST_PROVIDER, auth)).toEqual({ header: 'Bearer tok2', credential: 'tok2' });
    expect(await authorizationHeader(TEST_PROVIDER, { scheme: 'API-Key', option: 'apiKey', credential: 'k' })).toEqual({
      header: 'API-Key k',
      credential: 'k',
    });
  });

  it('rejects when an async credential function yields nothing', async () => {
    await expect(
      authorizationHeader(TEST_PROVIDER, { scheme: 'Bearer', option: 'token', credential: () => Promise.resolve(undefined) }),
    ).rejects.toBeInstanceOf(MissingCredentialError);
  });
});

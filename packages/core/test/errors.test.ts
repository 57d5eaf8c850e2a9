import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  capText,
  MAX_RAW_TEXT,
  RateLimitError,
  UnexpectedResponseError,
  UpstatError,
} from '../src/errors.js';
import { redactSecrets } from '../src/redact.js';

describe('error hierarchy', () => {
  it('keeps class names, kinds and fields through JSON and inspection', () => {
    const error = new RateLimitError('slow down', {
      provider: 'acme',
      operation: 'GET /x',
      status: 429,
      requestId: 'req_1',
      body: { detail: 'throttled' },
      retryAfterMs: 3000,
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(UpstatError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('RateLimitError');
    expect(String(error)).toBe('RateLimitError: slow down');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'RateLimitError',
      kind: 'rate_limit',
      message: 'slow down',
      provider: 'acme',
      operation: 'GET /x',
      status: 429,
      requestId: 'req_1',
      body: { detail: 'throttled' },
      retryAfterMs: 3000,
    });
    expect(inspect(error)).toContain("requestId: 'req_1'");
  });

  it('caps the raw text an UnexpectedResponseError keeps', () => {
    const error = new UnexpectedResponseError('bad', { provider: 'acme', rawText: 'x'.repeat(MAX_RAW_TEXT + 10) });
    expect(error.rawText).toBe(`${'x'.repeat(MAX_RAW_TEXT)}… [10 more characters]`);
    expect(capText('short')).toBe('short');
  });

  it('subclass checks do not cross (a 401 is not a rate limit)', () => {
    const error = new AuthenticationError('no', { provider: 'acme', status: 401 });
    expect(error).not.toBeInstanceOf(RateLimitError);
    expect(error.kind).toBe('authentication');
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence inside nested strings and leaves the rest', () => {
    const secret = 'sk_live_123';
    const value = { a: `Bearer ${secret}`, b: [secret, 1, null, { c: `x${secret}y${secret}` }], d: true };
    expect(redactSecrets(value, [secret])).toEqual({
      a: 'Bearer [REDACTED]',
      b: ['[REDACTED]', 1, null, { c: 'x[REDACTED]y[REDACTED]' }],
      d: true,
    });
    expect(value.a).toBe(`Bearer ${secret}`);
  });

  it('ignores empty secrets', () => {
    expect(redactSecrets('abc', [''])).toBe('abc');
  });
});
